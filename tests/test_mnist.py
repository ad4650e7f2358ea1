"""Tests for the MNIST loader and downloads (skdigit/_mnist.py).

Downloads go to a real HTTP server on 127.0.0.1 (the ``http_mirror`` fixture of
conftest.py); no test touches the internet.
"""

import gzip
import hashlib
import io
import os
import socket

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils import Bunch

from skdigit import IdxFormatError, MNISTIdxLoader, _mnist, get_data_home, write_idx
from skdigit._mnist import MNISTDownloadError

TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
T10K_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
N_SYNTHETIC = 12


def md5_of(path):
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def files_in(folder):
    """Every entry of ``folder``, hidden temporary files included."""
    return sorted(os.listdir(folder))


def write_test_set(folder, images_name=TEST_FILES[0], labels_name=TEST_FILES[1]):
    """Write small valid t10k files; return (images, labels)."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(N_SYNTHETIC, 28, 28), dtype=np.uint8)
    labels = (np.arange(N_SYNTHETIC) % 10).astype(np.uint8)
    write_idx(folder / images_name, images)
    write_idx(folder / labels_name, labels)
    return images, labels


@pytest.fixture
def synthetic(http_mirror, monkeypatch):
    """Small t10k files served by the mirror, with their MD5s made official."""
    images, labels = write_test_set(http_mirror.folder)
    for name in TEST_FILES:
        monkeypatch.setitem(_mnist.MNIST_MD5, name, md5_of(http_mirror.folder / name))
    return images, labels


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


# -- parameters ------------------------------------------------------------------


def test_loader_holds_its_settings_like_an_estimator():
    loader = MNISTIdxLoader(download=False, timeout=5)
    assert loader.get_params() == {
        "data_home": None,
        "download": False,
        "mirrors": None,
        "timeout": 5,
    }
    assert repr(loader) == "MNISTIdxLoader(download=False, timeout=5)"
    assert loader.set_params(timeout=2.5) is loader
    assert clone(loader).get_params()["timeout"] == 2.5


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
    ],
)
def test_invalid_parameters_are_named(tmp_path, params, error, message):
    loader = MNISTIdxLoader(**{"data_home": tmp_path, **params})
    with pytest.raises(error, match=message):
        loader.load("test")


@pytest.mark.parametrize("subset", ["t10k", "TRAIN", None, ["test"]])
def test_invalid_subset(tmp_path, subset):
    with pytest.raises(ValueError, match='subset must be "train" or "test"'):
        MNISTIdxLoader(data_home=tmp_path, download=False).load(subset)


# -- finding and reading files ---------------------------------------------------


def test_loads_official_files(tmp_path, monkeypatch):
    images, labels = write_test_set(tmp_path)
    for name in TEST_FILES:
        monkeypatch.setitem(_mnist.MNIST_MD5, name, md5_of(tmp_path / name))

    X, y = MNISTIdxLoader(data_home=tmp_path, download=False).load("test")

    assert X.shape == (N_SYNTHETIC, 784)
    assert X.dtype == np.uint8
    assert y.dtype == np.uint8
    np.testing.assert_array_equal(X, images.reshape(N_SYNTHETIC, 784))
    np.testing.assert_array_equal(y, labels)


@pytest.mark.parametrize(
    ("images_name", "labels_name"),
    [
        ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
        ("t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte"),
        ("t10k-images.idx3-ubyte.gz", "t10k-labels.idx1-ubyte.gz"),
        ("t10k-images-idx3-ubyte", "t10k-labels.idx1-ubyte.gz"),
    ],
)
def test_finds_raw_and_renamed_files(tmp_path, images_name, labels_name):
    images, labels = write_test_set(tmp_path, images_name, labels_name)
    X, y = MNISTIdxLoader(data_home=tmp_path, download=False).load("test")
    np.testing.assert_array_equal(X, images.reshape(N_SYNTHETIC, 784))
    np.testing.assert_array_equal(y, labels)


def test_official_gz_name_comes_first(tmp_path, monkeypatch):
    _, labels = write_test_set(tmp_path)
    for name in TEST_FILES:
        monkeypatch.setitem(_mnist.MNIST_MD5, name, md5_of(tmp_path / name))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(N_SYNTHETIC, np.uint8))

    bunch = MNISTIdxLoader(data_home=tmp_path, download=False).load(
        "test", return_X_y=False
    )

    np.testing.assert_array_equal(bunch.target, labels)
    assert bunch.filenames["labels"] == str(tmp_path / TEST_FILES[1])


def test_as_images_and_bunch(tmp_path):
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
    with pytest.raises(FileNotFoundError) as error:
        MNISTIdxLoader(data_home=tmp_path, download=False).load("test")
    message = str(error.value)
    assert "t10k-labels-idx1-ubyte.gz" in message
    assert "t10k-images" not in message
    assert str(tmp_path) in message
    assert "download=True" in message
    assert "SKDIGIT_DATA" in message


def test_wrong_checksum_without_download(tmp_path):
    write_test_set(tmp_path)
    actual = md5_of(tmp_path / TEST_FILES[0])
    with pytest.raises(ValueError) as error:
        MNISTIdxLoader(data_home=tmp_path, download=False).load("test")
    message = str(error.value)
    assert str(tmp_path / TEST_FILES[0]) in message
    assert actual in message
    assert _mnist.MNIST_MD5[TEST_FILES[0]] in message
    assert "download=True" in message


def test_html_page_under_a_raw_name(tmp_path):
    write_test_set(tmp_path, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(
        b"<!DOCTYPE html><html><body>Forbidden</body></html>"
    )
    with pytest.raises(IdxFormatError, match="HTML page"):
        MNISTIdxLoader(data_home=tmp_path, download=False).load("test")


@pytest.mark.parametrize(
    ("images", "labels", "message"),
    [
        (np.zeros((3, 28, 28), np.uint8), np.zeros(4, np.uint8), "3 images but.*4"),
        (np.zeros((3, 27, 28), np.uint8), np.zeros(3, np.uint8), r"\(n, 28, 28\)"),
        (np.zeros((3, 28, 28), np.int16), np.zeros(3, np.uint8), "got int16"),
        (np.zeros((3, 784), np.uint8), np.zeros(3, np.uint8), r"shape \(3, 784\)"),
        (np.zeros((3, 28, 28), np.uint8), np.zeros((3, 1), np.uint8), "labels"),
        (np.zeros((3, 28, 28), np.uint8), np.array([1, 10, 2], np.uint8), "found 10"),
    ],
)
def test_structural_checks(tmp_path, images, labels, message):
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels)
    with pytest.raises(ValueError, match=message):
        MNISTIdxLoader(data_home=tmp_path, download=False).load("test")


# -- downloads from a loopback server --------------------------------------------


def test_downloads_missing_files(tmp_path, http_mirror, synthetic):
    images, labels = synthetic
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("good")])

    X, y = loader.load("test")

    np.testing.assert_array_equal(X, images.reshape(N_SYNTHETIC, 784))
    np.testing.assert_array_equal(y, labels)
    assert files_in(tmp_path) == sorted(TEST_FILES)
    for name in TEST_FILES:
        assert md5_of(tmp_path / name) == _mnist.MNIST_MD5[name]


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

    with pytest.warns(UserWarning, match="downloading it again") as caught:
        X, _ = loader.load("test")

    assert caught[0].filename == __file__  # the warning points at the caller
    assert X.shape == (N_SYNTHETIC, 784)
    assert http_mirror.requests == [f"/good/{TEST_FILES[0]}"]
    assert md5_of(tmp_path / TEST_FILES[0]) == _mnist.MNIST_MD5[TEST_FILES[0]]
    assert files_in(tmp_path) == sorted(TEST_FILES)


@pytest.mark.parametrize(
    ("mode", "answer"),
    [
        ("corrupt", "wrong checksum"),
        ("html", "wrong checksum"),
        ("truncated", "broke off before the whole file arrived"),
        ("missing", "HTTP 404 Not Found"),
        ("silent", r"no answer within 0\.5 s \(timeout\)"),
    ],
)
def test_failed_download_leaves_nothing(tmp_path, http_mirror, synthetic, mode, answer):
    url = http_mirror.url(mode)
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[url], timeout=0.5)

    with pytest.raises(MNISTDownloadError, match=answer) as error:
        loader.load("test")

    assert f"{url}{TEST_FILES[0]}: " in str(error.value)
    assert files_in(tmp_path) == []


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
    assert all(official in lines[4] for official in _mnist.MNIST_MD5)
    assert isinstance(error.value, OSError)
    assert files_in(tmp_path) == []


def test_offline_fails_at_once_with_default_timeout(tmp_path, closed_port_url):
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[closed_port_url] * 3)
    with pytest.raises(MNISTDownloadError, match="Connection refused"):
        loader.load("train")
    assert files_in(tmp_path) == []


def test_failed_update_keeps_the_existing_file_untouched(
    tmp_path, http_mirror, synthetic
):
    stale = b"not the official file"
    (tmp_path / TEST_FILES[0]).write_bytes(stale)
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("corrupt")])

    # A corrupt file that cannot be replaced is an error about that file, which the
    # skdigit command must not mistake for "MNIST is missing".
    with (
        pytest.warns(UserWarning),
        pytest.raises(ValueError, match="is corrupt") as info,
    ):
        loader.load("test")
    assert not isinstance(info.value, OSError)
    assert isinstance(info.value.__cause__, MNISTDownloadError)

    assert files_in(tmp_path) == [TEST_FILES[0]]
    assert (tmp_path / TEST_FILES[0]).read_bytes() == stale


def test_progress_bar_only_for_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not _mnist._want_progressbar()

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stderr", Terminal())
    assert _mnist._want_progressbar() == (
        __import__("importlib").util.find_spec("tqdm") is not None
    )


def test_official_table():
    assert _mnist.MNIST_MIRRORS == (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    )
    assert MNISTIdxLoader().get_params()["mirrors"] is None
    assert _mnist.MNIST_MD5["train-images-idx3-ubyte.gz"] == (
        "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    )


# -- real data -------------------------------------------------------------------


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


def test_real_train_images_missing_is_reported(mnist_dir):
    if (mnist_dir / "train-images-idx3-ubyte.gz").exists():
        pytest.skip("the train images are present in $SKDIGIT_TEST_DATA")
    loader = MNISTIdxLoader(data_home=mnist_dir, download=False)
    with pytest.raises(
        FileNotFoundError, match=r"train-images-idx3-ubyte\.gz"
    ) as error:
        loader.load("train")
    assert "train-labels" not in str(error.value)


def test_downloads_real_files_with_real_checksums(tmp_path, mnist_file, http_mirror):
    for name in TEST_FILES:
        (http_mirror.folder / name).write_bytes(mnist_file(name).read_bytes())
    loader = MNISTIdxLoader(data_home=tmp_path, mirrors=[http_mirror.url("good")])

    X, y = loader.load("test")

    assert X.shape == (10000, 784)
    assert np.bincount(y, minlength=10).tolist() == T10K_CLASS_COUNTS
    for name in TEST_FILES:
        assert md5_of(tmp_path / name) == _mnist.MNIST_MD5[name]


def test_reading_without_download_does_not_create_the_folder(tmp_path):
    typo = tmp_path / "mnsit"
    with pytest.raises(FileNotFoundError, match="mnsit"):
        MNISTIdxLoader(data_home=typo, download=False).load("test")
    assert not typo.exists()
