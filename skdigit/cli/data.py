"""Which digits the command trains and tests on, and where they come from.

The order, for ``train``: MNIST from ``--data-dir`` (else ``$SKDIGIT_DATA``, else
``~/skdigit_data``), downloaded there when missing (unless ``--no-download``);
when MNIST cannot be had (missing and not downloadable, offline), one line says
so and scikit-learn's bundled 8x8 digits are used instead, but only when no
``--data-dir`` was given: a folder named on the command line is where the user
says MNIST is, so its files are required.

``--data-dir`` must name an existing folder: a mistyped path is an error, never
a folder created for a download nor a reason to train on other digits. The
default data folder is created when a download needs it. A download shows a
progress bar when stderr is a terminal, and nothing otherwise.

Anything wrong with files that are there (corrupt, unreadable, not MNIST) is an
error, never a reason to fall back: it needs fixing, and silently training on
other data would hide it.
"""

import importlib.util
import os
import sys
from dataclasses import dataclass

import numpy as np

from skdigit import (
    MNISTChecksumError,
    MNISTDataError,
    MNISTDownloadError,
    MNISTFilesMissingError,
    MNISTIdxLoader,
)
from skdigit._image_shape import DIGITS_SHAPE, MNIST_SHAPE

from .console import CommandError, stderr_is_a_terminal

# The bundled digits are split the same way every time, so ``evaluate`` finds
# the test images ``train`` held out.
DIGITS_TEST_SIZE = 0.25
DIGITS_RANDOM_STATE = 0


@dataclass
class Data:
    """Digit images as uint8 pixels 0-255 (one row per image) and their labels."""

    X_train: np.ndarray | None
    y_train: np.ndarray | None
    X_test: np.ndarray
    y_test: np.ndarray
    dataset: str  # "mnist" or "digits"
    image_shape: tuple
    summary: str  # the one line that says where the data came from
    split_test_set: int | None = None


def load_data(args, *, dataset, need_train):
    """Load the data in the documented order; print nothing.

    Returns the data, and why MNIST was not used when the bundled digits stand
    in for it (None otherwise).
    """
    if dataset == "digits":
        return bundled_digits(need_train), None
    data_dir = _explicit_data_dir(args.data_dir)
    try:
        return _mnist(args, data_dir, need_train), None
    except (MNISTFilesMissingError, MNISTDownloadError) as exc:
        why = _why_unavailable(exc)
        if dataset == "mnist" or data_dir is not None:
            raise CommandError(
                f"MNIST could not be loaded: {why}; {_how_to_get_it(exc)}"
            ) from exc
        return bundled_digits(need_train), why
    except MNISTChecksumError as exc:
        raise CommandError(_wrong_file(exc, args.no_download)) from exc
    except MNISTDataError as exc:
        raise CommandError(exc.problem) from exc


def _explicit_data_dir(data_dir):
    """The folder given by --data-dir, which must exist; None when not given."""
    if data_dir is None:
        return None
    data_dir = data_dir.expanduser()
    if not data_dir.exists():
        raise CommandError(
            f"--data-dir '{data_dir}' does not exist: give the folder that holds "
            "the MNIST files, or create it first for the download to go there"
        )
    if not data_dir.is_dir():
        raise CommandError(f"--data-dir '{data_dir}' is a file, not a folder")
    return data_dir


def _mnist(args, data_dir, need_train):
    # Imported here: only a download needs urllib, which skdigit._fetch imports.
    from skdigit._fetch import progress_shown_by

    loader = MNISTIdxLoader(
        data_home=data_dir, download=not args.no_download, timeout=args.timeout
    )
    with progress_shown_by(_download_bar if _can_show_a_bar() else None):
        return _mnist_data(loader, args.split_test_set, need_train)


def _can_show_a_bar():
    return stderr_is_a_terminal() and importlib.util.find_spec("tqdm") is not None


def _download_bar(name, mirror):
    """A progress bar of one download, on stderr, gone once it ends."""
    from tqdm import tqdm

    return tqdm(
        desc=f"downloading {name}",
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        leave=False,
        file=sys.stderr,
        dynamic_ncols=True,
    )


def _mnist_data(loader, split_test_set, need_train):
    test = loader.load("test", return_X_y=False)
    folder = os.path.dirname(test.filenames["images"])
    n_test = len(test.target)
    if split_test_set is not None:
        n = split_test_set
        if n >= n_test:
            raise CommandError(
                f"--split-test-set {n} leaves no test images: MNIST's test split "
                f"has {n_test} images, give N below that"
            )
        X, y = test.data, test.target
        return Data(
            X[:n] if need_train else None,
            y[:n] if need_train else None,
            X[n:],
            y[n:],
            "mnist",
            MNIST_SHAPE,
            f"MNIST test split from {folder}, split in two: train on its first {n} "
            f"images, test on the other {n_test - n}",
            split_test_set=n,
        )
    X_train = y_train = None
    if need_train:
        X_train, y_train = loader.load("train")
    counts = f"train {len(y_train)}, " if need_train else ""
    return Data(
        X_train,
        y_train,
        test.data,
        test.target,
        "mnist",
        MNIST_SHAPE,
        f"MNIST from {folder} ({counts}test {n_test})",
    )


def _why_unavailable(exc):
    """Why MNIST could not be had (missing files, failed downloads), in a few words."""
    if isinstance(exc, MNISTFilesMissingError):
        return (
            f"{', '.join(exc.missing)} not found in {exc.data_home}, and downloading "
            "is off"
        )
    return f"could not download {exc.name} from any mirror: {_first_answer(exc)}"


def _first_answer(download_error):
    failures = download_error.failures
    return failures[0][1] if failures else "no mirror to try"


def _how_to_get_it(exc):
    """The remedy for missing MNIST files, in the command's words."""
    if isinstance(exc, MNISTFilesMissingError):
        return (
            "run without --no-download to download them there, or copy them there "
            "(or give --data-dir the folder that holds them)"
        )
    return (
        "check the network connection, or download the four MNIST files by hand "
        f"into {exc.data_home} (see the README)"
    )


def _wrong_file(exc, no_download):
    """A file that is not the official one: delete or replace it."""
    if isinstance(exc.__cause__, MNISTDownloadError):
        return (
            f"{exc.problem}; downloading the official file failed "
            f"({_first_answer(exc.__cause__)}): replace it with the official file"
        )
    if no_download:
        return (
            f"{exc.problem}: delete it and run without --no-download to download the "
            "official file, or replace it with the official file"
        )
    return f"{exc.problem}: replace it with the official file"


def bundled_digits(need_train):
    """scikit-learn's 8x8 digits on MNIST's 0-255 scale, split 75/25."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    # Pixels 0-16 onto MNIST's 0-255 scale, so the notebook's learning rate fits.
    X = np.rint(X * (255 / 16)).astype(np.uint8)
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y.astype(np.uint8),
        test_size=DIGITS_TEST_SIZE,
        random_state=DIGITS_RANDOM_STATE,
        stratify=y,
    )
    counts = f"train {len(y_train)}, " if need_train else ""
    return Data(
        X_train if need_train else None,
        y_train if need_train else None,
        X_test,
        y_test,
        "digits",
        DIGITS_SHAPE,
        f"scikit-learn's bundled 8x8 digits ({counts}test {len(y_test)})",
    )
