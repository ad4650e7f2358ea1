"""skdigit._files: complete files or none, and no temporary file left for long."""

import errno
import os
import time

import pytest

from skdigit._files import (
    STALE_AFTER_S,
    atomic_write,
    open_input_file,
    remove_stale,
    remove_stale_temporaries,
)


def test_an_error_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(path) as file:
        file.write(b"half of the new")
        raise RuntimeError("interrupted")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.bin"]


def test_a_folder_or_a_missing_folder_is_a_clear_error(tmp_path):
    with (
        pytest.raises(IsADirectoryError, match="is a folder; give a file name"),
        atomic_write(tmp_path),
    ):
        pass
    with (
        pytest.raises(FileNotFoundError, match="no folder"),
        atomic_write(tmp_path / "missing" / "file.bin"),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "umask"), reason="no umask on this platform")
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_new_files_get_the_permissions_the_umask_allows(tmp_path, umask):
    previous = os.umask(umask)
    try:
        with atomic_write(tmp_path / "data.bin") as file:
            file.write(b"x")
    finally:
        os.umask(previous)
    assert (tmp_path / "data.bin").stat().st_mode & 0o777 == 0o666 & ~umask


def test_only_stale_temporaries_of_the_file_are_removed(tmp_path):
    path = tmp_path / "data.gz"
    names = {
        "stale": ".data.gz.0123456789ab.tmp",
        "fresh": ".data.gz.ba9876543210.tmp",
        "other file's": ".other.gz.0123456789ab.tmp",
        "not a temporary": ".data.gz.notours.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"partial")
        if name != names["fresh"]:
            os.utime(tmp_path / name, (time.time() - 2 * STALE_AFTER_S,) * 2)

    removed = remove_stale_temporaries(path)

    assert removed == [names["stale"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        name for label, name in names.items() if label != "stale"
    )


def test_temporaries_of_atomic_write_match_what_is_cleaned(tmp_path):
    path = tmp_path / "data.gz"
    with atomic_write(path) as file:
        seen = [p.name for p in tmp_path.iterdir()]
        file.write(b"x")
    (tmp_path / seen[0]).write_bytes(b"left behind")
    os.utime(tmp_path / seen[0], (0, 0))
    assert remove_stale_temporaries(path) == seen
    assert remove_stale_temporaries(tmp_path / "missing-folder" / "x") == []


def _size_of(path, kind):
    with open_input_file(path, kind) as (file, size):
        assert file.read() == b"12345"
        return size


def test_input_files_must_be_regular_files(tmp_path):
    model = tmp_path / "model.skops"
    model.write_bytes(b"12345")
    assert _size_of(model, "model file") == 5
    with pytest.raises(FileNotFoundError, match=r"no such model file: '.*nothing'"):
        _size_of(tmp_path / "nothing", "model file")
    with pytest.raises(IsADirectoryError, match="is a folder, not a model file"):
        _size_of(tmp_path, "model file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_or_a_device_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    # Opening a FIFO with no writer would block this test forever.
    with pytest.raises(OSError, match=r"'.*pipe.png' is not a regular file"):
        _size_of(fifo, "image file")
    if os.path.exists("/dev/zero"):
        with pytest.raises(OSError, match="give a model file stored on disk"):
            _size_of("/dev/zero", "model file")


def test_errors_while_writing_name_the_file_not_its_temporary(tmp_path, monkeypatch):
    """Issue 17, Low 5: a full disk or `ulimit -f` names the user's file."""
    path = tmp_path / "model.skops"
    with pytest.raises(OSError) as info, atomic_write(path) as file:
        file.write(b"half")
        raise OSError(errno.EFBIG, "File too large")  # as write() raises it
    assert (info.value.errno, info.value.filename) == (errno.EFBIG, str(path))
    assert str(info.value) == f"[Errno 27] File too large: '{path}'"

    def refuse(name, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", os.fspath(name))

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError) as info, atomic_write(path):
        pass
    assert info.value.filename == str(path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_an_error_about_another_file_keeps_its_name(tmp_path):
    with pytest.raises(FileNotFoundError) as info, atomic_write(tmp_path / "out"):
        (tmp_path / "input.txt").read_bytes()
    assert info.value.filename == str(tmp_path / "input.txt")
    with pytest.raises(OSError, match=r"^disk full$"), atomic_write(tmp_path / "out"):
        raise OSError("disk full")


def test_remove_stale_removes_old_folders_and_files_only(tmp_path):
    for name in [".staging-1", ".staging-2", "staging-3"]:
        (tmp_path / name / "inside").mkdir(parents=True)
    (tmp_path / ".staging-4").write_bytes(b"half")
    old = time.time() - 2 * STALE_AFTER_S
    for name in [".staging-1", "staging-3", ".staging-4"]:
        os.utime(tmp_path / name, (old, old))
    (tmp_path / ".staging-5").symlink_to(tmp_path / "staging-3")
    os.utime(tmp_path / ".staging-5", (old, old), follow_symlinks=False)

    removed = remove_stale(tmp_path, r"\.staging-\d")

    assert sorted(removed) == [".staging-1", ".staging-4", ".staging-5"]
    assert sorted(os.listdir(tmp_path)) == [".staging-2", "staging-3"]
    assert (tmp_path / "staging-3" / "inside").is_dir()  # the link's target stays
    assert remove_stale(tmp_path / "missing", ".*") == []
