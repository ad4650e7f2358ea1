"""Tests for the MNIST loader and downloads (skdigit/_mnist.py).

Downloads go to a real HTTP server on 127.0.0.1 (the ``http_mirror`` fixture of
conftest.py); no test touches the internet. Small synthetic files stand in for
MNIST by being made "official": the ``official`` fixture puts their checksums
and sizes in the table of official files for the duration of a test.
"""

import errno
import gzip
import hashlib
import os
import pickle
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.utils import Bunch

import skdigit
from skdigit import (
    IdxFormatError,
    MNISTChecksumError,
    MNISTDataError,
    MNISTDownloadError,
    MNISTFilesMissingError,
    MNISTIdxLoader,
    _mnist,
    get_data_home,
    write_idx,
)

TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
T10K_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
N_SYNTHETIC = 12
REPO_ROOT = Path(__file__).resolve().parents[1]


def md5_hex(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def md5_of(path):
    return md5_hex(path.read_bytes())


def files_in(folder):
    """Every entry of ``folder``, hidden temporary files included."""
    return sorted(os.listdir(folder))


def synthetic_arrays():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(N_SYNTHETIC, 28, 28), dtype=np.uint8)
    labels = (np.arange(N_SYNTHETIC) % 10).astype(np.uint8)
    return images, labels


def write_test_set(folder, images_name=TEST_FILES[0], labels_name=TEST_FILES[1]):
    """Write small valid t10k files; return (images, labels)."""
    images, labels = synthetic_arrays()
    write_idx(folder / images_name, images)
    write_idx(folder / labels_name, labels)
    return images, labels


def content_of(path):
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def official_entry(path):
    """The table entry that makes the IDX file at ``path`` an official one."""
    data, content = path.read_bytes(), content_of(path)
    return _mnist.OfficialFile(md5_hex(content), len(content), md5_hex(data), len(data))


@pytest.fixture
def official(monkeypatch, tmp_path_factory):
    """Make the synthetic t10k files official; return their (images, labels)."""
    folder = tmp_path_factory.mktemp("official")
    images, labels = write_test_set(folder)
    for name in TEST_FILES:
        monkeypatch.setitem(_mnist.MNIST_FILES, name, official_entry(folder / name))
    return images, labels


@pytest.fixture
def synthetic(http_mirror, official):
    """The official synthetic t10k files, served by the mirror."""
    write_test_set(http_mirror.folder)
    return official


@pytest.fixture
def closed_port_url():
    """A loopback URL nothing listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


# -- data home -------------------------------------------------------------------


def test_get_data_home_creates_the_given_folder(tmp_path):
    folder = tmp_path / "a" / "b"
    assert get_data_home(folder) == str(folder)
    assert folder.is_dir()


def test_get_data_home_reads_environment_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SKDIGIT_DATA", str(tmp_path / "from-env"))
    assert get_data_home() == str(tmp_path / "from-env")

    monkeypatch.delenv("SKDIGIT_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home() == str(tmp_path / "skdigit_data")
    assert (tmp_path / "skdigit_data").is_dir()


@pytest.mark.parametrize("download", [True, False])
def test_data_home_that_is_a_file_is_named(tmp_path, download):
    not_a_folder = tmp_path / "mnist.tar"
    not_a_folder.write_bytes(b"an archive")
    loader = MNISTIdxLoader(data_home=not_a_folder, download=download)

    with pytest.raises(NotADirectoryError) as error:
        loader.load("test")

    message = str(error.value)
    assert message.startswith(f"data_home must be a folder, but {not_a_folder} is a")
    assert "point data_home" in message
    assert not_a_folder.read_bytes() == b"an archive"


def test_data_home_from_the_environment_that_is_a_file(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "file"
    not_a_folder.touch()
    monkeypatch.setenv("SKDIGIT_DATA", str(not_a_folder))
    with pytest.raises(NotADirectoryError, match=r"^\$SKDIGIT_DATA must be a folder"):
        get_data_home()
    with pytest.raises(NotADirectoryError, match=str(not_a_folder)):
        MNISTIdxLoader(download=False).load("test")


# -- parameters ------------------------------------------------------------------


def test_loader_is_a_plain_class_that_holds_its_settings():
    """Issue 20: not a BaseEstimator without fit; settings stored as given."""
    loader = MNISTIdxLoader(download=False, timeout=5)
    assert not isinstance(loader, BaseEstimator)
    assert not hasattr(loader, "fit") and not hasattr(loader, "get_params")
    assert vars(loader) == {
        "data_home": None,
        "download": False,
        "mirrors": None,
        "timeout": 5,
        "verbose": 0,
    }
    assert repr(loader) == "MNISTIdxLoader(download=False, timeout=5)"
    assert repr(MNISTIdxLoader()) == "MNISTIdxLoader()"
    loader.timeout = 2.5
    assert repr(loader) == "MNISTIdxLoader(download=False, timeout=2.5)"


def test_python_and_command_wait_as_long_for_a_mirror():
    from skdigit.cli import build_parser

    args = build_parser().parse_args(["train"])
    assert MNISTIdxLoader().timeout == args.timeout == _mnist.DEFAULT_TIMEOUT


def test_loader_init_takes_keywords_only():
    with pytest.raises(TypeError):
        MNISTIdxLoader("/tmp")


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"data_home": 3}, TypeError, "'data_home' parameter"),
        ({"download": "yes"}, TypeError, "'download' parameter"),
        ({"mirrors": "http://a/"}, TypeError, "'mirrors' parameter"),
        ({"mirrors": []}, ValueError, "mirrors is empty"),
        ({"mirrors": ["ftp://a/"]}, ValueError, "http:// or https://"),
        ({"timeout": "30"}, TypeError, "'timeout' parameter"),
        ({"timeout": True}, TypeError, "timeout must be a number of seconds"),
        ({"timeout": 0}, ValueError, "'timeout' parameter"),
        ({"timeout": float("inf")}, ValueError, "'timeout' parameter"),
        ({"timeout": 1e10}, ValueError, "at most 3600 seconds"),
        ({"timeout": float("nan")}, ValueError, "'timeout' parameter"),
        ({"verbose": "yes"}, TypeError, "'verbose' parameter"),
        ({"verbose": -1}, ValueError, "'verbose' parameter"),
    ],
)
def test_invalid_parameters_are_named(
    tmp_path, params, error, message, closed_port_url
):
    settings = {"data_home": tmp_path, "mirrors": [closed_port_url], **params}
    loader = MNISTIdxLoader(**settings)
    with pytest.raises(error, match=message):
        loader.load("test")


@pytest.mark.parametrize("subset", ["t10k", "TRAIN", None, ["test"]])
def test_invalid_subset(tmp_path, subset):
    with pytest.raises(ValueError, match='subset must be "train" or "test"'):
        MNISTIdxLoader(data_home=tmp_path, download=False).load(subset)


# -- finding and reading files ---------------------------------------------------


def test_loads_official_files(tmp_path, official):
    images, labels = official
    write_test_set(tmp_path)

    X, y = MNISTIdxLoader(data_home=tmp_path, download=False).load("test")

    assert X.shape == (N_SYNTHETIC, 784)
    assert X.dtype == np.uint8
    assert y.dtype == np.uint8
    np.testing.assert_array_equal(X, images.reshape(N_SYNTHETIC, 784))
    np.testing.assert_array_equal(y, labels)


def recompress(path):
    """Gzip the content of ``path`` again, so its .gz MD5 is no longer official."""
    path.write_bytes(gzip.compress(content_of(path), compresslevel=1, mtime=1))


@pytest.mark.parametrize(
    ("images_name", "labels_name"),
    [
        ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
        ("t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte"),
        ("t10k-images.idx3-ubyte.gz", "t10k-labels.idx1-ubyte.gz"),
        ("t10k-images-idx3-ubyte", "t10k-labels.idx1-ubyte.gz"),
    ],
)
def test_finds_raw_and_renamed_files(tmp_path, official, images_name, labels_name):
    images, labels = write_test_set(tmp_path, images_name, labels_name)
    X, y = MNISTIdxLoader(data_home=tmp_path, download=False).load("test")
    np.testing.assert_array_equal(X, images.reshape(N_SYNTHETIC, 784))
    np.testing.assert_array_equal(y, labels)


def test_official_content_gzipped_again_is_accepted(tmp_path, official):
    write_test_set(tmp_path)
    for name in TEST_FILES:
        recompress(tmp_path / name)
        assert md5_of(tmp_path / name) != _mnist.MNIST_FILES[name].gz_md5

    _, y = MNISTIdxLoader(data_home=tmp_path, download=False).load("test")

    np.testing.assert_array_equal(y, official[1])
    assert files_in(tmp_path) == sorted(TEST_FILES)  # nothing replaced


CONTAINERS = {
    "official .gz": ("t10k-images-idx3-ubyte.gz", False),
    "gzipped again": ("t10k-images-idx3-ubyte.gz", True),
    "raw": ("t10k-images-idx3-ubyte", False),
    "unzip name": ("t10k-images.idx3-ubyte", False),
    "unzip name .gz": ("t10k-images.idx3-ubyte.gz", True),
}


@pytest.mark.parametrize("container", CONTAINERS)
def test_one_changed_byte_of_content_is_refused(tmp_path, official, container):
    images_name, again = CONTAINERS[container]
    images, labels = official
    images = images.copy()
    images[5, 14, 14] ^= 1
    write_idx(tmp_path / images_name, images)
    if again:
        recompress(tmp_path / images_name)
    write_idx(tmp_path / TEST_FILES[1], labels)
    path = str(tmp_path / images_name)

    with pytest.raises(MNISTChecksumError) as info:
        MNISTIdxLoader(data_home=tmp_path, download=False).load("test")

    error = info.value
    expected = _mnist.MNIST_FILES[TEST_FILES[0]].content_md5
    assert (error.path, error.name) == (path, TEST_FILES[0])
    assert error.expected_md5 == expected
    assert error.actual_md5 == md5_hex(content_of(tmp_path / images_name))
    assert path in error.problem
    assert expected in error.problem
    assert "download" not in error.problem  # the remedy is left to the interface
    assert str(error).startswith(error.problem)
    assert str(error).endswith("or replace it with the official file.")
    assert "download=True" in str(error)


def test_official_gz_name_comes_first(tmp_path, official):
    _, labels = write_test_set(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(N_SYNTHETIC, np.uint8))

    bunch = MNISTIdxLoader(data_home=tmp_path, download=False).load(
        "test", return_X_y=False
    )

    np.testing.assert_array_equal(bunch.target, labels)
    assert bunch.filenames["labels"] == str(tmp_path / TEST_FILES[1])


def test_as_images_and_bunch(tmp_path, official):
    images, labels = write_test_set(tmp_path, *(name[:-3] for name in TEST_FILES))
    loader = MNISTIdxLoader(data_home=tmp_path, download=False)

    X, _ = loader.load("test", as_images=True)
    bunch = loader.load("test", return_X_y=False)

    np.testing.assert_array_equal(X, images)
    assert isinstance(bunch, Bunch)
    assert bunch.data.shape == (N_SYNTHETIC, 784)
    assert bunch.images.shape == (N_SYNTHETIC, 28, 28)
    assert np.shares_memory(bunch.data, bunch.images)
    np.testing.assert_array_equal(bunch.target, labels)
    np.testing.assert_array_equal(bunch.target_names, np.arange(10))
    assert len(bunch.feature_names) == 784
    assert bunch.feature_names[29] == "pixel_1_1"
    assert "MNIST" in bunch.DESCR


def test_missing_files_without_download(tmp_path):
    write_test_set(tmp_path, "t10k-images-idx3-ubyte", "unrelated")
    with pytest.raises(MNISTFilesMissingError) as error:
        MNISTIdxLoader(data_home=tmp_path, download=False).load("test")
    message = str(error.value)
    assert "t10k-labels-idx1-ubyte.gz" in message
    assert "t10k-images" not in message
    assert str(tmp_path) in message
    assert "download=True" in message
    assert "SKDIGIT_DATA" in message
    assert isinstance(error.value, FileNotFoundError)
    assert error.value.missing == [TEST_FILES[1]]
    assert error.value.data_home == error.value.path == str(tmp_path)
    assert "download" not in error.value.problem
    assert message.startswith(error.value.problem)


@pytest.mark.parametrize(
    ("images", "labels"),
    [
        (np.zeros((3, 28, 28), np.uint8), np.zeros(4, np.uint8)),
        (np.zeros((3, 27, 28), np.uint8), np.zeros(3, np.uint8)),
        (np.zeros((3, 28, 28), np.int16), np.zeros(3, np.uint8)),
        (np.zeros((3, 784), np.uint8), np.zeros(3, np.uint8)),
    ],
)
def test_valid_idx_files_that_are_not_mnist_are_refused(tmp_path, images, labels):
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels)
    with pytest.raises(MNISTChecksumError, match="t10k-images-idx3-ubyte is damaged"):
        MNISTIdxLoader(data_home=tmp_path, download=False).load("test")


def test_html_page_under_a_raw_name(tmp_path, official):
    write_test_set(tmp_path, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(
        b"<!DOCTYPE html><html><body>Forbidden</body></html>"
    )
    with pytest.raises(IdxFormatError, match="HTML page"):
        MNISTIdxLoader(data_home=tmp_path, download=False).load("test")


def permissions_are_enforced():
    """Whether this process is refused a file it has no permission to read."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe"
        probe.touch(mode=0)
        probe.chmod(0)
        try:
            probe.open("rb").close()
        except PermissionError:
            return True
        return False


needs_permissions = pytest.mark.skipif(
    not permissions_are_enforced(),
    reason="file permissions are not enforced for this user (root?)",
)


@pytest.mark.parametrize("download", [True, False])
def test_permission_denied_is_an_error_not_a_missing_file(
    tmp_path, official, download, closed_port_url, monkeypatch
):
    # Simulated, so that it also runs as root; the test below uses chmod.
    write_test_set(tmp_path)
    unreadable = str(tmp_path / TEST_FILES[0])

    real_open = os.open

    def open_denied(path, *args, **kwargs):
        if os.fspath(path) == unreadable:
            raise PermissionError(errno.EACCES, "Permission denied", unreadable)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_denied)
    loader = MNISTIdxLoader(
        data_home=tmp_path, download=download, mirrors=[closed_port_url]
    )
    with pytest.raises(PermissionError) as error:
        loader.load("test")

    assert not isinstance(error.value, FileNotFoundError)
    assert error.value.filename == unreadable
    assert "Permission denied: the MNIST file exists but cannot be read" in str(
        error.value
    )
    assert files_in(tmp_path) == sorted(TEST_FILES)


@needs_permissions
@pytest.mark.parametrize("download", [True, False])
def test_unreadable_file_is_an_error_not_a_missing_file(
    tmp_path, official, download, closed_port_url
):
    write_test_set(tmp_path)
    unreadable = tmp_path / TEST_FILES[0]
    unreadable.chmod(0)
    loader = MNISTIdxLoader(
        data_home=tmp_path, download=download, mirrors=[closed_port_url]
    )
    try:
        with pytest.raises(PermissionError) as error:
            loader.load("test")
    finally:
        unreadable.chmod(0o644)

    assert not isinstance(error.value, FileNotFoundError)
    assert error.value.filename == str(unreadable)
    assert str(unreadable) in str(error.value)
    assert "cannot be read" in str(error.value)
    assert files_in(tmp_path) == sorted(TEST_FILES)


@needs_permissions
def test_folder_that_cannot_be_searched_is_an_error(tmp_path, official):
    folder = tmp_path / "mnist"
    folder.mkdir()
    write_test_set(folder)
    folder.chmod(0o600)  # readable listing, but no access to the files
    try:
        with pytest.raises(PermissionError) as error:
            MNISTIdxLoader(data_home=folder, download=False).load("test")
    finally:
        folder.chmod(0o755)
    assert not isinstance(error.value, FileNotFoundError)
    assert str(folder) in str(error.value)


def test_errors_keep_their_attributes_through_pickle(tmp_path):
    errors = [
        MNISTChecksumError("a.gz", "/d/a", "0" * 32, "1" * 32),
        MNISTFilesMissingError("/d", ["a.gz"]),
        MNISTDownloadError("a.gz", [("http://m/a.gz", "HTTP 404 Not Found")], "/d"),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert vars(copy) == vars(error)
        assert isinstance(copy, MNISTDataError)
        assert isinstance(copy, OSError)
    assert errors[2].failures == [("http://m/a.gz", "HTTP 404 Not Found")]
    assert errors[2].path == os.path.join("/d", "a.gz")
    assert set(skdigit.__all__) >= {
        "MNISTDataError",
        "MNISTChecksumError",
        "MNISTFilesMissingError",
        "MNISTDownloadError",
    }


# -- downloads from a loopback server --------------------------------------------


def test_downloads_missing_files(tmp_path, http_mirror, synthetic):
    images, labels = synthetic
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("good")])

    X, y = loader.load("test")

    np.testing.assert_array_equal(X, images.reshape(N_SYNTHETIC, 784))
    np.testing.assert_array_equal(y, labels)
    assert files_in(tmp_path) == sorted(TEST_FILES)
    for name in TEST_FILES:
        assert md5_of(tmp_path / name) == _mnist.MNIST_FILES[name].gz_md5


@pytest.mark.skipif(not hasattr(os, "umask"), reason="no umask on this platform")
@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_downloaded_files_get_the_usual_permissions(
    tmp_path, http_mirror, synthetic, umask
):
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("good")])
    previous = os.umask(umask)
    try:
        loader.load("test")
    finally:
        os.umask(previous)
    for name in TEST_FILES:
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~umask


def test_mirror_serving_the_content_gzipped_again_is_accepted(
    tmp_path, http_mirror, synthetic
):
    recompress(http_mirror.folder / TEST_FILES[0])
    served = (http_mirror.folder / TEST_FILES[0]).read_bytes()
    assert md5_hex(served) != _mnist.MNIST_FILES[TEST_FILES[0]].gz_md5

    MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("good")]).load("test")

    assert (tmp_path / TEST_FILES[0]).read_bytes() == served


def test_mirror_serving_changed_content_is_refused(tmp_path, http_mirror, synthetic):
    images = synthetic[0].copy()
    images[0, 0, 0] ^= 1
    write_idx(http_mirror.folder / TEST_FILES[0], images)  # a valid gzip file

    with pytest.raises(MNISTDownloadError, match="wrong checksum"):
        MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("good")]).load(
            "test"
        )
    assert files_in(tmp_path) == []


def test_second_mirror_after_corrupt_first(tmp_path, http_mirror, synthetic):
    mirrors = [http_mirror.url("corrupt"), http_mirror.url("good")]

    X, _ = MNISTIdxLoader(data_home=tmp_path, mirrors=mirrors).load("test")

    assert X.shape == (N_SYNTHETIC, 784)
    assert http_mirror.requests == [
        f"/{mode}/{name}" for name in TEST_FILES for mode in ("corrupt", "good")
    ]
    assert files_in(tmp_path) == sorted(TEST_FILES)


def test_cached_file_with_wrong_checksum_is_fetched_again(
    tmp_path, http_mirror, synthetic
):
    good_labels = (http_mirror.folder / TEST_FILES[1]).read_bytes()
    (tmp_path / TEST_FILES[1]).write_bytes(good_labels)
    (tmp_path / TEST_FILES[0]).write_bytes(b"<html>saved error page</html>")
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("good")])

    with pytest.warns(UserWarning, match="downloading the official file") as caught:
        X, _ = loader.load("test")

    assert caught[0].filename == __file__  # the warning points at the caller
    assert X.shape == (N_SYNTHETIC, 784)
    assert http_mirror.requests == [f"/good/{TEST_FILES[0]}"]
    assert md5_of(tmp_path / TEST_FILES[0]) == _mnist.MNIST_FILES[TEST_FILES[0]].gz_md5
    assert files_in(tmp_path) == sorted(TEST_FILES)


def test_raw_file_with_wrong_content_is_replaced_by_the_download(
    tmp_path, http_mirror, synthetic
):
    images, labels = synthetic
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros_like(images))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels)
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("good")])

    with pytest.warns(UserWarning, match="t10k-images-idx3-ubyte is damaged"):
        X, _ = loader.load("test")

    np.testing.assert_array_equal(X, images.reshape(N_SYNTHETIC, 784))
    assert TEST_FILES[0] in files_in(tmp_path)


@pytest.mark.parametrize(
    ("mode", "answer"),
    [
        ("corrupt", "wrong checksum"),
        ("html", "wrong checksum"),
        ("truncated", "broke off before the whole file arrived"),
        ("missing", "HTTP 404 Not Found"),
        ("silent", r"no answer within 0\.5 s \(timeout\)"),
        ("stall", r"stalled: \d+ of \d+ bytes arrived, then nothing for 0\.5 s"),
        ("huge", "sent more than the"),
        ("announced", "announced 209715200 bytes, more than the"),
    ],
)
def test_failed_download_leaves_nothing(tmp_path, http_mirror, synthetic, mode, answer):
    url = http_mirror.url(mode)
    data_home = tmp_path / "mnist"
    loader = MNISTIdxLoader(data_home=data_home, mirrors=[url], timeout=0.5)

    with pytest.raises(MNISTDownloadError, match=answer) as error:
        loader.load("test")

    assert f"{url}{TEST_FILES[0]}: " in str(error.value)
    assert error.value.name == TEST_FILES[0]
    assert error.value.failures[0][0] == f"{url}{TEST_FILES[0]}"
    assert "cannot connect" not in str(error.value)
    assert not data_home.exists()  # created only to save a verified file


@pytest.mark.parametrize("mode", ["huge", "announced"])
def test_oversized_answer_is_cut_off_while_streaming(
    tmp_path, http_mirror, synthetic, mode
):
    url = http_mirror.url(mode)
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[url], timeout=5)

    with pytest.raises(MNISTDownloadError):
        loader.load("test")

    # The server could only fill the socket buffers before the client hung up,
    # far from the 200 MiB it meant to send.
    assert http_mirror.sent.get(f"/{mode}/{TEST_FILES[0]}", 0) < 64 * 2**20


def test_trickling_mirror_is_abandoned_at_the_deadline(
    tmp_path, http_mirror, synthetic
):
    # One byte every 0.5 s never trips a 1 s timeout between reads; the overall
    # deadline for the file does, and the next mirror is tried.
    trickle, good = http_mirror.url("trickle"), http_mirror.url("good")
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[trickle, good], timeout=1)

    X, _ = loader.load("test")

    assert X.shape == (N_SYNTHETIC, 784)
    assert http_mirror.requests[:2] == [
        f"/trickle/{TEST_FILES[0]}",
        f"/good/{TEST_FILES[0]}",
    ]
    assert files_in(tmp_path) == sorted(TEST_FILES)

    loader.mirrors = [trickle]
    (tmp_path / TEST_FILES[0]).unlink()
    with pytest.raises(
        MNISTDownloadError, match=r"too slow: .*abandoned at the deadline"
    ):
        loader.load("test")


# Issue 17, M1: a deadline bounds the whole exchange, not only the body. These
# mirrors send a piece every 0.1 s, which never trips a 0.5 s timeout between
# reads; the deadline for these small files is about 0.7 s.
@pytest.mark.parametrize(
    "mode", ["slow-headers", "continue-flood", "redirects-9"], ids=str
)
def test_deadline_bounds_the_answer_and_redirects(
    tmp_path, http_mirror, synthetic, mode
):
    slow, good = http_mirror.url(mode), http_mirror.url("good")
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[slow], timeout=0.5)

    with pytest.raises(MNISTDownloadError) as error:
        loader.load("test")

    answer = error.value.failures[0][1]
    assert re.fullmatch(
        r"too slow: no complete answer came in \d+\.\d s; abandoned at the "
        r"deadline for this file \(0\.\d s\)",
        answer,
    ), answer
    assert f"/redirects-0/{TEST_FILES[0]}" not in http_mirror.requests
    assert files_in(tmp_path) == []

    # The next mirror is tried, and serves the files.
    loader.mirrors = [slow, good]
    X, _ = loader.load("test")
    assert X.shape == (N_SYNTHETIC, 784)
    assert files_in(tmp_path) == sorted(TEST_FILES)


def test_endless_trailers_end_at_the_deadline(tmp_path, http_mirror, synthetic):
    # The whole file arrives, then trailer lines without end: what arrived is
    # the official file, kept once the deadline cuts the trailers off.
    loader = MNISTIdxLoader(
        data_home=tmp_path, mirrors=[http_mirror.url("trailers")], timeout=0.5
    )
    X, _ = loader.load("test")
    assert X.shape == (N_SYNTHETIC, 784)
    assert http_mirror.client_left.wait(10), "the trailers were read to their end"


@pytest.mark.parametrize(
    ("mode", "answer"),
    [
        ("long-chunk-line", "broke the rules of HTTP (LineTooLong: "),
        ("http09", "did not answer in HTTP (its answer began '"),
        ("escapes", "HTTP 503 ?[2J?[31mGo away?"),
    ],
)
def test_a_broken_mirror_is_one_failure_in_printable_words(
    tmp_path, http_mirror, synthetic, mode, answer
):
    """Issue 17, M2 and Low 7: the next mirror is tried; no raw bytes shown."""
    broken, good = http_mirror.url(mode), http_mirror.url("good")
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[broken], timeout=5)

    with pytest.raises(MNISTDownloadError) as error:
        loader.load("test")

    assert error.value.failures[0][1].startswith(answer)
    for line in str(error.value).splitlines():
        assert line.isprintable() and line.isascii() and len(line) < 300, line

    loader.mirrors = [broken, good]
    X, _ = loader.load("test")
    assert X.shape == (N_SYNTHETIC, 784)


def test_a_folder_that_cannot_be_written_is_named_before_downloading(
    tmp_path, http_mirror, synthetic, monkeypatch
):
    """Issue 17, Low 5: not after the whole download, and not a hidden path."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    # Simulated so that it runs as root too: the folder refuses writes.
    real_access, real_open = os.access, os.open

    def access(path, mode, **kwargs):
        if os.fspath(path) == str(folder) and mode & os.W_OK:
            return False
        return real_access(path, mode, **kwargs)

    def open_(path, flags, *args, **kwargs):
        if os.path.dirname(os.fspath(path)) == str(folder) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "open", open_)
    loader = MNISTIdxLoader(data_home=folder, mirrors=[http_mirror.url("good")])

    with pytest.raises(PermissionError) as error:
        loader.load("test")

    assert error.value.filename == str(folder)
    assert "downloads cannot be saved in this folder" in str(error.value)
    assert http_mirror.requests == []
    assert files_in(folder) == []


def test_a_file_promising_more_than_the_official_size_is_not_read(tmp_path, official):
    """Issue 17, Low 9: a small gzip inflating to far more than the official
    content is refused from its header, before its data are inflated."""
    write_test_set(tmp_path)
    labels = tmp_path / TEST_FILES[1]
    write_idx(labels, np.zeros(20_000_000, np.uint8))  # 20 MB in ~20 kB of gzip
    assert labels.stat().st_size < 100_000

    with pytest.raises(MNISTChecksumError) as info:
        MNISTIdxLoader(data_home=tmp_path, download=False).load("test")

    error = info.value
    assert error.actual_md5 is None  # the data were never read
    assert (error.actual_bytes, error.expected_bytes) == (20_000_008, N_SYNTHETIC + 8)
    assert error.problem == (
        f"{labels} is damaged or is not the official {TEST_FILES[1]}: its IDX header "
        f"promises 20000008 bytes of content, the official file has {N_SYNTHETIC + 8}"
    )
    copy = pickle.loads(pickle.dumps(error))
    assert vars(copy) == vars(error)


def test_all_mirrors_failing_lists_each_answer_and_the_fix(
    tmp_path, http_mirror, synthetic, closed_port_url
):
    mirrors = [
        http_mirror.url("missing"),
        http_mirror.url("corrupt"),
        closed_port_url,
    ]
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=mirrors, timeout=0.5)

    with pytest.raises(MNISTDownloadError) as error:
        loader.load("test")

    lines = str(error.value).splitlines()
    name = TEST_FILES[0]
    assert lines[0] == f"Could not download {name} from any mirror:"
    assert lines[1] == f"  - {mirrors[0]}{name}: HTTP 404 Not Found"
    assert lines[2].startswith(f"  - {mirrors[1]}{name}: served a file with the wrong")
    assert lines[3] == f"  - {mirrors[2]}{name}: cannot connect: Connection refused"
    assert str(tmp_path) in lines[4]
    assert all(official in lines[4] for official in _mnist.MNIST_FILES)
    assert error.value.problem == "\n".join(lines[:4])
    assert [url for url, _ in error.value.failures] == [m + name for m in mirrors]
    assert isinstance(error.value, OSError)
    assert files_in(tmp_path) == []


def test_offline_fails_at_once_with_default_timeout(tmp_path, closed_port_url):
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[closed_port_url] * 3)
    with pytest.raises(MNISTDownloadError, match="Connection refused"):
        loader.load("train")
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("not_official", ["other content", "not an IDX file"])
def test_failed_update_keeps_the_existing_file_untouched(
    tmp_path, http_mirror, synthetic, not_official
):
    if not_official == "other content":
        write_idx(tmp_path / TEST_FILES[0], np.zeros((2, 28, 28), np.uint8))
        expected_error = MNISTChecksumError
    else:
        (tmp_path / TEST_FILES[0]).write_bytes(b"not the official file")
        expected_error = IdxFormatError
    stale = (tmp_path / TEST_FILES[0]).read_bytes()
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("corrupt")])

    # A wrong file that cannot be replaced is an error about that file, which the
    # skdigit command must not mistake for "MNIST is missing".
    with pytest.warns(UserWarning), pytest.raises(expected_error) as info:
        loader.load("test")
    assert not isinstance(info.value, (FileNotFoundError, MNISTDownloadError))
    assert isinstance(info.value.__cause__, MNISTDownloadError)
    assert "Downloading the official file failed:" in str(info.value)
    assert str(tmp_path / TEST_FILES[0]) in str(info.value)

    assert files_in(tmp_path) == [TEST_FILES[0]]
    assert (tmp_path / TEST_FILES[0]).read_bytes() == stale


def test_stale_temporary_files_are_removed_when_saving(
    tmp_path, http_mirror, synthetic
):
    stale = tmp_path / f".{TEST_FILES[0]}.0123456789ab.tmp"
    fresh = tmp_path / f".{TEST_FILES[0]}.ba9876543210.tmp"
    for leftover in (stale, fresh):
        leftover.write_bytes(b"half a download")
    os.utime(stale, (time.time() - 2 * 3600,) * 2)
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("good")])

    loader.load("test")

    # The fresh one may be another process's save in progress.
    assert files_in(tmp_path) == sorted([*TEST_FILES, fresh.name])


DOWNLOAD_SCRIPT = textwrap.dedent(
    """
    import sys
    from skdigit import MNISTIdxLoader
    loader = MNISTIdxLoader(data_home=sys.argv[1], mirrors=[sys.argv[2]], timeout=60)
    loader.load("test")
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_killed_download_leaves_nothing(tmp_path, http_mirror, synthetic, signal_name):
    signum = getattr(signal, signal_name)
    data_home = tmp_path / "mnist"
    data_home.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), *sys.path])}
    process = subprocess.Popen(
        [sys.executable, "-c", DOWNLOAD_SCRIPT, data_home, http_mirror.url("stall")],
        env=env,
        cwd=tmp_path,  # "python -c" puts the working folder first on sys.path
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The mirror has sent half the file and stalls: the download is under way.
        assert http_mirror.stalled.wait(120), "the download never started"
        process.send_signal(signum)
        assert process.wait(60) == -signum
    finally:
        process.kill()
        process.wait()

    assert files_in(data_home) == []
    with pytest.raises(MNISTFilesMissingError):
        MNISTIdxLoader(data_home=data_home, download=False).load("test")


def test_verbose_says_what_is_downloaded_from_where(
    tmp_path, http_mirror, synthetic, capsys
):
    mirrors = [http_mirror.url("missing"), http_mirror.url("good")]
    MNISTIdxLoader(data_home=tmp_path, mirrors=mirrors, verbose=1).load("test")
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"downloading {name} from {mirror}" for name in TEST_FILES for mirror in mirrors
    ]
    assert captured.err == ""

    (tmp_path / TEST_FILES[0]).unlink()
    MNISTIdxLoader(data_home=tmp_path, mirrors=mirrors).load("test")
    assert capsys.readouterr() == ("", "")  # quiet by default, even on a terminal


def test_official_table():
    assert _mnist.MNIST_MIRRORS == (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    )
    assert MNISTIdxLoader().mirrors is None
    train_images = _mnist.MNIST_FILES["train-images-idx3-ubyte.gz"]
    assert train_images.content_md5 == "6bbc9ace898e44ae57da46a324031adb"
    assert train_images.content_bytes == 16 + 60000 * 28 * 28
    assert train_images.gz_md5 == "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    assert train_images.gz_bytes == 9912422


def test_user_guide_lists_the_official_checksums():
    guide = (REPO_ROOT / "docs" / "user_guide.rst").read_text(encoding="utf-8")
    for name, official in _mnist.MNIST_FILES.items():
        row = re.search(rf"^{re.escape(name)}\s+(\w+)\s+(\w+)\s*$", guide, re.M)
        assert row, f"{name} is not in the user guide's table"
        assert row.groups() == (official.content_md5, official.gz_md5)


# -- real data -------------------------------------------------------------------


def test_table_matches_the_readme_of_the_real_files(mnist_dir):
    readme = mnist_dir / "README.md"
    if not readme.is_file():
        pytest.skip(f"no README.md in {mnist_dir}")
    rows = re.findall(
        r"^\| (\S+\.gz) \| \d+ \| [0-9a-f]{32}.*?\| ([0-9a-f]{32}) \| (\d+) \|$",
        readme.read_text(encoding="utf-8"),
        re.M,
    )
    assert len(rows) == 4
    for name, content_md5, content_bytes in rows:
        official = _mnist.MNIST_FILES[name]
        assert (official.content_md5, official.content_bytes) == (
            content_md5,
            int(content_bytes),
        )


def test_loads_real_t10k(mnist_file):
    images_path = mnist_file(TEST_FILES[0])
    labels_path = mnist_file(TEST_FILES[1])
    loader = MNISTIdxLoader(data_home=images_path.parent, download=False)

    X, y = loader.load("test")

    # Parse the labels independently of read_idx: 8-byte header, then bytes.
    expected_labels = np.frombuffer(gzip.decompress(labels_path.read_bytes())[8:], "u1")
    assert X.shape == (10000, 784)
    assert X.dtype == np.uint8
    assert y.shape == (10000,)
    np.testing.assert_array_equal(y, expected_labels)
    assert np.bincount(y, minlength=10).tolist() == T10K_CLASS_COUNTS
    assert 0 < X.mean() < 255


def test_loads_real_train_images_gzipped_again(mnist_file):
    # The shared train images are the official content in a .gz that is not the
    # official one (see the README next to them).
    images_path = mnist_file("train-images-idx3-ubyte.gz")
    mnist_file("train-labels-idx1-ubyte.gz")
    loader = MNISTIdxLoader(data_home=images_path.parent, download=False)

    X, y = loader.load("train")

    assert X.shape == (60000, 784)
    assert y.shape == (60000,)
    assert np.bincount(y, minlength=10).sum() == 60000


def test_loads_real_t10k_uncompressed_under_unzip_names(mnist_file, tmp_path):
    for name in TEST_FILES:
        raw_name = name.removesuffix(".gz").replace("-idx", ".idx")
        (tmp_path / raw_name).write_bytes(
            gzip.decompress(mnist_file(name).read_bytes())
        )

    X, y = MNISTIdxLoader(data_home=tmp_path, download=False).load("test")

    assert X.shape == (10000, 784)
    assert np.bincount(y, minlength=10).tolist() == T10K_CLASS_COUNTS


def test_real_train_images_missing_is_reported(mnist_file, tmp_path):
    """Issue 20: a folder of the real files but the train images, built here."""
    for name in (*TEST_FILES, "train-labels-idx1-ubyte.gz"):
        (tmp_path / name).symlink_to(mnist_file(name))
    loader = MNISTIdxLoader(data_home=tmp_path, download=False)
    with pytest.raises(
        FileNotFoundError, match=r"train-images-idx3-ubyte\.gz"
    ) as error:
        loader.load("train")
    assert "train-labels" not in str(error.value)
    assert error.value.missing == ["train-images-idx3-ubyte.gz"]
    X, _ = loader.load("test")  # the files that are there load
    assert X.shape == (10000, 784)


def test_downloads_real_files_with_real_checksums(tmp_path, mnist_file, http_mirror):
    names = (*TEST_FILES, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
    for name in names:
        (http_mirror.folder / name).write_bytes(mnist_file(name).read_bytes())
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("good")])

    X, y = loader.load("test")
    X_train, _ = loader.load("train")  # its .gz is not the official one

    assert X.shape == (10000, 784)
    assert X_train.shape == (60000, 784)
    assert np.bincount(y, minlength=10).tolist() == T10K_CLASS_COUNTS
    for name in names:
        assert md5_of(tmp_path / name) == md5_of(http_mirror.folder / name)


def test_reading_without_download_does_not_create_the_folder(tmp_path):
    typo = tmp_path / "mnsit"
    with pytest.raises(FileNotFoundError, match="mnsit"):
        MNISTIdxLoader(data_home=typo, download=False).load("test")
    assert not typo.exists()
