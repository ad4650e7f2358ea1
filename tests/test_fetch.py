"""skdigit._fetch: one file from the first mirror that serves it, knowing no dataset.

The misbehaving mirrors of every kind are exercised through the MNIST loader in
test_mnist.py; these tests use a plain text file, to show the fetcher needs
nothing of MNIST.
"""

import os

import pytest

from skdigit._fetch import FetchError, RemoteFile, fetch_file, progress_shown_by

NOTES = b"any file at all\n" * 100
NOTES_BYTES = len(NOTES)


def _notes(max_bytes=NOTES_BYTES):
    def verify(data):
        return None if data == NOTES else "not the notes"

    return RemoteFile("notes.txt", max_bytes, verify)


def test_the_first_mirror_serving_the_file_is_used(tmp_path, http_mirror):
    (http_mirror.folder / "notes.txt").write_bytes(NOTES)
    mirrors = [http_mirror.url(mode) for mode in ("missing", "corrupt", "good")]

    path = fetch_file(_notes(), mirrors, tmp_path / "new" / "folder", timeout=5)

    assert path == os.path.join(tmp_path / "new" / "folder", "notes.txt")
    assert (tmp_path / "new" / "folder" / "notes.txt").read_bytes() == NOTES
    assert http_mirror.requests == [
        f"/{mode}/notes.txt" for mode in ("missing", "corrupt", "good")
    ]


def test_every_failure_is_listed_and_nothing_is_saved(tmp_path, http_mirror):
    (http_mirror.folder / "notes.txt").write_bytes(NOTES)
    mirrors = [http_mirror.url("missing"), http_mirror.url("corrupt")]
    with pytest.raises(FetchError) as info:
        fetch_file(_notes(), mirrors, tmp_path / "folder", timeout=5)
    assert info.value.name == "notes.txt"
    assert info.value.failures == [
        (f"{mirrors[0]}notes.txt", "HTTP 404 Not Found"),
        (f"{mirrors[1]}notes.txt", "not the notes"),
    ]
    assert os.listdir(tmp_path) == []  # the folder is made only to save the file


def test_a_body_larger_than_the_file_may_be_is_cut_off(tmp_path, http_mirror):
    (http_mirror.folder / "notes.txt").write_bytes(NOTES)
    with pytest.raises(FetchError) as info:
        fetch_file(_notes(100), [http_mirror.url("good")], tmp_path, timeout=5)
    assert info.value.failures[0][1].startswith("announced 1600 bytes, more than")


def test_progress_is_shown_by_whoever_asked(tmp_path, http_mirror, capsys):
    (http_mirror.folder / "notes.txt").write_bytes(NOTES)
    shown = []

    class Recorder:
        def __init__(self, name, mirror):
            shown.append(("start", name, mirror))

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            shown.append(("end",))

        def reset(self, total=None):
            shown.append(("total", total))

        def update(self, n=1):
            shown.append(("bytes", n))

    good = http_mirror.url("good")
    with progress_shown_by(Recorder):
        fetch_file(_notes(), [good], tmp_path, timeout=5, verbose=True)
    assert shown[:2] == [("start", "notes.txt", good), ("total", len(NOTES))]
    assert sum(item[1] for item in shown if item[0] == "bytes") == len(NOTES)
    assert shown[-1] == ("end",)
    assert capsys.readouterr().out == ""  # the recorder, not the verbose line

    (tmp_path / "notes.txt").unlink()
    fetch_file(_notes(), [good], tmp_path, timeout=5, verbose=True)
    assert capsys.readouterr().out == f"downloading notes.txt from {good}\n"
