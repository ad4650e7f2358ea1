"""Models as the command sees them: what one recognises, and reading a model file.

A model saved by ``skdigit train`` is one scikit-learn pipeline that predicts
from raw 0-255 pixels (see :func:`skdigit.load_model`); its metadata says which
digit a detector recognises and the image shape it was trained on.
"""

import math
import sys
from dataclasses import dataclass

import numpy as np

from skdigit import OneDigitBinarizer, load_model
from skdigit._image_shape import DIGIT_SHAPES

from .console import CommandError

MODEL_FILE = "model.skops"


@dataclass
class Task:
    """What a model recognises: one digit (a detector) or all ten."""

    digit: int | None  # None: all ten digits

    @property
    def name(self):
        if self.digit is None:
            return "10-class model (digits 0-9)"
        return f"digit-{self.digit} detector"

    def target(self, digits):
        """The labels the model predicts: 0/1 for a detector, the digit otherwise."""
        if self.digit is None:
            return digits
        column = np.asarray(digits).reshape(-1, 1)
        return OneDigitBinarizer(digit=self.digit).fit_transform(column).ravel()

    def label_names(self, values):
        """Readable names of target values: "4" / "not 4" for a detector."""
        if self.digit is None:
            return np.asarray([str(value) for value in values])
        return np.where(np.asarray(values) == 1, str(self.digit), f"not {self.digit}")


@dataclass
class SavedModel:
    """A model file read for the command."""

    estimator: object  # predicts from raw 0-255 pixels, one image per row
    task: Task
    image_shape: tuple
    metadata: dict
    path: object  # the model file

    def trained_split(self):
        """The --split-test-set the model was trained with: None or a count >= 1.

        Checked like the other fields of the metadata: a hand-edited value must
        not choose which images are scored (-5 would score five of them).
        """
        split = self.metadata.get("split_test_set")
        if split is None or (
            isinstance(split, int) and not isinstance(split, bool) and split >= 1
        ):
            return split
        raise CommandError(
            f"'{self.path}' is damaged: its metadata gives split_test_set "
            f"{split!r}, not a number of images (a whole number of 1 or more, or "
            "null); give --split-test-set N yourself, or save the model again with "
            "'skdigit train'"
        )


def read_model(path):
    """Load a model file and check it is one the command can use."""
    import_skops_quickly()
    estimator, info = load_model(path)
    metadata = info["metadata"]
    n_features = estimator.n_features_in_
    shape = metadata.get("image_shape")
    if shape is None:
        shape = {math.prod(s): s for s in DIGIT_SHAPES}.get(n_features)
    shape = tuple(shape) if isinstance(shape, list | tuple) else None
    if shape not in DIGIT_SHAPES or np.prod(shape) != n_features:
        raise CommandError(
            f"{path}: the model takes {n_features} pixels; skdigit knows 28x28 MNIST "
            "images (784 pixels) and 8x8 bundled digits (64)"
        )
    if len(estimator.classes_) == 2:
        digit = metadata.get("digit")
        if (
            not isinstance(digit, int)
            or isinstance(digit, bool)
            or digit not in range(10)
            or list(estimator.classes_) != [0, 1]
        ):
            raise CommandError(
                f"{path}: a two-class model without the digit it detects; skdigit "
                "needs a model saved by 'skdigit train'"
            )
        task = Task(digit)
    else:
        task = Task(None)
    return SavedModel(estimator, task, shape, metadata, path)


def import_skops_quickly():
    """Import skops.io without its scan of every scikit-learn estimator.

    At import, skops.io lists the estimators it trusts by default by importing
    every module of scikit-learn (``sklearn.utils.all_estimators``): several
    seconds, more than all the rest of ``skdigit predict``. skdigit never uses
    that default list (:func:`skdigit.load_model` passes its own, shorter one), so
    the command, which owns its process, imports skops.io with the scan finding
    nothing. Library users' processes are left alone.
    """
    if "skops.io" in sys.modules:
        return
    import sklearn.utils

    scan = sklearn.utils.all_estimators
    sklearn.utils.all_estimators = lambda *args, **kwargs: []
    try:
        import skops.io  # noqa: F401
    except ImportError:
        pass  # load_model and save_model say how to install skops
    finally:
        sklearn.utils.all_estimators = scan
