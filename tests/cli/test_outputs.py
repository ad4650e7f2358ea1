"""Output files: all of a run's files, or none of them."""

import os
import threading
import time
from pathlib import Path

import pytest

from skdigit._files import STALE_AFTER_S, TEMPORARY_NAME_EXTRA
from skdigit.cli.console import CommandError
from skdigit.cli.outputs import (
    check_output_folder,
    prepared_image_names,
    staged_folder,
)


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


# -- issue 17: leftovers, names, races ---------------------------------------------


def _stale(folder, *names):
    for name in names:
        (folder / name).mkdir()
        (folder / name / "model.skops").write_text("half")
        os.utime(folder / name, (time.time() - 2 * STALE_AFTER_S,) * 2)


def test_stale_staging_folders_of_killed_runs_are_removed(tmp_path):
    """Low 3: a run killed while saving leaves a staging folder; the next run
    removes it once it is old (a fresh one may be another run's, at work)."""
    _stale(tmp_path, ".skdigit-partial-0123abcd", ".outskdigit-partial-89abcdef")
    (tmp_path / ".skdigit-partial-fedcba98").mkdir()
    with staged_folder(tmp_path / "out") as staging:
        _write(staging, one="1")
    assert sorted(os.listdir(tmp_path)) == [".skdigit-partial-fedcba98", "out"]

    _stale(tmp_path / "out", ".skdigit-partial-00000000")
    with staged_folder(tmp_path / "out") as staging:
        _write(staging, two="2")
    assert _contents(tmp_path / "out") == {"one": "1", "two": "2"}


def test_a_name_too_long_is_refused_before_any_work(tmp_path):
    """Low 4: refused by the check the commands run first, not after training."""
    too_long = tmp_path / "runs" / ("x" * 300)
    with pytest.raises(CommandError, match=r"'x{37}\.\.\.' is 300 bytes long, more"):
        check_output_folder(too_long, "--output")
    check_output_folder(tmp_path / ("x" * 200), "--output")
    assert os.listdir(tmp_path) == []


def test_a_folder_that_cannot_be_made_leaves_no_staging_folder(tmp_path):
    """Low 4: the staging folder is made inside the block that removes it."""
    with pytest.raises(OSError) as info, staged_folder(tmp_path / "a" / ("y" * 300)):
        pass
    assert info.value.filename == str(tmp_path / "a" / ("y" * 300))
    assert os.listdir(tmp_path) == []


def test_a_dangling_symbolic_link_is_named(tmp_path):
    """Low 5: not an error about a hidden staging folder."""
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "gone")
    message = rf"'{link}' is a symbolic link to '{tmp_path / 'gone'}', which does not"
    with pytest.raises(CommandError, match=message):
        check_output_folder(link, "--output")
    with pytest.raises(CommandError, match=message):
        check_output_folder(link / "deeper", "--save-prepared")


def test_a_new_folder_made_meanwhile_by_another_run_gets_the_files(tmp_path):
    """Low 5: the second of two runs creating one folder keeps its files."""
    target = tmp_path / "out"
    with staged_folder(target) as staging:
        _write(staging, model="mine", shared="mine")
        target.mkdir()  # the other run finished first
        _write(target, shared="theirs", other="theirs")
    assert _contents(target) == {"model": "mine", "shared": "mine", "other": "theirs"}
    assert os.listdir(tmp_path) == ["out"]


def test_two_runs_into_one_folder_never_mix_their_files(tmp_path, monkeypatch):
    """Low 11: the moves into a folder happen under a lock on it."""
    names = ["model.skops", "loss_curve.png", "weights.png", "metrics.json"]
    real_replace = os.replace
    first_moving, second_moving = threading.Event(), threading.Event()

    def replace(source, target):
        if Path(target).parent == tmp_path:
            if threading.current_thread().name == "second":
                second_moving.set()
            elif not first_moving.is_set():
                first_moving.set()
                # Give the second run every chance to move its files now.
                second_moving.wait(1)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)

    def run():
        with staged_folder(tmp_path) as staging:
            label = threading.current_thread().name
            _write(staging, **dict.fromkeys(names, label))

    first = threading.Thread(target=run, name="first")
    second = threading.Thread(target=run, name="second")
    first.start()
    assert first_moving.wait(30)
    second.start()
    first.join(30)
    second.join(30)
    assert _contents(tmp_path) == dict.fromkeys(names, "second")


# ---------------------------------------------------------- prepared names


def test_prepared_names_follow_the_pictures():
    names = prepared_image_names(
        [Path("four.jpg"), Path("a/seven.png"), Path("b/seven.png")],
        (28, 28),
        Path("out"),
    )
    assert names == ["four-28x28.png", "seven-28x28.png", "seven-28x28-2.png"]


@pytest.mark.parametrize("character", ["a", "é"])
def test_prepared_names_of_the_longest_picture_names_fit(tmp_path, character):
    """Issue 17, Low 10: a legal 251-byte picture name made an illegal name."""
    stem = character * (251 // len(character.encode()))
    paths = [Path(f"{stem}.png"), Path(f"{stem[:-1]}b.png"), Path(f"b/{stem}.png")]
    names = prepared_image_names(paths, (8, 8), tmp_path)
    assert len(set(names)) == 3
    for name in names:
        # Room for atomic_write's temporary name too, on any file system.
        assert len(os.fsencode(name)) + TEMPORARY_NAME_EXTRA <= 255
        assert name.startswith(character * 20) and "-8x8" in name
        assert name.endswith(".png")
        (tmp_path / name).write_bytes(b"")  # a name the file system takes
    # Recognisable: the hashes differ for the two stems, and a clash gets -2.
    assert names[0][-20:] != names[1][-20:]
    hashed = [name.rpartition("~")[2] for name in names]
    assert hashed[2] == hashed[0].replace(".png", "-2.png")
