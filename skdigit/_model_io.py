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
model predicts from raw pixels by itself. The file names these types by their
public names (``skdigit.GDLogisticRegression``,
``sklearn.preprocessing.StandardScaler``), so moving a class between private
modules never changes the format.

Model files are meant to be safe to share, so loading bounds everything before
reading it: only regular files, at most 256 MiB, whose zip directory promises
members of sane sizes and compression ratios (:mod:`skdigit._archive`); JSON
members have their own caps. ``skdigit.json`` is read first, so a file from a
newer skdigit is refused with a clear message; then the file must hold only
types skdigit trusts (the estimators above, builtins, NumPy arrays and scalars:
fewer than skops, which trusts all of scikit-learn by default), each ``.npy``
member must hold what its header says, and only then is the estimator built.
Last, its fitted attributes are checked to be what a fit makes (shapes, dtypes,
finite weights), so a hand-edited file is refused as damaged rather than
predicting nonsense.

Model-file formats: 1 (skdigit 0.1) holds a bare classifier, and the command
recorded the pixel scaling it needs (``pixel_scale``) in the metadata; loading
such a file puts that scaling back in a pipeline. 2 may hold a pipeline. 3
names the types by their public names; 1 and 2 named them by the private
modules that defined them then, which are still read.
"""

import functools
import io
import json
import math
import numbers
import warnings
from pathlib import Path

import numpy as np

from ._archive import (
    ArchiveError,
    ArchiveLimits,
    NotAZipArchive,
    read_members,
    stored_archive,
)
from ._files import atomic_write, open_input_file
from ._optional import import_optional
from ._version import __version__

__all__ = ["FORMAT_VERSION", "ModelFileError", "load_model", "save_model"]

#: The model-file format this version writes, and the newest one it reads.
FORMAT_VERSION = 3

_METADATA_MEMBER = "skdigit.json"
_SCHEMA_MEMBER = "schema.json"
# The bounds of a model file. A 10-class model of 28x28 images is about 100 kB;
# these leave room for far larger images and long loss curves (skops writes
# about 250 bytes of schema.json per iteration), and nothing more.
_MAX_FILE_BYTES = 256 * 2**20
_MAX_JSON_BYTES = {_METADATA_MEMBER: 2**20, _SCHEMA_MEMBER: 64 * 2**20}
_LIMITS = ArchiveLimits(
    max_members=1000,
    max_total_bytes=_MAX_FILE_BYTES,
    max_member_bytes=lambda name: _MAX_JSON_BYTES.get(name, _MAX_FILE_BYTES),
    max_ratio=100.0,  # skops stores its members; deflate gains ~10x on JSON text
    ratio_from_bytes=2**20,
)

_CLASSIFIER = "skdigit.GDLogisticRegression"
# Pipeline steps a model file may hold before the classifier: skdigit's, and
# scikit-learn's StandardScaler for centring (plain numbers and arrays).
_STEPS = (
    "skdigit.DigitDeskewer",
    "skdigit.PixelScaler",
    "sklearn.preprocessing.StandardScaler",
)
_PIPELINE = "sklearn.pipeline.Pipeline"
# The only types a model file may hold beyond builtins and NumPy arrays and
# scalars. skops itself trusts all of scikit-learn by default; skdigit does not.
# A Pipeline is only a list of steps: each step's type is checked too. Never
# ``trusted=True``.
_TRUSTED = (_CLASSIFIER, *_STEPS, _PIPELINE)
# How files of formats 1 and 2 named these types: by the modules that defined
# them then. Frozen: the names a file holds never change.
_FORMER_NAMES = {
    "skdigit._logistic.GDLogisticRegression": "skdigit.GDLogisticRegression",
    "skdigit._deskew.DigitDeskewer": "skdigit.DigitDeskewer",
    "skdigit._scaling.PixelScaler": "skdigit.PixelScaler",
    "sklearn.preprocessing._data.StandardScaler": (
        "sklearn.preprocessing.StandardScaler"
    ),
}
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


@functools.cache
def _trusted_classes():
    """The trusted types, by public name (imported when a model is saved or read)."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from ._deskew import DigitDeskewer
    from ._logistic import GDLogisticRegression
    from ._scaling import PixelScaler

    classes = {
        _CLASSIFIER: GDLogisticRegression,
        "skdigit.DigitDeskewer": DigitDeskewer,
        "skdigit.PixelScaler": PixelScaler,
        "sklearn.preprocessing.StandardScaler": StandardScaler,
        _PIPELINE: Pipeline,
    }
    return classes


def _public_name(obj):
    """The public name of ``obj``'s type if it is one skdigit trusts, else None."""
    for name, cls in _trusted_classes().items():
        if type(obj) is cls:
            return name
    return None


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
    (3, 4)
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

    members = _members(path, _skops_io().dumps(estimator), saving=True)
    # Written by skops from the module that defines each class: name them by
    # their public names instead, which never move.
    schema = json.loads(members[_SCHEMA_MEMBER])
    types = _rename_types(schema, _private_names())
    # What load_model would refuse must not be written in the first place.
    untrusted = _untrusted_names(types)
    if untrusted:
        raise TypeError(
            f"save_model cannot save {', '.join(untrusted)}: a model file holds only "
            "skdigit's estimators and steps (and a Pipeline of them)"
        )
    members[_SCHEMA_MEMBER] = json.dumps(schema, indent=2).encode()
    members[_METADATA_MEMBER] = header_text.encode()
    return _write_atomically(Path(path), stored_archive(members))


def _private_names():
    """The names skops gives the trusted types (their defining modules'), and
    the public name for each."""
    return {
        f"{cls.__module__}.{cls.__qualname__}": name
        for name, cls in _trusted_classes().items()
    }


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
            if not (step in ("passthrough", None) or _public_name(step) in _STEPS):
                raise TypeError(f"{expected}; step {name!r} is a {type(step).__name__}")
        if _public_name(last) != _CLASSIFIER:
            raise TypeError(f"{expected}; the last step is a {type(last).__name__}")
    elif _public_name(estimator) != _CLASSIFIER:
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

    OSError
        If ``path`` is a folder or not a regular file (a FIFO would block, a
        device such as ``/dev/zero`` never end): nothing is read.

    ModelFileError
        If the file is not a skdigit model file, is larger than a model file
        may be (256 MiB, or members that inflate beyond their bounds), is
        damaged (fitted attributes included: shapes, dtypes, finite weights),
        was written by a newer skdigit (a newer model-file format), or holds
        types skdigit does not trust. ``ModelFileError`` is a ``ValueError``.

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
    with open_input_file(path, "model file") as (file, size):
        if size > _MAX_FILE_BYTES:
            raise ModelFileError(
                f"'{path}' is too large to be a model file: {size} bytes, more than "
                f"the {_MAX_FILE_BYTES} skdigit reads; nothing was read"
            )
        data = file.read(_MAX_FILE_BYTES + 1)  # it may have grown meanwhile
    if len(data) > _MAX_FILE_BYTES:
        raise ModelFileError(
            f"'{path}' grew past {_MAX_FILE_BYTES} bytes as it was read"
        )
    members = _members(path, data)
    info = _read_header(path, members)
    estimator = _read_estimator(path, members)
    if info["format"] == 1:
        estimator = _pipeline_of_format_1(path, estimator, info["metadata"])
    _warn_if_other_sklearn(path, info)
    return estimator, info


def _not_a_model(path, why):
    return ModelFileError(f"'{path}' is not a skdigit model file: {why}")


def _damaged(path, why):
    return ModelFileError(f"'{path}' is damaged: {why}")


def _members(path, data, *, saving=False):
    """The archive's members by name, read within the bounds of a model file."""
    try:
        return read_members(data, _LIMITS)
    except NotAZipArchive as exc:
        raise _not_a_model(path, exc) from None
    except ArchiveError as exc:
        if saving:
            raise ValueError(
                f"cannot save '{path}': the model is too large for a model file ({exc})"
            ) from None
        raise _damaged(path, exc) from None


def _read_header(path, members):
    """The parsed ``skdigit.json``, after checking the file can be read at all."""
    if _METADATA_MEMBER not in members:
        why = (
            "it is a skops file without skdigit metadata (load it with skops.io.load)"
            if _SCHEMA_MEMBER in members
            else "a zip archive without skdigit metadata"
        )
        raise _not_a_model(path, why)
    info = _parse_json(path, members, _METADATA_MEMBER, not_json=_not_a_model)
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


def _parse_json(path, members, name, *, not_json):
    """The JSON member ``name``; ``not_json(path, why)`` is the error for text
    that is not JSON."""
    try:
        return json.loads(members[name])
    except RecursionError:
        raise _damaged(path, f"{name} is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise not_json(path, f"{name} is not valid JSON") from exc


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


def _read_estimator(path, members):
    """Check the schema's types and the arrays, then let skops build the model."""
    sio = _skops_io()
    schema = _read_schema(path, members)
    types = _rename_types(schema, _FORMER_NAMES)
    unknown = _untrusted_names(types)
    if unknown:
        raise ModelFileError(
            f"'{path}' holds types skdigit does not trust ({', '.join(unknown)}); "
            "refusing to load it"
        )
    arrays = {name: data for name, data in members.items() if name.endswith(".npy")}
    for name, data in arrays.items():
        _check_npy(path, name, data)
    # Only what was read within bounds and checked reaches skops.
    data = stored_archive({_SCHEMA_MEMBER: json.dumps(schema).encode(), **arrays})
    try:
        # skops' own list of what it would refuse; a second, independent check.
        unknown = _untrusted_names(set(sio.get_untrusted_types(data=data)))
    except Exception as exc:  # skops raises many kinds on malformed schemas
        raise _damaged(path, _short(exc)) from exc
    if unknown:
        raise ModelFileError(
            f"'{path}' holds types skdigit does not trust ({', '.join(unknown)}); "
            "refusing to load it"
        )
    try:
        estimator = sio.loads(data, trusted=list(_TRUSTED))
    except Exception as exc:
        raise _damaged(path, _short(exc)) from exc
    _check_model(path, estimator)
    return estimator


def _short(exc):
    """An exception as a few words; a RecursionError says only that."""
    if isinstance(exc, RecursionError):
        return "its contents are nested too deeply"
    return str(exc) or type(exc).__name__


def _read_schema(path, members):
    if _SCHEMA_MEMBER not in members:
        raise _damaged(path, f"it has no {_SCHEMA_MEMBER}")
    schema = _parse_json(path, members, _SCHEMA_MEMBER, not_json=_damaged)
    if not isinstance(schema, dict) or "__class__" not in schema:
        raise _damaged(path, "its schema names no object")
    return schema


def _rename_types(schema, renames):
    """Rename, in place, the types of the skops ``schema`` found in ``renames``
    (``module.class`` to ``module.class``); return every type it names.

    skops trusts all of scikit-learn by default; a model file needs far less,
    so the types are checked here, as plain JSON, before skops builds anything.
    """
    found, pending = set(), [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if "__class__" in node:
                name = f"{node.get('__module__')}.{node['__class__']}"
                if name in renames:
                    name = renames[name]
                    node["__module__"], _, node["__class__"] = name.rpartition(".")
                found.add(name)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def _untrusted_names(types):
    return sorted(name for name in types if not _is_trusted(name))


def _is_trusted(name):
    if name in _TRUSTED or name in _PLAIN_TYPES:
        return True
    module, _, cls = name.rpartition(".")
    # NumPy scalar types such as numpy.float64: looked up by name, nothing run.
    kind = getattr(np, cls, None) if module == "numpy" else None
    return isinstance(kind, type) and issubclass(kind, np.generic)


def _check_npy(path, name, data):
    """A ``.npy`` member holds exactly the array its header describes, and no
    objects: skops allocates what the header says before reading the data."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = {
            (1, 0): np.lib.format.read_array_header_1_0,
            (2, 0): np.lib.format.read_array_header_2_0,
        }[version]
        shape, _, dtype = read_header(stream)
    except (KeyError, ValueError, OSError, EOFError) as exc:
        raise _damaged(path, f"its array {name!r} has no valid .npy header") from exc
    if dtype.hasobject:
        raise _damaged(path, f"its array {name!r} holds Python objects")
    promised = dtype.itemsize * math.prod(shape)
    if promised != len(data) - stream.tell():
        raise _damaged(
            path,
            f"its array {name!r} promises {promised} bytes of data but holds "
            f"{len(data) - stream.tell()}",
        )


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


# -- the fitted model ------------------------------------------------------------


def _check_model(path, estimator):
    """The estimator is a fitted model whose attributes are what a fit makes.

    A hand-edited file could otherwise load and then fail deep inside predict
    (wrong shapes), or predict "nan%" (non-finite weights).
    """
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, Pipeline):
        try:
            _check_savable(estimator)
        except (TypeError, ValueError):
            raise _not_a_model(path, "it does not hold a fitted model") from None
        steps = [step for _, step in estimator.steps]
    else:
        steps = [estimator]
    classifier = steps[-1]
    if _public_name(classifier) != _CLASSIFIER or not hasattr(classifier, "coef_"):
        raise _not_a_model(path, "it does not hold a fitted model")
    for part in [estimator, *steps]:
        if part not in ("passthrough", None):
            _check_parameters(path, part)
    n_features = _check_classifier(path, classifier)
    for step in steps[:-1]:
        if step not in ("passthrough", None):
            _check_step(path, step, n_features)


def _check_parameters(path, estimator):
    try:
        estimator._validate_params()
    except (TypeError, ValueError) as exc:
        raise _damaged(path, _first_line(exc)) from None


def _first_line(exc):
    return str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)


def _check_classifier(path, classifier):
    """The attributes predict reads; return the number of features."""
    where = type(classifier).__name__
    n_features = _check_count(path, where, classifier, "n_features_in_")
    classes = getattr(classifier, "classes_", None)
    if not (
        isinstance(classes, np.ndarray)
        and classes.ndim == 1
        and classes.dtype.kind in "biufU"
        and len(classes) >= 2
        and len(np.unique(classes)) == len(classes)
    ):
        raise _damaged(
            path,
            f"{where}.classes_ is {_describe(classes)}, not the 1-D array of two "
            "or more distinct labels a fit makes",
        )
    n_outputs = 1 if len(classes) == 2 else len(classes)
    _check_weights(path, where, classifier, "coef_", (n_outputs, n_features))
    _check_weights(path, where, classifier, "intercept_", (n_outputs,))
    return n_features


def _check_step(path, step, n_features):
    where = type(step).__name__
    if _check_count(path, where, step, "n_features_in_") != n_features:
        raise _damaged(
            path,
            f"{where}.n_features_in_ is {step.n_features_in_}, but the classifier "
            f"takes {n_features} features",
        )
    if _public_name(step) == "skdigit.DigitDeskewer":
        shape = getattr(step, "image_shape_", None)
        if not (
            isinstance(shape, tuple)
            and len(shape) == 2
            and all(_is_count(side) and side >= 1 for side in shape)
            and shape[0] * shape[1] == n_features
        ):
            raise _damaged(
                path,
                f"{where}.image_shape_ is {_describe(shape)}, not two sides whose "
                f"product is its {n_features} features",
            )
    elif _public_name(step) == "sklearn.preprocessing.StandardScaler":
        for name, wanted, positive in [
            ("mean_", step.with_mean, False),
            ("scale_", step.with_std, True),
        ]:
            if wanted or getattr(step, name, None) is not None:
                _check_weights(path, where, step, name, (n_features,), positive)


def _check_count(path, where, estimator, name):
    value = getattr(estimator, name, None)
    if not (_is_count(value) and value >= 1):
        raise _damaged(
            path, f"{where}.{name} is {_describe(value)}, not a positive whole number"
        )
    return int(value)


def _is_count(value):
    return isinstance(value, numbers.Integral) and not isinstance(
        value, (bool, np.bool_)
    )


def _check_weights(path, where, estimator, name, shape, positive=False):
    value = getattr(estimator, name, None)
    if not (
        isinstance(value, np.ndarray)
        and value.dtype in (np.float32, np.float64)
        and value.shape == shape
    ):
        raise _damaged(
            path,
            f"{where}.{name} is {_describe(value)}; a fit makes float numbers of "
            f"shape {shape}",
        )
    if not np.isfinite(value).all():
        raise _damaged(path, f"{where}.{name} holds NaN or infinite numbers")
    if positive and not (value > 0).all():
        raise _damaged(path, f"{where}.{name} holds numbers that are not positive")


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of {value.dtype} of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 40 else f"a {type(value).__name__}"
