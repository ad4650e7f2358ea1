"""The MNIST files: names, checksums, mirrors, the data folder and the loader.

:class:`MNISTIdxLoader` finds the four MNIST files in a data folder (under the
official names or the names unzip tools give them), downloads the missing ones
and reads them with :func:`skdigit.read_idx`. Every file is accepted by the MD5
of its content (the uncompressed IDX bytes), computed while it is read, so the
official file is recognised whatever its container: the official ``.gz``, a
``.gz`` compressed again, or the raw file. A file whose IDX header promises
another size than the official content's is refused before its data are read.

Downloads are :mod:`skdigit._fetch`'s business, which knows no dataset: this
module tells it the file's name, the most bytes a mirror may send and how to
recognise the official content, and gives it the mirrors.

The errors are :class:`MNISTDataError` subclasses that carry what went wrong as
attributes (``problem``, ``path`` and more), so that an interface other than
Python can word its own remedy. This module knows nothing of estimators.
"""

import hashlib
import io
import numbers
import os
import re
import stat
import warnings
from typing import NamedTuple

import numpy as np
from sklearn.utils import Bunch

from ._idx import IdxFormatError, digest_content, idx_content_size, read_idx_digest
from ._image_shape import MNIST_SHAPE

__all__ = [
    "MNISTChecksumError",
    "MNISTDataError",
    "MNISTDownloadError",
    "MNISTFilesMissingError",
    "MNISTIdxLoader",
    "get_data_home",
]

DATA_HOME_ENV_VAR = "SKDIGIT_DATA"
DEFAULT_DATA_HOME = os.path.join("~", "skdigit_data")
# Seconds a mirror may keep silent, for MNISTIdxLoader and the skdigit command
# alike: an offline machine, or one behind a firewall that drops packets, falls
# back (or fails) within seconds rather than minutes.
DEFAULT_TIMEOUT = 10.0
# Longer waits are mistakes (and overflow the socket timers far beyond this).
MAX_TIMEOUT = 3600.0


class OfficialFile(NamedTuple):
    """What identifies one official MNIST file."""

    content_md5: str  # MD5 of the uncompressed IDX bytes: what acceptance rests on
    content_bytes: int
    gz_md5: str  # MD5 of the official .gz: a fast path for downloads only
    gz_bytes: int  # the most a mirror may send


# The one table of the official files, by official name. Tests replace entries to
# serve small synthetic files, so the code reads this table at call time.
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": OfficialFile(
        "6bbc9ace898e44ae57da46a324031adb",
        47_040_016,
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        9_912_422,
    ),
    "train-labels-idx1-ubyte.gz": OfficialFile(
        "a25bea736e30d166cdddb491f175f624",
        60_008,
        "d53e105ee54ea40749a09fcbcd1e9432",
        28_881,
    ),
    "t10k-images-idx3-ubyte.gz": OfficialFile(
        "2646ac647ad5339dbf082846283269ea",
        7_840_016,
        "9fb629c4189551a2d022fa330f9573f3",
        1_648_877,
    ),
    "t10k-labels-idx1-ubyte.gz": OfficialFile(
        "27ae3e4e09519cfbb04c329615203637",
        10_008,
        "ec29112dd5afa0611ce80d1b7f02629c",
        4_542,
    ),
}

# Tried in this order; yann.lecun.com, the original home, often refuses.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

_SUBSET_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_N_CLASSES = 10

_DESCR = """\
MNIST handwritten digits
------------------------

70,000 grey-scale images of handwritten digits, 28 x 28 pixels with values
0 (background) to 255 (ink), split into 60,000 training images ("train") and
10,000 test images ("test"), with their labels 0-9. Published by Yann LeCun,
Corinna Cortes and Christopher J.C. Burges as four IDX files.
"""


# -- errors ----------------------------------------------------------------------


class MNISTDataError(OSError):
    """Base class of the errors about the MNIST files and their download.

    ``str(error)`` is the full message, worded for Python users; the attributes
    say what is wrong without a remedy, so that another interface (such as the
    ``skdigit`` command) can word its own.

    Parameters
    ----------
    message : str
        The full message, remedy included.

    problem : str, default=None
        What is wrong, without a remedy. None means ``message``.

    path : str, default=None
        The file or folder concerned, if any.

    Attributes
    ----------
    problem : str
        What is wrong, without a remedy.

    path : str or None
        The file or folder concerned, if any.

    Examples
    --------
    >>> import tempfile
    >>> from skdigit import MNISTDataError, MNISTIdxLoader
    >>> try:
    ...     MNISTIdxLoader(data_home=tempfile.mkdtemp(), download=False).load()
    ... except MNISTDataError as error:
    ...     print(type(error).__name__, "missing from" in error.problem)
    MNISTFilesMissingError True
    """

    def __init__(self, message, problem=None, path=None):
        super().__init__(message)
        self.problem = message if problem is None else problem
        self.path = path

    def __reduce__(self):
        # Subclasses take other arguments than the message: rebuild from the
        # message and restore the attributes (for pickle, multiprocessing, joblib).
        return (_restore_error, (type(self), self.args), self.__dict__)


def _restore_error(cls, args):
    error = OSError.__new__(cls, *args)
    OSError.__init__(error, *args)
    return error


class MNISTChecksumError(MNISTDataError):
    """Raised when a file's content is not the official MNIST content.

    Files are checked by the MD5 of their uncompressed content, so the official
    file passes whether it is the official ``.gz``, compressed again or raw; a
    damaged or different file (a single changed byte) does not. A file whose
    IDX header promises another size than the official content's is refused
    before its data are read: then its MD5 is not known, and the error gives the
    two sizes instead.

    Parameters
    ----------
    name : str
        The official name of the file that was expected.

    path : str
        The file that was read.

    expected_md5, actual_md5 : str
        The official MD5 of the content, and the MD5 of the file's content
        (None when the file was refused by its size).

    remedy : str, default=None
        The end of the message; None means the remedy for a Python user.

    actual_bytes, expected_bytes : int, default=None
        The size of content the file's header promises, and the official one,
        when the file was refused by its size.

    Attributes
    ----------
    name, path, expected_md5, actual_md5 : str
        As given.

    actual_bytes, expected_bytes : int or None
        As given.

    problem : str
        What is wrong, without a remedy.

    Examples
    --------
    :meth:`MNISTIdxLoader.load` raises it; its parts are attributes:

    >>> from skdigit import MNISTChecksumError
    >>> error = MNISTChecksumError(
    ...     "t10k-labels-idx1-ubyte.gz",
    ...     "/data/t10k-labels.idx1-ubyte",
    ...     expected_md5="27ae3e4e09519cfbb04c329615203637",
    ...     actual_md5="d41d8cd98f00b204e9800998ecf8427e",
    ... )
    >>> error.path, error.actual_md5 == error.expected_md5
    ('/data/t10k-labels.idx1-ubyte', False)
    >>> print(error.problem)  # doctest: +NORMALIZE_WHITESPACE
    /data/t10k-labels.idx1-ubyte is damaged or is not the official
    t10k-labels-idx1-ubyte.gz: the MD5 of its uncompressed content is
    d41d8cd98f00b204e9800998ecf8427e, expected 27ae3e4e09519cfbb04c329615203637
    >>> str(error).endswith("or replace it with the official file.")
    True
    """

    def __init__(
        self,
        name,
        path,
        expected_md5,
        actual_md5,
        remedy=None,
        *,
        actual_bytes=None,
        expected_bytes=None,
    ):
        if actual_md5 is None:
            found = (
                f"its IDX header promises {actual_bytes} bytes of content, the "
                f"official file has {expected_bytes}"
            )
        else:
            found = (
                f"the MD5 of its uncompressed content is {actual_md5}, expected "
                f"{expected_md5}"
            )
        problem = f"{path} is damaged or is not the official {name}: {found}"
        if remedy is None:
            remedy = (
                "Delete it and call load() again with download=True to download "
                "the official file, or replace it with the official file."
            )
        super().__init__(f"{problem}. {remedy}", problem, path)
        self.name = name
        self.expected_md5 = expected_md5
        self.actual_md5 = actual_md5
        self.actual_bytes = actual_bytes
        self.expected_bytes = expected_bytes


class MNISTFilesMissingError(MNISTDataError, FileNotFoundError):
    """Raised when MNIST files are missing and downloading is off.

    It is a :class:`FileNotFoundError` too.

    Parameters
    ----------
    data_home : str
        The folder that was searched.

    missing : list of str
        The official names of the missing files.

    Attributes
    ----------
    data_home : str
        The folder that was searched (also ``path``).

    missing : list of str
        The official names of the missing files.

    problem : str
        What is wrong, without a remedy.

    Examples
    --------
    >>> import tempfile
    >>> from skdigit import MNISTFilesMissingError, MNISTIdxLoader
    >>> try:
    ...     MNISTIdxLoader(data_home=tempfile.mkdtemp(), download=False).load("test")
    ... except MNISTFilesMissingError as error:
    ...     print(error.missing)
    ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']
    """

    def __init__(self, data_home, missing):
        looked_for = "; ".join(
            f"{name} (or {', '.join(_other_names(name))})" for name in missing
        )
        problem = f"MNIST file(s) missing from {data_home}: {looked_for}"
        message = (
            f"{problem}. Use MNISTIdxLoader(download=True) to download them, or copy "
            "the files into that folder (or point data_home or "
            f"${DATA_HOME_ENV_VAR} at the folder that holds them)."
        )
        super().__init__(message, problem, data_home)
        self.data_home = data_home
        self.missing = list(missing)


class MNISTDownloadError(MNISTDataError):
    """Raised when an MNIST file could not be downloaded from any mirror.

    The message lists each mirror and what it answered, then how to put the
    files in place by hand. It is an :class:`OSError`.

    Parameters
    ----------
    name : str
        The official name of the file.

    failures : list of (str, str)
        Each URL tried and what went wrong with it.

    data_home : str
        The folder the file was to be saved in.

    Attributes
    ----------
    name : str
        The official name of the file.

    failures : list of (str, str)
        Each URL tried and what went wrong with it, in order.

    data_home : str
        The folder the file was to be saved in; ``path`` is the file's path.

    problem : str
        What is wrong (the list of failures), without a remedy.

    Examples
    --------
    >>> import tempfile
    >>> from skdigit import MNISTDownloadError, MNISTIdxLoader
    >>> loader = MNISTIdxLoader(
    ...     data_home=tempfile.mkdtemp(), mirrors=["http://127.0.0.1:9/"], timeout=1
    ... )
    >>> try:
    ...     loader.load("test")
    ... except MNISTDownloadError as error:
    ...     print(error.failures[0][0])
    http://127.0.0.1:9/t10k-images-idx3-ubyte.gz
    """

    def __init__(self, name, failures, data_home):
        lines = [f"Could not download {name} from any mirror:"]
        lines += [f"  - {url}: {answer}" for url, answer in failures]
        problem = "\n".join(lines)
        remedy = (
            "Nothing was saved. To fix this by hand, download the four MNIST files "
            f"({', '.join(MNIST_FILES)}) and put them in {data_home}."
        )
        super().__init__(f"{problem}\n{remedy}", problem, os.path.join(data_home, name))
        self.name = name
        self.failures = list(failures)
        self.data_home = data_home


# -- the data folder -------------------------------------------------------------


def get_data_home(data_home=None):
    """Return the folder that holds the MNIST files, creating it if needed.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder. None means the ``SKDIGIT_DATA`` environment variable when
        it is set, else ``~/skdigit_data``. A leading ``~`` is expanded.

    Returns
    -------
    data_home : str
        The path of the folder, which exists.

    Raises
    ------
    NotADirectoryError
        If the path is a file.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigit import get_data_home
    >>> folder = get_data_home(os.path.join(tempfile.mkdtemp(), "mnist"))
    >>> os.path.isdir(folder)
    True
    """
    data_home = _resolve_data_home(data_home)
    os.makedirs(data_home, exist_ok=True)
    return data_home


def _resolve_data_home(data_home):
    """The data folder's path, without creating it; refuse a file."""
    if data_home is not None:
        where = "data_home"
    elif os.environ.get(DATA_HOME_ENV_VAR):
        data_home, where = os.environ[DATA_HOME_ENV_VAR], f"${DATA_HOME_ENV_VAR}"
    else:
        data_home, where = DEFAULT_DATA_HOME, "the default data folder"
    path = os.path.expanduser(os.fspath(data_home))
    if os.path.exists(path) and not os.path.isdir(path):
        raise NotADirectoryError(
            f"{where} must be a folder, but {path} is a file: point data_home (or "
            f"${DATA_HOME_ENV_VAR}) at the folder that holds the MNIST files, or at "
            "a new folder to download them into"
        )
    return path


# Not a scikit-learn estimator: it learns nothing and has no fit. Like an
# estimator it only stores its settings when made, checks them when used, and
# shows the ones that differ from the defaults in its repr.
class MNISTIdxLoader:
    """Load the MNIST digits, downloading the files when they are missing.

    The loader looks in ``data_home`` for each file under its official name
    (``train-images-idx3-ubyte.gz``), then without ``.gz``, then under the
    names unzip tools give (``train-images.idx3-ubyte``, with or without
    ``.gz``). Whatever its name and compression, a file is accepted only when
    the MD5 of its uncompressed content is the official one; the MD5 is
    computed while the file is read, at little extra cost.

    Missing files, and files whose content is not the official one, are
    downloaded when ``download=True``: mirror after mirror, each within a
    deadline and never beyond the official file's size, verified in memory and
    only then saved (with the usual permissions), so no partial or unverified
    file is ever left in ``data_home``.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding the files. None means ``$SKDIGIT_DATA`` when set, else
        ``~/skdigit_data``. Created when a downloaded file is saved there;
        reading never creates it.

    download : bool, default=True
        Whether to download missing or wrong files. With False, a missing or
        wrong file raises an error that says how to fix it.

    mirrors : list of str, default=None
        Base URLs to try in order; each file is fetched from ``mirror + name``.
        None means the official mirrors, in this order:
        https://ossci-datasets.s3.amazonaws.com/mnist/,
        https://storage.googleapis.com/cvdf-datasets/mnist/,
        http://yann.lecun.com/exdb/mnist/.

    timeout : float, default=10.0
        Seconds to wait for a mirror to connect, to answer, or to send more
        data, before trying the next one, so an offline machine fails fast; at
        most 3600. The whole exchange with a mirror (connecting, its answer,
        any redirects, the file) must also end within ``timeout`` seconds plus
        one second per 50 kB of the official file: a mirror that trickles is
        abandoned at that deadline. The ``skdigit`` command's ``--timeout`` has
        the same default.

    verbose : int, default=0
        With 1 or more, print ``downloading NAME from MIRROR`` before each
        download from a mirror.

    See Also
    --------
    read_idx : Read one IDX file.

    Examples
    --------
    Without the files and with downloads off, the error says what is missing:

    >>> import tempfile
    >>> from skdigit import MNISTFilesMissingError, MNISTIdxLoader
    >>> loader = MNISTIdxLoader(data_home=tempfile.mkdtemp(), download=False)
    >>> loader
    MNISTIdxLoader(data_home=..., download=False)
    >>> try:
    ...     loader.load("test")
    ... except MNISTFilesMissingError as error:
    ...     print(error.missing)
    ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']

    With the official files in ``data_home`` (or downloaded there):

    >>> X, y = MNISTIdxLoader().load("test")  # doctest: +SKIP
    >>> X.shape, X.dtype, y.shape  # doctest: +SKIP
    ((10000, 784), dtype('uint8'), (10000,))
    """

    def __init__(
        self,
        *,
        data_home=None,
        download=True,
        mirrors=None,
        timeout=DEFAULT_TIMEOUT,
        verbose=0,
    ):
        self.data_home = data_home
        self.download = download
        self.mirrors = mirrors
        self.timeout = timeout
        self.verbose = verbose

    def __repr__(self):
        defaults = type(self)().__dict__
        changed = [
            f"{name}={value!r}"
            for name, value in vars(self).items()
            if name in defaults and not _same(value, defaults[name])
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def load(self, subset="train", *, return_X_y=True, as_images=False):
        """Load the training or the test set.

        Parameters
        ----------
        subset : {"train", "test"}, default="train"
            "train" is the 60,000 training images, "test" the 10,000 test
            images (the ``t10k`` files).

        return_X_y : bool, default=True
            If True, return ``(X, y)``; if False, a :class:`~sklearn.utils.Bunch`.

        as_images : bool, default=False
            If True, ``X`` keeps the images as ``(n_samples, 28, 28)`` instead
            of flattening them to ``(n_samples, 784)``.

        Returns
        -------
        X : ndarray of shape (n_samples, 784) or (n_samples, 28, 28), dtype uint8
            Pixel values 0-255, row by row.

        y : ndarray of shape (n_samples,), dtype uint8
            The digits 0-9.

        bunch : :class:`~sklearn.utils.Bunch`
            Returned instead of ``(X, y)`` when ``return_X_y=False``, with
            ``data`` (``X``), ``target`` (``y``), ``images`` (always
            ``(n_samples, 28, 28)``, a view of ``data``), ``target_names``,
            ``feature_names`` (the 784 columns of the flattened images),
            ``filenames`` (the files read) and ``DESCR``.

        Raises
        ------
        MNISTFilesMissingError
            If a file is missing and ``download=False`` (a
            :class:`FileNotFoundError`).

        MNISTChecksumError
            If a file's content is not the official one and ``download=False``,
            or it could not be downloaded again.

        MNISTDownloadError
            If a missing file could not be downloaded from any mirror.

        PermissionError
            If a file exists but cannot be read.

        NotADirectoryError
            If ``data_home`` is a file.

        IdxFormatError
            If a file is not an IDX file at all (a :class:`ValueError`), and
            ``download=False`` or it could not be downloaded again.

        Examples
        --------
        A file that is not the official one is refused, whatever its name:

        >>> import os, tempfile
        >>> import numpy as np
        >>> from skdigit import MNISTChecksumError, MNISTIdxLoader, write_idx
        >>> folder = tempfile.mkdtemp()
        >>> images = np.zeros((3, 28, 28), dtype=np.uint8)
        >>> write_idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz"), images)
        >>> labels = np.array([7, 2, 1], dtype=np.uint8)
        >>> write_idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"), labels)
        >>> loader = MNISTIdxLoader(data_home=folder, download=False)
        >>> try:
        ...     loader.load("test")
        ... except MNISTChecksumError as error:
        ...     print(error.actual_md5 != error.expected_md5)
        True

        With the official files:

        >>> X, y = MNISTIdxLoader().load("test")  # doctest: +SKIP
        >>> X.shape, y[:3].tolist()  # doctest: +SKIP
        ((10000, 784), [7, 2, 1])
        """
        self._check_settings()
        subset = _check_subset(subset)
        data_home = _resolve_data_home(self.data_home)
        names = _SUBSET_FILES[subset]
        found = {name: _find(name, data_home) for name in names}
        missing = [name for name, path in found.items() if path is None]
        if missing and not self.download:
            raise MNISTFilesMissingError(data_home, missing)
        # One file after the other: downloaded if missing, read, verified.
        arrays = {}
        for name in names:
            if found[name] is None:
                found[name] = self._download(name, data_home)
            found[name], arrays[name] = self._read_official(name, found[name])

        images_name, labels_name = names
        images, labels = arrays[images_name], arrays[labels_name]
        X = images if as_images else images.reshape(len(images), -1)
        if return_X_y:
            return X, labels
        return Bunch(
            data=X,
            target=labels,
            images=images,
            target_names=np.arange(_N_CLASSES),
            feature_names=[
                f"pixel_{row}_{col}"
                for row in range(MNIST_SHAPE[0])
                for col in range(MNIST_SHAPE[1])
            ],
            filenames={"images": found[images_name], "labels": found[labels_name]},
            DESCR=_DESCR,
        )

    def _check_settings(self):
        """Refuse settings that cannot work, naming the parameter."""
        _check_type(
            "data_home", self.data_home, (str, os.PathLike, type(None)), "a folder"
        )
        _check_type("download", self.download, (bool, np.bool_), "True or False")
        _check_type(
            "mirrors", self.mirrors, (list, tuple, type(None)), "a list of URLs"
        )
        _check_mirrors(self.mirrors)
        _check_timeout(self.timeout)
        _check_type("verbose", self.verbose, numbers.Integral, "an integer")
        if self.verbose < 0:
            raise ValueError(
                f"The 'verbose' parameter of MNISTIdxLoader must be 0 or more, got "
                f"{self.verbose!r}"
            )

    def _read_official(self, name, path):
        """Return ``(path, array)`` of the official content, downloading if asked."""
        try:
            return path, _read_verified(name, path)
        except (MNISTChecksumError, IdxFormatError) as error:
            if not self.download:
                raise
            wrong = error
        problem = getattr(wrong, "problem", str(wrong))
        warnings.warn(
            f"{problem}: downloading the official file", UserWarning, stacklevel=3
        )
        data_home = os.path.dirname(path)
        try:
            path = self._download(name, data_home)
        except MNISTDownloadError as failure:
            # A wrong file is not a missing one: say so, never fall back quietly.
            raise _could_not_replace(wrong, failure) from failure
        return path, _read_verified(name, path)

    def _download(self, name, data_home):
        mirrors = MNIST_MIRRORS if self.mirrors is None else self.mirrors
        return _download(name, data_home, mirrors, self.timeout, self.verbose)


def _check_subset(subset):
    if not isinstance(subset, str) or subset not in _SUBSET_FILES:
        raise ValueError(
            f'subset must be "train" or "test", got {subset!r} '
            '(the MNIST test set is the "t10k" files: use subset="test")'
        )
    return subset


def _check_mirrors(mirrors):
    if mirrors is None:
        return
    if not mirrors:
        raise ValueError(
            "mirrors is empty: give at least one base URL, or None for the "
            "official mirrors"
        )
    for mirror in mirrors:
        if not isinstance(mirror, str) or not mirror.startswith(
            ("http://", "https://")
        ):
            raise ValueError(
                "mirrors must hold base URLs starting with http:// or https:// "
                f"(such as {MNIST_MIRRORS[0]!r}), got {mirror!r}"
            )


def _check_type(name, value, types, what):
    if not isinstance(value, types):
        raise TypeError(
            f"The '{name}' parameter of MNISTIdxLoader must be {what}, got "
            f"{value!r} ({type(value).__name__})"
        )


def _check_timeout(timeout):
    # bool is a Real to Python, but timeout=True is a mistake.
    if isinstance(timeout, (bool, np.bool_)):
        raise TypeError(f"timeout must be a number of seconds, got {timeout!r}")
    _check_type("timeout", timeout, numbers.Real, "a number of seconds")
    if not 0 < timeout <= MAX_TIMEOUT:
        raise ValueError(
            f"The 'timeout' parameter of MNISTIdxLoader must be more than 0 and at "
            f"most {MAX_TIMEOUT:g} seconds, got {timeout!r}"
        )


def _same(value, default):
    return value is default or (type(value) is type(default) and value == default)


def _other_names(name):
    """Names this file may have besides the official ``.gz`` one, in order."""
    raw = name.removesuffix(".gz")
    # Unzip tools turn "train-images-idx3-ubyte" into "train-images.idx3-ubyte".
    renamed = re.sub(r"-(idx\d-ubyte)$", r".\1", raw)
    return [raw, renamed, renamed + ".gz"]


def _find(name, data_home):
    """The first of the file's possible paths that is a file, or None."""
    for candidate in (name, *_other_names(name)):
        path = os.path.join(data_home, candidate)
        if _is_file(path):
            return path
    return None


def _is_file(path):
    # Unlike os.path.isfile, a folder that cannot be searched is an error, not
    # a missing file.
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def _read_verified(name, path):
    """Read ``path``; return its array if its content is the official ``name``.

    The header is read first: a file promising more (or less) content than the
    official one is refused before its data are read, so a small gzip that
    inflates to gigabytes costs nothing.
    """
    official = MNIST_FILES[name]
    digest = hashlib.md5(usedforsecurity=False)
    try:
        promised = idx_content_size(path)
        if promised != official.content_bytes:
            raise MNISTChecksumError(
                name,
                path,
                official.content_md5,
                None,
                actual_bytes=promised,
                expected_bytes=official.content_bytes,
            )
        array = read_idx_digest(path, digest)
    except PermissionError as error:
        raise PermissionError(
            error.errno,
            f"{error.strerror}: the MNIST file exists but cannot be read; make it "
            "readable (for example with chmod a+r) or remove it",
            path,
        ) from error
    if digest.hexdigest() != official.content_md5:
        raise MNISTChecksumError(name, path, official.content_md5, digest.hexdigest())
    return array


def _could_not_replace(wrong, failure):
    """The error for a wrong file whose official version could not be had."""
    remedy = f"Downloading the official file failed:\n{failure}"
    if isinstance(wrong, MNISTChecksumError):
        return MNISTChecksumError(
            wrong.name,
            wrong.path,
            wrong.expected_md5,
            wrong.actual_md5,
            remedy,
            actual_bytes=wrong.actual_bytes,
            expected_bytes=wrong.expected_bytes,
        )
    return IdxFormatError(f"{wrong}. {remedy}")


# -- downloads -------------------------------------------------------------------


def _download(name, data_home, mirrors, timeout, verbose):
    """Fetch the official ``name`` into ``data_home`` from the first mirror that
    serves it; return its path. Nothing is saved unless it is the official file.
    """
    # Imported here so that ``import skdigit`` does not load urllib.
    from ._fetch import FetchError, RemoteFile, fetch_file

    official = MNIST_FILES[name]
    remote = RemoteFile(
        name, official.gz_bytes, lambda data: _wrong_download(data, official)
    )
    try:
        return fetch_file(remote, mirrors, data_home, timeout=timeout, verbose=verbose)
    except FetchError as error:
        raise MNISTDownloadError(name, error.failures, data_home) from None


def _wrong_download(data, official):
    """None for the official file (its .gz, or its content in any container);
    else why the download is refused."""
    actual = hashlib.md5(data, usedforsecurity=False).hexdigest()
    if actual == official.gz_md5:
        return None
    digest = hashlib.md5(usedforsecurity=False)
    try:
        n_bytes = digest_content(
            io.BytesIO(data), digest, limit=official.content_bytes, name="download"
        )
    except IdxFormatError:
        n_bytes = None
    if n_bytes == official.content_bytes and digest.hexdigest() == official.content_md5:
        return None
    return (
        f"served a file with the wrong checksum (md5 {actual}, expected "
        f"{official.gz_md5}, and its content is not the official one either): "
        "corrupt or not the official file"
    )
