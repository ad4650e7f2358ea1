"""skdigit._fetch: one file from the first mirror that serves it, knowing no dataset.

The misbehaving mirrors of every kind are exercised through the MNIST loader in
test_mnist.py; these tests use a plain text file, to show the fetcher needs
nothing of MNIST.
"""

import os
import socket
import threading
from pathlib import Path

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


def test_a_name_server_that_never_answers_is_the_mirrors_failure(
    tmp_path, http_mirror, monkeypatch
):
    # Issue 17, M1: the deadline bounds connecting too, the name lookup included
    # (getaddrinfo has no timeout of its own).
    (http_mirror.folder / "notes.txt").write_bytes(NOTES)
    released = threading.Event()
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "mirror.invalid":
            released.wait(30)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    mirrors = ["http://mirror.invalid/", http_mirror.url("missing")]
    try:
        with pytest.raises(FetchError) as info:
            # a deadline of 2.5 s, well after the lookup's own 0.5 s
            fetch_file(_notes(100_000), mirrors, tmp_path, timeout=0.5)
    finally:
        released.set()
    assert info.value.failures == [
        (
            "http://mirror.invalid/notes.txt",
            "no address for mirror.invalid within 0.5 s (name lookup timeout)",
        ),
        (f"{mirrors[1]}notes.txt", "HTTP 404 Not Found"),
    ]


def test_every_address_of_a_name_is_tried(tmp_path, http_mirror, monkeypatch):
    (http_mirror.folder / "notes.txt").write_bytes(NOTES)
    port = int(http_mirror.url("good").split(":")[2].split("/")[0])
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: refuses connections
    refused = closed.getsockname()
    stream = (socket.AF_INET, socket.SOCK_STREAM, 6, "")

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "two-addresses.test":
            return [(*stream, refused), (*stream, ("127.0.0.1", port))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    try:
        path = fetch_file(
            _notes(), [f"http://two-addresses.test:{port}/good/"], tmp_path, timeout=5
        )
    finally:
        closed.close()
    assert Path(path).read_bytes() == NOTES
