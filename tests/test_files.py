"""skdigit._files.atomic_write: complete files or none."""

import pytest

from skdigit._files import atomic_write


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
