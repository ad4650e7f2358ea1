"""Where ``train`` and ``evaluate`` get their digits, and what they say when
MNIST cannot be had or its files are wrong."""

import os

import numpy as np
import pytest

import skdigit._mnist
import skdigit.cli.data
from skdigit import write_idx
from skdigit.cli import main

from .helpers import accepted_as_official, assert_one_error_line, run_cli

BUNDLED = "using scikit-learn's bundled 8x8 digits instead"


def _small_test_files(folder, n=30):
    """Uncompressed t10k files (no official checksum applies): n blank digits."""
    folder.mkdir(exist_ok=True)
    write_idx(folder / "t10k-images-idx3-ubyte", np.zeros((n, 28, 28), np.uint8))
    write_idx(folder / "t10k-labels-idx1-ubyte", np.arange(n, dtype=np.uint8) % 10)
    return folder


def test_failed_downloads_fall_back_with_one_line(capsys, http_mirror, monkeypatch):
    """No --data-dir: the default data folder, then the bundled digits."""
    monkeypatch.setattr(skdigit._mnist, "MNIST_MIRRORS", (http_mirror.url("missing"),))
    assert main(["train", "--max-iter", "2"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(
        "MNIST could not be loaded (could not download t10k-images-idx3-ubyte.gz "
        "from any mirror: HTTP 404"
    )
    assert first.endswith(BUNDLED)
    assert http_mirror.requests  # it did try the (loopback) mirror


def test_a_given_data_dir_without_mnist_is_an_error(
    tmp_path, capsys, http_mirror, monkeypatch
):
    """--data-dir says where MNIST is: no MNIST there is no reason to fall back."""
    monkeypatch.setattr(skdigit._mnist, "MNIST_MIRRORS", (http_mirror.url("missing"),))
    assert main(["train", "--data-dir", str(tmp_path), "--max-iter", "2"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        "skdigit: error: MNIST could not be loaded: could not download "
        "t10k-images-idx3-ubyte.gz from any mirror: HTTP 404"
    )
    assert captured.err.count("\n") == 1


@pytest.mark.parametrize("download", [False, True])
def test_a_mistyped_data_dir_is_an_error_and_never_created(
    tmp_path, download, http_mirror, monkeypatch, empty_data_home
):
    """Issue 12, defect 5: no training on other digits, no folder made."""
    monkeypatch.setattr(skdigit._mnist, "MNIST_MIRRORS", (http_mirror.url("good"),))
    mistyped = tmp_path / "mnsit"
    args = ["train", "--data-dir", mistyped] + ([] if download else ["--no-download"])
    result = run_cli(*args, data_home=empty_data_home)
    assert_one_error_line(result, f"--data-dir '{mistyped}' does not exist")
    assert result.stdout == ""
    assert not mistyped.exists()
    assert os.listdir(tmp_path) == []
    assert not http_mirror.requests


def test_evaluate_checks_the_data_dir_too(tmp_path, capsys, mnist_runs):
    _, _, output, _, _ = mnist_runs
    mistyped = tmp_path / "nowhere"
    args = ["evaluate", str(output / "model.skops"), "--data-dir", str(mistyped)]
    assert main(args) == 2
    assert f"--data-dir '{mistyped}' does not exist" in capsys.readouterr().err
    assert not mistyped.exists()


def test_dataset_mnist_does_not_fall_back(capsys):
    assert main(["train", "--dataset", "mnist", "--no-download"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("skdigit: error: MNIST could not be loaded: ")
    assert "downloading is off" in captured.err


def test_a_given_data_dir_is_used(tmp_path, capsys):
    folder = _small_test_files(tmp_path / "mnist")
    args = ["train", "--data-dir", str(folder), "--no-download"]
    with accepted_as_official(folder):
        assert main([*args, "--split-test-set", "20", "--max-iter", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Data: MNIST test split from {folder}, split in two")


def test_error_corrupt_idx_file_is_not_a_fallback(tmp_path, empty_data_home):
    data_dir = tmp_path / "mnist"
    data_dir.mkdir()
    (data_dir / "t10k-images-idx3-ubyte").write_bytes(b"garbage" * 100)
    write_idx(data_dir / "t10k-labels-idx1-ubyte", np.zeros(10, dtype=np.uint8))
    result = run_cli(
        "train", "--data-dir", data_dir, "--no-download", data_home=empty_data_home
    )
    assert_one_error_line(result, "t10k-images-idx3-ubyte", "not an IDX file")
    assert "bundled" not in result.stdout


def test_an_unreadable_file_is_an_error_not_a_fallback(tmp_path, capsys, monkeypatch):
    """Issue 12, defect 4: a file that is there but cannot be read is not missing."""
    folder = _small_test_files(tmp_path / "skdigit_data")
    unreadable = str(folder / "t10k-images-idx3-ubyte")
    real_open = os.open

    def refusing_open(file, *args, **kwargs):
        if os.fspath(file) == unreadable:
            raise PermissionError(13, "Permission denied", unreadable)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    monkeypatch.setenv("SKDIGIT_DATA", str(folder))  # the default folder: no --data-dir
    assert main(["train", "--no-download", "--max-iter", "2"]) == 2
    captured = capsys.readouterr()
    assert BUNDLED not in captured.out
    assert captured.err.startswith(f"skdigit: error: {unreadable}: Permission denied")
    assert captured.err.count("\n") == 1


def test_error_bad_data_dir(tmp_path, capsys):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert main(["train", "--data-dir", str(a_file)]) == 2
    assert capsys.readouterr().err == (
        f"skdigit: error: --data-dir '{a_file}' is a file, not a folder\n"
    )


# ------------------------------------------- loader errors, in the command's words


def _assert_command_words(err):
    """No Python remedy (download=True, data_home=...) reaches the command line."""
    assert "download=True" not in err and "data_home" not in err
    assert "load()" not in err and "MNISTIdxLoader" not in err


def test_missing_files_in_a_given_folder(tmp_path, capsys):
    assert main(["train", "--data-dir", str(tmp_path), "--no-download"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "skdigit: error: MNIST could not be loaded: t10k-images-idx3-ubyte.gz, "
        f"t10k-labels-idx1-ubyte.gz not found in {tmp_path}, and downloading is off; "
        "run without --no-download to download them there, or copy them there (or "
        "give --data-dir the folder that holds them)\n"
    )
    _assert_command_words(err)


def test_a_file_that_is_not_the_official_one(tmp_path, capsys):
    """Issue 12: a changed file is refused in the words of the command line."""
    folder = _small_test_files(tmp_path / "mnist")
    images = folder / "t10k-images-idx3-ubyte"
    assert main(["train", "--data-dir", str(folder), "--no-download"]) == 2
    err = capsys.readouterr().err
    # 30 images: refused by their size, before the data are read.
    assert err.startswith(
        f"skdigit: error: {images} is damaged or is not the official "
        "t10k-images-idx3-ubyte.gz: its IDX header promises 23536 bytes of "
        "content, the official file has 7840016"
    )
    assert err.endswith(
        ": delete it and run without --no-download to download the official file, "
        "or replace it with the official file\n"
    )
    assert err.count("\n") == 1
    _assert_command_words(err)


def test_a_wrong_file_that_cannot_be_downloaded_again(
    tmp_path, capsys, http_mirror, monkeypatch
):
    monkeypatch.setattr(skdigit._mnist, "MNIST_MIRRORS", (http_mirror.url("missing"),))
    folder = _small_test_files(tmp_path / "mnist")
    assert main(["train", "--data-dir", str(folder), "--max-iter", "2"]) == 2
    captured = capsys.readouterr()
    assert "bundled" not in captured.out
    warning, err = captured.err.splitlines()
    assert warning.startswith("skdigit: warning: ")
    assert warning.endswith(": downloading the official file")
    assert err.startswith(f"skdigit: error: {folder / 't10k-images-idx3-ubyte'} is ")
    assert err.endswith(
        "; downloading the official file failed (HTTP 404 Not Found): replace it "
        "with the official file"
    )
    _assert_command_words(captured.err)


def test_failed_downloads_into_a_given_folder_say_what_to_do(
    tmp_path, capsys, http_mirror, monkeypatch
):
    monkeypatch.setattr(skdigit._mnist, "MNIST_MIRRORS", (http_mirror.url("missing"),))
    assert main(["evaluate", "--data-dir", str(tmp_path), "x.skops"]) == 2
    assert "no such model file" in capsys.readouterr().err  # the model comes first
    assert main(["train", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.endswith(
        "HTTP 404 Not Found; check the network connection, or download the four "
        f"MNIST files by hand into {tmp_path} (see the README)\n"
    )
    _assert_command_words(err)


# -- downloads as the command shows them (issue 17, "Also") ------------------------


def _served_test_files(tmp_path, http_mirror):
    """Small t10k files, served by the mirror under the official names."""
    folder = _small_test_files(tmp_path / "made")
    for name in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]:
        (http_mirror.folder / f"{name}.gz").write_bytes((folder / name).read_bytes())
    return folder


@pytest.mark.parametrize("terminal", [True, False])
def test_downloads_show_a_bar_on_a_terminal_only(
    tmp_path, capsys, http_mirror, monkeypatch, terminal
):
    made = _served_test_files(tmp_path, http_mirror)
    monkeypatch.setattr(skdigit._mnist, "MNIST_MIRRORS", (http_mirror.url("good"),))
    monkeypatch.setattr(skdigit.cli.data, "stderr_is_a_terminal", lambda: terminal)
    data_dir = tmp_path / "mnist"
    data_dir.mkdir()
    args = ["train", "--data-dir", str(data_dir), "--split-test-set", "20"]
    with accepted_as_official(made):
        assert main([*args, "--max-iter", "2"]) == 0
    captured = capsys.readouterr()
    assert "downloading" not in captured.out  # stdout is for results
    if terminal:
        for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]:
            assert f"downloading {name}" in captured.err
    else:
        assert captured.err == ""
    assert sorted(os.listdir(data_dir)) == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
