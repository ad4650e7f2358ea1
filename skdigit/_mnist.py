"""The MNIST files: names, checksums, mirrors, the data folder and downloads.

:class:`MNISTIdxLoader` finds the four MNIST files in a data folder (under the
official names or the names unzip tools give them), downloads the missing ones
with pooch (checksum-verified, atomic, mirror after mirror) and reads them with
:func:`skdigit.read_idx`. This module knows nothing of estimators.
"""

import hashlib
import importlib.util
import numbers
import os
import re
import sys
import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval

from ._idx import read_idx

__all__ = ["MNISTDownloadError", "MNISTIdxLoader", "get_data_home"]

DATA_HOME_ENV_VAR = "SKDIGIT_DATA"
DEFAULT_DATA_HOME = os.path.join("~", "skdigit_data")

# Official file name -> MD5 of the official gzip file. Tests replace entries to
# serve small synthetic files, so the code reads this table at call time.
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
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
_IMAGE_SHAPE = (28, 28)
_N_CLASSES = 10

_DESCR = """\
MNIST handwritten digits
------------------------

70,000 grey-scale images of handwritten digits, 28 x 28 pixels with values
0 (background) to 255 (ink), split into 60,000 training images ("train") and
10,000 test images ("test"), with their labels 0-9. Published by Yann LeCun,
Corinna Cortes and Christopher J.C. Burges as four IDX files.
"""


class MNISTDownloadError(OSError):
    """Raised when an MNIST file could not be downloaded from any mirror.

    The message lists each mirror and what it answered, then how to put the
    files in place by hand. It is an :class:`OSError`.

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
    ...     print("http://127.0.0.1:9/t10k-images-idx3-ubyte.gz" in str(error))
    True
    """


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
    """The data folder's path, without creating it."""
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV_VAR) or DEFAULT_DATA_HOME
    return os.path.expanduser(os.fspath(data_home))


# BaseEstimator supplies get_params, set_params, clone support and the concise
# repr from the __init__ signature, so the loader is configured exactly like the
# estimators it feeds; it has no fit and holds no state besides its settings.
class MNISTIdxLoader(BaseEstimator):
    """Load the MNIST digits, downloading the files when they are missing.

    The loader looks in ``data_home`` for each file under its official name
    (``train-images-idx3-ubyte.gz``), then without ``.gz``, then under the
    names unzip tools give (``train-images.idx3-ubyte``, with or without
    ``.gz``). An official ``.gz`` file must have the official MD5; the others
    have no official checksum and are checked for structure (IDX header,
    28 x 28 images, labels 0-9, as many labels as images).

    Missing files, and official ``.gz`` files whose checksum is wrong, are
    downloaded with pooch when ``download=True``: mirror after mirror, into a
    temporary file that replaces the target only once its MD5 matches, so no
    partial or unverified file is ever left in ``data_home``.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding the files. None means ``$SKDIGIT_DATA`` when set, else
        ``~/skdigit_data``. Created if needed.

    download : bool, default=True
        Whether to download missing or corrupt files. With False, a missing or
        corrupt file raises an error that says how to fix it.

    mirrors : list of str, default=None
        Base URLs to try in order; each file is fetched from ``mirror + name``.
        None means the official mirrors, in this order:
        https://ossci-datasets.s3.amazonaws.com/mnist/,
        https://storage.googleapis.com/cvdf-datasets/mnist/,
        http://yann.lecun.com/exdb/mnist/.

    timeout : float, default=30.0
        Seconds to wait for a mirror to accept the connection or to send more
        data before trying the next one, so an offline machine fails fast.

    See Also
    --------
    read_idx : Read one IDX file.

    Examples
    --------
    Two small files under the raw (uncompressed) names are enough here; real
    use finds or downloads the official files.

    >>> import os, tempfile
    >>> import numpy as np
    >>> from skdigit import MNISTIdxLoader, write_idx
    >>> folder = tempfile.mkdtemp()
    >>> images = np.zeros((5, 28, 28), dtype=np.uint8)
    >>> write_idx(os.path.join(folder, "t10k-images-idx3-ubyte"), images)
    >>> labels = np.array([7, 2, 1, 0, 4], dtype=np.uint8)
    >>> write_idx(os.path.join(folder, "t10k-labels-idx1-ubyte"), labels)
    >>> loader = MNISTIdxLoader(data_home=folder, download=False)
    >>> X, y = loader.load("test")
    >>> X.shape, X.dtype, y
    ((5, 784), dtype('uint8'), array([7, 2, 1, 0, 4], dtype=uint8))
    >>> loader.load("test", as_images=True)[0].shape
    (5, 28, 28)
    """

    _parameter_constraints: dict = {
        "data_home": [None, str, os.PathLike],
        "download": ["boolean"],
        "mirrors": [None, list, tuple],
        "timeout": [Interval(numbers.Real, 0, None, closed="neither")],
    }

    def __init__(self, *, data_home=None, download=True, mirrors=None, timeout=30.0):
        self.data_home = data_home
        self.download = download
        self.mirrors = mirrors
        self.timeout = timeout

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
        FileNotFoundError
            If a file is missing and ``download=False``.

        MNISTDownloadError
            If a file could not be downloaded from any mirror (an ``OSError``).

        ValueError
            If a file is corrupt: wrong checksum with ``download=False``, not an
            IDX file (:class:`~skdigit.IdxFormatError`), wrong shape or labels,
            or image and label counts that disagree.

        Examples
        --------
        Uncompressed files have no official checksum, so three blank test images
        make a small offline example:

        >>> import os, tempfile
        >>> import numpy as np
        >>> from skdigit import MNISTIdxLoader, write_idx
        >>> folder = tempfile.mkdtemp()
        >>> images = np.zeros((3, 28, 28), dtype=np.uint8)
        >>> write_idx(os.path.join(folder, "t10k-images-idx3-ubyte"), images)
        >>> labels = np.array([7, 2, 1], dtype=np.uint8)
        >>> write_idx(os.path.join(folder, "t10k-labels-idx1-ubyte"), labels)
        >>> X, y = MNISTIdxLoader(data_home=folder, download=False).load("test")
        >>> X.shape, y.tolist()
        ((3, 784), [7, 2, 1])
        """
        self._validate_params()
        subset = _check_subset(subset)
        # Only a download needs the folder; reading must not create a mistyped one.
        if self.download:
            data_home = get_data_home(self.data_home)
        else:
            data_home = _resolve_data_home(self.data_home)
        images_name, labels_name = _SUBSET_FILES[subset]
        found = {}
        for name in _SUBSET_FILES[subset]:
            found[name] = self._find(name, data_home)
        missing = [name for name, path in found.items() if path is None]
        _raise_if_missing(missing, data_home)

        images = read_idx(found[images_name])
        labels = read_idx(found[labels_name])
        _check_images(images, found[images_name])
        _check_labels(labels, found[labels_name])
        _check_counts(images, labels, found[images_name], found[labels_name])

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
                for row in range(_IMAGE_SHAPE[0])
                for col in range(_IMAGE_SHAPE[1])
            ],
            filenames={"images": found[images_name], "labels": found[labels_name]},
            DESCR=_DESCR,
        )

    def _validate_params(self):
        super()._validate_params()
        # What the constraints cannot say: usable URLs, and no bool for a timeout.
        _check_mirrors(self.mirrors)
        _check_timeout(self.timeout)

    def _find(self, name, data_home):
        """Path of the file to read for ``name``, or None when it is missing."""
        official = os.path.join(data_home, name)
        if os.path.isfile(official):
            expected, actual = MNIST_MD5[name], _md5(official)
            if actual == expected:
                return official
            if not self.download:
                raise ValueError(
                    f"{official} is corrupt: its MD5 is {actual}, expected "
                    f"{expected}. Delete it and copy the official file there, or "
                    "use download=True to download it again."
                )
            warnings.warn(
                f"{official} has MD5 {actual} instead of {expected}: downloading it "
                "again",
                UserWarning,
                stacklevel=3,
            )
            try:
                return self._download(name, data_home)
            except MNISTDownloadError as error:
                # A corrupt file is not a missing one: say so, do not fall back.
                raise ValueError(
                    f"{official} is corrupt (MD5 {actual}, expected {expected}) and "
                    f"could not be downloaded again: {error}"
                ) from error
        for candidate in _other_names(name):
            path = os.path.join(data_home, candidate)
            if os.path.isfile(path):
                return path
        return self._download(name, data_home) if self.download else None

    def _download(self, name, data_home):
        mirrors = MNIST_MIRRORS if self.mirrors is None else self.mirrors
        return _download(name, data_home, mirrors, self.timeout)


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


def _check_timeout(timeout):
    # bool is a Real to Python and to the constraint, but timeout=True is a mistake.
    if isinstance(timeout, (bool, np.bool_)):
        raise TypeError(f"timeout must be a number of seconds, got {timeout!r}")


def _other_names(name):
    """Names this file may have besides the official ``.gz`` one, in order."""
    raw = name.removesuffix(".gz")
    # Unzip tools turn "train-images-idx3-ubyte" into "train-images.idx3-ubyte".
    renamed = re.sub(r"-(idx\d-ubyte)$", r".\1", raw)
    return [raw, renamed, renamed + ".gz"]


def _md5(path):
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _raise_if_missing(missing, data_home):
    if not missing:
        return
    looked_for = "; ".join(
        f"{name} (or {', '.join(_other_names(name))})" for name in missing
    )
    raise FileNotFoundError(
        f"MNIST file(s) missing from {data_home}: {looked_for}. Use "
        "MNISTIdxLoader(download=True) to download them, or copy the files into "
        f"that folder (or point data_home or ${DATA_HOME_ENV_VAR} at the folder "
        "that holds them)."
    )


def _check_images(images, path):
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != _IMAGE_SHAPE:
        raise ValueError(
            f"{path}: expected MNIST images, uint8 of shape (n, 28, 28), got "
            f"{images.dtype} of shape {images.shape}"
        )


def _check_labels(labels, path):
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(
            f"{path}: expected MNIST labels, uint8 of shape (n,), got "
            f"{labels.dtype} of shape {labels.shape}"
        )
    if labels.size and labels.max() >= _N_CLASSES:
        raise ValueError(
            f"{path}: MNIST labels are digits 0-9, found {int(labels.max())}"
        )


def _check_counts(images, labels, images_path, labels_path):
    if len(images) != len(labels):
        raise ValueError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels: the files do not belong together"
        )


# -- downloads -------------------------------------------------------------------


def _download(name, data_home, mirrors, timeout):
    """Fetch ``name`` into ``data_home`` from the first mirror that serves it.

    pooch downloads into a temporary file in ``data_home`` and moves it into
    place only when its MD5 matches, deleting it otherwise; a failure therefore
    leaves ``data_home`` as it was.
    """
    # Imported here so that ``import skdigit`` stays light.
    import pooch
    import requests

    downloader = pooch.HTTPDownloader(
        progressbar=_want_progressbar(), timeout=timeout, chunk_size=1 << 16
    )
    expected = MNIST_MD5[name]
    failures = []
    # pooch logs a "Downloading data from ..." line per attempt; the progress bar
    # (interactive) or the final error (all mirrors failed) says what matters.
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            try:
                return pooch.retrieve(
                    url,
                    known_hash=f"md5:{expected}",
                    fname=name,
                    path=data_home,
                    downloader=downloader,
                )
            except (requests.exceptions.RequestException, ValueError) as exc:
                failures.append((url, _what_it_answered(exc, timeout, expected)))
    finally:
        logger.setLevel(level)
    raise MNISTDownloadError(_all_mirrors_failed(name, failures, data_home))


def _want_progressbar():
    # A progress bar only helps a person watching a terminal, and needs tqdm.
    stderr = sys.stderr
    return (
        stderr is not None
        and stderr.isatty()
        and importlib.util.find_spec("tqdm") is not None
    )


def _what_it_answered(exc, timeout, expected_md5):
    """One line saying how a mirror failed, for the final error message."""
    import requests

    if isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code} {exc.response.reason}"
    if isinstance(exc, requests.exceptions.Timeout):
        return f"no answer within {timeout} s (timeout)"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the transfer broke off before the whole file arrived (truncated)"
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
        return f"cannot connect: {reason.group(1) if reason else exc}"
    if isinstance(exc, ValueError):
        got = re.search(r"but got ([0-9a-fA-F]+)", str(exc))
        actual = f"md5 {got.group(1)}" if got else "a different md5"
        return (
            f"served a file with the wrong checksum ({actual}, expected "
            f"{expected_md5}): corrupt or not the official file"
        )
    return f"{type(exc).__name__}: {exc}"


def _all_mirrors_failed(name, failures, data_home):
    lines = [f"Could not download {name} from any mirror:"]
    lines += [f"  - {url}: {answer}" for url, answer in failures]
    lines += [
        "Nothing was saved. To fix this by hand, download the four MNIST files "
        f"({', '.join(MNIST_MD5)}) and put them in {data_home}.",
    ]
    return "\n".join(lines)
