"""Output files: all of a run's files, or none of them."""

import os

import pytest

from skdigit.cli.console import CommandError
from skdigit.cli.outputs import check_output_folder, staged_folder


def _write(folder, **files):
    for name, text in files.items():
        (folder / name).write_text(text)


def _contents(folder):
    return {path.name: path.read_text() for path in folder.iterdir()}


def test_a_new_folder_appears_whole(tmp_path):
    target = tmp_path / "a" / "b" / "out"
    with staged_folder(target) as staging:
        _write(staging, one="1", two="2")
        assert not (tmp_path / "a").exists()
    assert _contents(target) == {"one": "1", "two": "2"}
    assert os.listdir(tmp_path) == ["a"]


def test_a_failure_leaves_no_new_folder(tmp_path):
    with pytest.raises(RuntimeError), staged_folder(tmp_path / "a" / "out") as staging:
        _write(staging, one="1")
        raise RuntimeError("the second file failed")
    assert os.listdir(tmp_path) == []


def test_files_replace_an_earlier_run_and_others_stay(tmp_path):
    _write(tmp_path, one="old", notes="mine")
    with staged_folder(tmp_path) as staging:
        _write(staging, one="new", two="new")
    assert _contents(tmp_path) == {"one": "new", "two": "new", "notes": "mine"}


def test_a_failure_leaves_an_existing_folder_as_it_was(tmp_path):
    _write(tmp_path, one="old", notes="mine")
    with pytest.raises(KeyboardInterrupt), staged_folder(tmp_path) as staging:
        _write(staging, one="new")
        raise KeyboardInterrupt
    assert _contents(tmp_path) == {"one": "old", "notes": "mine"}


def test_a_failure_while_moving_puts_the_earlier_files_back(tmp_path, monkeypatch):
    _write(tmp_path, a="old a", c="old c", notes="mine")
    real_replace = os.replace

    def replace(source, target):
        # The new "c" moving in fails, after the old one was set aside.
        moving_in = "previous" not in os.fspath(source)
        if moving_in and os.fspath(target) == str(tmp_path / "c"):
            raise OSError(5, "Input/output error", os.fspath(target))
        real_replace(source, target)

    failing = pytest.raises(OSError, match="Input/output error")
    with failing, staged_folder(tmp_path) as staging:
        _write(staging, a="new a", b="new b", c="new c")
        monkeypatch.setattr(os, "replace", replace)
    monkeypatch.undo()
    assert _contents(tmp_path) == {"a": "old a", "c": "old c", "notes": "mine"}


def test_a_folder_in_the_way_is_refused_before_anything_moves(tmp_path):
    (tmp_path / "b").mkdir()
    _write(tmp_path / "b", inside="mine")
    refused = pytest.raises(CommandError, match="it is a folder")
    with refused, staged_folder(tmp_path) as staging:
        _write(staging, a="new", b="new")
    assert sorted(os.listdir(tmp_path)) == ["b"]
    assert _contents(tmp_path / "b") == {"inside": "mine"}


def test_errors_name_the_file_asked_for(tmp_path):
    with pytest.raises(OSError) as info, staged_folder(tmp_path / "out") as staging:
        raise OSError(28, "No space left on device", str(staging / "model.skops"))
    assert info.value.filename == str(tmp_path / "out" / "model.skops")


def test_check_output_folder(tmp_path):
    check_output_folder(None, "--output")
    check_output_folder(tmp_path / "new" / "deeper", "--output")
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match=r"'.*file' is a file, not a folder"):
        check_output_folder(tmp_path / "file", "--output")
    with pytest.raises(CommandError, match="is a file, not a folder"):
        check_output_folder(tmp_path / "file" / "below", "--save-prepared")
