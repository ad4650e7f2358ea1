"""Saving and loading fitted models safely, with the versions that made them.

A model file is a `skops <https://skops.readthedocs.io>`_ file: a zip archive that
holds the estimator's parameters and arrays as JSON and ``.npy`` members, never a
pickle, so loading it runs no code from the file. skdigit adds one member,
``skdigit.json``, with plain-JSON metadata: the model-file format number, the
versions of skdigit, scikit-learn, NumPy and skops that wrote it, and whatever the
caller records (the ``skdigit`` command records the digit, the image shape, the
data and the training settings).

The estimator is a :class:`~skdigit.GDLogisticRegression`, or a scikit-learn
:class:`~sklearn.pipeline.Pipeline` of skdigit's own steps ending in one (what
``skdigit train`` saves: deskewing, pixel scaling, the classifier), so a loaded
model predicts from raw pixels by itself.

Loading reads ``skdigit.json`` first, so a file from a newer skdigit is refused
with a clear message before anything else is read, then checks that the file
holds only types skdigit trusts (the estimators above, builtins, NumPy arrays and
scalars: fewer than skops, which trusts all of scikit-learn by default) and only
then builds the estimator.

Model-file formats: 1 (skdigit 0.1) holds a bare classifier, and the command
recorded the pixel scaling it needs (``pixel_scale``) in the metadata; loading
such a file puts that scaling back in a pipeline. 2 may hold a pipeline.
"""

import io
import json
import math
import warnings
import zipfile
from pathlib import Path

import numpy as np

from ._files import atomic_write, check_input_file
from ._optional import import_optional
from ._version import __version__

__all__ = ["FORMAT_VERSION", "ModelFileError", "load_model", "save_model"]

#: The model-file format this version writes, and the newest one it reads.
FORMAT_VERSION = 2

_METADATA_MEMBER = "skdigit.json"
# skdigit.json is a few hundred bytes; anything far larger is not one of ours.
_MAX_METADATA_BYTES = 1 << 20
_CLASSIFIER = "skdigit._logistic.GDLogisticRegression"
# Pipeline steps a model file may hold before the classifier: skdigit's, and
# scikit-learn's StandardScaler for centring (plain numbers and arrays).
_STEP_TYPES = [
    "skdigit._deskew.DigitDeskewer",
    "skdigit._scaling.PixelScaler",
    "sklearn.preprocessing._data.StandardScaler",
]
# The only types a model file may hold beyond builtins and NumPy arrays and
# scalars. skops itself trusts all of scikit-learn by default; skdigit does not.
# A Pipeline is only a list of steps: each step's type is checked too. Never
# ``trusted=True``.
_TRUSTED_TYPES = [_CLASSIFIER, *_STEP_TYPES, "sklearn.pipeline.Pipeline"]
# What the estimators are made of: their parameters, arrays and lists.
_PLAIN_TYPES = {
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.NoneType",
    "numpy.ndarray",
    "numpy.dtype",
}


class ModelFileError(ValueError):
    """Raised when a file is not a skdigit model file that this version can load.

    The message names the file and says what is wrong: not a model file at all,
    damaged, written by a newer skdigit, or holding types skdigit does not trust.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigit import ModelFileError, load_model
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
    >>> with open(path, "w") as file:
    ...     _ = file.write("not a model")
    >>> try:
    ...     load_model(path)
    ... except ModelFileError as exc:
    ...     print("is not a skdigit model file" in str(exc))
    True
    """


def _skops_io():
    return import_optional("skops.io", needed_for="model files")


def _versions():
    import numpy
    import sklearn

    return {
        "skdigit_version": __version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": numpy.__version__,
        "skops_version": _skops_version(),
    }


def _skops_version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("skops")
    except PackageNotFoundError:  # pragma: no cover - skops imported fine before
        return "unknown"


def save_model(estimator, path, *, metadata=None):
    """Save a fitted classifier, or a pipeline ending in one, to a model file.

    The file is a skops file (no pickle) with an extra ``skdigit.json`` member
    recording the model-file format, the versions of skdigit, scikit-learn, NumPy
    and skops, and ``metadata``. It is written to a temporary file in the same
    folder that then replaces ``path``, so a reader never sees a partial file and
    a failure leaves any previous file as it was.

    Parameters
    ----------
    estimator : GDLogisticRegression or Pipeline
        The fitted estimator: a :class:`~skdigit.GDLogisticRegression`, or a
        :class:`~sklearn.pipeline.Pipeline` whose steps are
        :class:`~skdigit.DigitDeskewer`, :class:`~skdigit.PixelScaler`,
        :class:`~sklearn.preprocessing.StandardScaler` or ``"passthrough"``
        and whose last step is a :class:`~skdigit.GDLogisticRegression`.

    path : str or path-like
        Where to write; the folder must exist. ``.skops`` is the usual suffix.

    metadata : dict, default=None
        Extra facts to record, made of JSON types (str, numbers, bool, None,
        lists and dicts), for example the digit a detector recognises.

    Returns
    -------
    path : pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        If ``estimator`` is not one of the above, or ``metadata`` is not a dict
        of JSON types.

    sklearn.exceptions.NotFittedError
        If ``estimator`` is not fitted.

    FileNotFoundError
        If the folder of ``path`` does not exist.

    See Also
    --------
    load_model : Load the estimator and its metadata back.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.pipeline import make_pipeline
    >>> from skdigit import GDLogisticRegression, PixelScaler, load_model, save_model
    >>> X, y = load_digits(return_X_y=True)
    >>> model = make_pipeline(
    ...     PixelScaler(max_value=16), GDLogisticRegression(learning_rate=0.5)
    ... ).fit(X, y == 4)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skops")
    >>> saved = save_model(model, path, metadata={"digit": 4, "image_shape": [8, 8]})
    >>> loaded, info = load_model(saved)
    >>> bool((loaded.predict(X) == model.predict(X)).all())
    True
    >>> info["format"], info["metadata"]["digit"]
    (2, 4)
    """
    from sklearn.utils.validation import check_is_fitted

    _check_savable(estimator)
    check_is_fitted(estimator)
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}")
    header = {"format": FORMAT_VERSION, **_versions(), "metadata": metadata or {}}
    try:
        header_text = json.dumps(header, indent=2, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"metadata must be made of JSON types: {exc}") from exc

    data = _skops_io().dumps(estimator)
    # What load_model would refuse must not be written in the first place.
    untrusted = _untrusted_names(_schema_types(path, data))
    if untrusted:
        raise TypeError(
            f"save_model cannot save {', '.join(untrusted)}: a model file holds only "
            "skdigit's estimators and steps (and a Pipeline of them)"
        )
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_METADATA_MEMBER, header_text)
    return _write_atomically(Path(path), buffer.getvalue())


def _type_name(obj):
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _check_savable(estimator):
    """A GDLogisticRegression, or a Pipeline of skdigit steps ending in one."""
    from sklearn.pipeline import Pipeline

    expected = (
        "save_model saves a fitted GDLogisticRegression, or a Pipeline of "
        "DigitDeskewer, PixelScaler and StandardScaler steps ending in one"
    )
    if isinstance(estimator, Pipeline):
        *steps, (_, last) = estimator.steps
        for name, step in steps:
            if not (step in ("passthrough", None) or _type_name(step) in _STEP_TYPES):
                raise TypeError(f"{expected}; step {name!r} is a {type(step).__name__}")
        if _type_name(last) != _CLASSIFIER:
            raise TypeError(f"{expected}; the last step is a {type(last).__name__}")
    elif _type_name(estimator) != _CLASSIFIER:
        raise TypeError(f"{expected}; got {type(estimator).__name__}")


def _write_atomically(path, data):
    with atomic_write(path) as file:
        file.write(data)
    return path


def load_model(path):
    """Load a model file written by :func:`save_model` (or ``skdigit train``).

    Nothing in the file is executed: the metadata is plain JSON, and the
    estimator is rebuilt by skops from its parameters and arrays, after checking
    that the file holds no type beyond skdigit's estimators (and a
    :class:`~sklearn.pipeline.Pipeline` of them), builtins, and NumPy arrays and
    scalars.

    Parameters
    ----------
    path : str or path-like
        The model file.

    Returns
    -------
    estimator : GDLogisticRegression or Pipeline
        The fitted estimator, as it was saved. A model saved by ``skdigit train``
        is a Pipeline that predicts from raw 0-255 pixels, one image per row
        (``load_digit_image(path).reshape(1, -1)`` for a picture). A file of
        format 1 (skdigit 0.1) whose metadata records a ``pixel_scale`` comes
        back as that Pipeline too: its scaling becomes a
        :class:`~skdigit.PixelScaler` step (and leaves the metadata).

    info : dict
        What ``skdigit.json`` records: ``format``, ``skdigit_version``,
        ``sklearn_version``, ``numpy_version``, ``skops_version`` and
        ``metadata`` (the dict given to :func:`save_model`).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.

    ModelFileError
        If the file is not a skdigit model file, is damaged, was written by a
        newer skdigit (a newer model-file format), or holds types skdigit does
        not trust. ``ModelFileError`` is a ``ValueError``.

    Warns
    -----
    UserWarning
        If the file was written with another scikit-learn version: it loads,
        but predictions may differ slightly.

    See Also
    --------
    save_model : Write a model file.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import GDLogisticRegression, load_model, save_model
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = GDLogisticRegression(max_iter=5).fit(X, y)
    >>> path = save_model(clf, os.path.join(tempfile.mkdtemp(), "digits.skops"))
    >>> loaded, info = load_model(path)
    >>> loaded
    GDLogisticRegression(max_iter=5)
    >>> loaded.coef_.shape, info["metadata"]
    ((10, 64), {})
    """
    path = Path(path)
    check_input_file(path, "model file")
    data = path.read_bytes()
    info = _read_header(path, data)
    estimator = _read_estimator(path, data)
    if info["format"] == 1:
        estimator = _pipeline_of_format_1(path, estimator, info["metadata"])
    _warn_if_other_sklearn(path, info)
    return estimator, info


def _not_a_model(path, why):
    return ModelFileError(f"'{path}' is not a skdigit model file: {why}")


def _damaged(path, why):
    return ModelFileError(f"'{path}' is damaged: {why}")


def _read_header(path, data):
    """The parsed ``skdigit.json``, after checking the file can be read at all."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _not_a_model(path, "it is not a zip archive")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if _METADATA_MEMBER not in names:
                why = (
                    "it is a skops file without skdigit metadata (load it with "
                    "skops.io.load)"
                    if "schema.json" in names
                    else "a zip archive without skdigit metadata"
                )
                raise _not_a_model(path, why)
            if archive.getinfo(_METADATA_MEMBER).file_size > _MAX_METADATA_BYTES:
                raise _damaged(path, f"{_METADATA_MEMBER} is implausibly large")
            text = archive.read(_METADATA_MEMBER)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _damaged(path, exc) from exc
    try:
        info = json.loads(text)
    except RecursionError:
        raise _damaged(path, f"{_METADATA_MEMBER} is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _not_a_model(path, f"{_METADATA_MEMBER} is not valid JSON") from exc
    file_format = info.get("format") if isinstance(info, dict) else None
    if isinstance(file_format, bool) or not isinstance(file_format, int):
        raise _not_a_model(path, f"{_METADATA_MEMBER} has no format number")
    if file_format > FORMAT_VERSION:
        written_by = info.get("skdigit_version", "unknown")
        raise ModelFileError(
            f"'{path}' was written by a newer skdigit ({written_by}, model format "
            f"{file_format}); this skdigit {__version__} reads model format "
            f"{FORMAT_VERSION} at most: upgrade skdigit (pip install -U skdigit)"
        )
    if file_format < 1:
        raise _not_a_model(path, f"unknown model format {file_format}")
    _check_header_fields(path, info)
    info.setdefault("metadata", {})
    return info


def _check_header_fields(path, info):
    """The fields skdigit reads have the JSON types it wrote."""
    metadata = info.get("metadata", {})
    if not isinstance(metadata, dict):
        raise _damaged(
            path,
            f"the metadata in {_METADATA_MEMBER} is {_json_kind(metadata)}, not an "
            "object",
        )
    for field in _versions():
        if not isinstance(info.get(field, ""), str):
            raise _damaged(
                path,
                f"{field} in {_METADATA_MEMBER} is {_json_kind(info[field])}, not a "
                "string",
            )


def _json_kind(value):
    kinds = {list: "a list", dict: "an object", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return kinds.get(type(value), "a number")


def _read_estimator(path, data):
    sio = _skops_io()
    types = _schema_types(path, data)
    try:
        # skops' own list of what it would refuse; a second, independent check.
        types |= set(sio.get_untrusted_types(data=data))
    except Exception as exc:  # skops raises many kinds on malformed schemas
        raise _damaged(path, _short(exc)) from exc
    unknown = _untrusted_names(types)
    if unknown:
        raise ModelFileError(
            f"'{path}' holds types skdigit does not trust ({', '.join(unknown)}); "
            "refusing to load it"
        )
    try:
        estimator = sio.loads(data, trusted=_TRUSTED_TYPES)
    except Exception as exc:
        raise _damaged(path, _short(exc)) from exc
    if not _is_fitted_model(estimator):
        raise _not_a_model(path, "it does not hold a fitted model")
    return estimator


def _short(exc):
    """An exception as a few words; a RecursionError says only that."""
    if isinstance(exc, RecursionError):
        return "its contents are nested too deeply"
    return str(exc) or type(exc).__name__


def _is_fitted_model(estimator):
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, Pipeline):
        try:
            _check_savable(estimator)
        except (TypeError, ValueError):
            return False
        estimator = estimator.steps[-1][1]
    return _type_name(estimator) == _CLASSIFIER and hasattr(estimator, "coef_")


def _schema_types(path, data):
    """Every ``module.class`` named in the skops schema, read as plain JSON.

    skops trusts all of scikit-learn by default; a model file needs far less, so
    the types are checked here before skops builds anything.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            schema = json.loads(archive.read("schema.json"))
    except RecursionError:
        raise _damaged(path, "schema.json is nested too deeply") from None
    except (KeyError, ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _damaged(path, exc) from exc
    found, pending = set(), [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if "__class__" in node:
                found.add(f"{node.get('__module__')}.{node['__class__']}")
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    if not isinstance(schema, dict) or "__class__" not in schema:
        raise _damaged(path, "its schema names no object")
    return found


def _untrusted_names(types):
    return sorted(name for name in types if not _is_trusted(name))


def _is_trusted(name):
    if name in _TRUSTED_TYPES or name in _PLAIN_TYPES:
        return True
    module, _, cls = name.rpartition(".")
    # NumPy scalar types such as numpy.float64: looked up by name, nothing run.
    kind = getattr(np, cls, None) if module == "numpy" else None
    return isinstance(kind, type) and issubclass(kind, np.generic)


def _pipeline_of_format_1(path, classifier, metadata):
    """Format 1: ``skdigit train`` kept the pixel scaling in the metadata.

    Such a file comes back as the pipeline the command saves today, so that it
    predicts from raw pixels; files without ``pixel_scale`` come back as saved.
    """
    if "pixel_scale" not in metadata:
        return classifier
    from sklearn.pipeline import Pipeline

    from ._scaling import PixelScaler

    scale = metadata.pop("pixel_scale")
    if isinstance(scale, bool) or not isinstance(scale, int | float):
        raise _damaged(path, f"its pixel_scale is {_json_kind(scale)}, not a number")
    if not (math.isfinite(scale) and scale > 0):
        raise _damaged(path, f"its pixel_scale is {scale}, not a positive number")
    steps = []
    if scale != 1:
        scaler = PixelScaler(max_value=1 / scale)
        steps.append(("scale", scaler.fit(np.zeros((1, classifier.n_features_in_)))))
    return Pipeline([*steps, ("classifier", classifier)])


def _warn_if_other_sklearn(path, info):
    import sklearn

    saved_with = info.get("sklearn_version")
    if saved_with and saved_with != sklearn.__version__:
        warnings.warn(
            f"'{path}' was saved with scikit-learn {saved_with} and is loaded with "
            f"scikit-learn {sklearn.__version__}: predictions may differ slightly",
            UserWarning,
            stacklevel=3,
        )
