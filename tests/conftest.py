"""Fixtures shared by the test modules.

Real MNIST files are never part of the repository. Tests find them where skdigit
itself does: in ``$SKDIGIT_DATA``, else ``~/skdigit_data`` (``.ci/run`` points
``SKDIGIT_DATA`` at the project's shared copy); tests that need a file which is not
there skip and say which file and folder. While the tests run, ``SKDIGIT_DATA`` names
an empty folder of their own, so that no test downloads into the user's folder or
reads from it unless it asks for the real files.
"""

import os

# scikit-learn runs its array API common checks only when SciPy's array API support
# is switched on, which must happen before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import http.server
import threading
from pathlib import Path

import pytest

from skdigit._mnist import DATA_HOME_ENV_VAR, _resolve_data_home

# Where skdigit looks for MNIST, read before the tests hide that folder.
MNIST_FOLDER = Path(_resolve_data_home(None))


@pytest.fixture(scope="session", autouse=True)
def _data_home_of_the_tests(tmp_path_factory):
    """An empty ``$SKDIGIT_DATA`` for the tests (see the module docstring)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATA_HOME_ENV_VAR, str(tmp_path_factory.mktemp("data_home")))
        yield


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder of real MNIST files: ``$SKDIGIT_DATA``, else ``~/skdigit_data``."""
    if not MNIST_FOLDER.is_dir():
        pytest.skip(
            f"no real MNIST files: {MNIST_FOLDER} is not a folder (set "
            f"${DATA_HOME_ENV_VAR} to the folder that holds them)"
        )
    return MNIST_FOLDER


@pytest.fixture(scope="session")
def mnist_file(mnist_dir):
    """Return a function that gives the path of one real MNIST file, or skips."""

    def locate(name):
        path = mnist_dir / name
        if not path.is_file():
            pytest.skip(f"{name} is not in {mnist_dir} (${DATA_HOME_ENV_VAR})")
        return path

    return locate


class _MirrorHandler(http.server.BaseHTTPRequestHandler):
    """Serve the files of ``server.folder``; the first path part picks how.

    ``/good/NAME`` serves the file, ``/corrupt/NAME`` the file with one byte
    changed, ``/truncated/NAME`` announces the full length but sends half and
    hangs up, ``/html/NAME`` an HTML page with status 200, ``/missing/NAME`` a
    404, and ``/silent/NAME`` never answers (until the fixture stops).

    Slow and oversized mirrors: ``/trickle/NAME`` announces the file, then sends
    one byte every 0.5 s (at most ``TRICKLE_MAX`` bytes, then nothing);
    ``/stall/NAME`` sends the headers and half the file, sets ``server.stalled``
    and sends nothing more; ``/huge/NAME`` streams ``HUGE_BYTES`` of zeros
    without announcing a length, ``/announced/NAME`` the same after announcing
    them. ``server.sent`` counts the body bytes each request path could send.

    Mirrors that keep a client waiting before, around or after the body, one
    piece every ``DRIP_S`` seconds for at most ``DRIPS`` pieces (then they answer
    properly): ``/slow-headers/NAME`` sends its status line and headers one byte
    at a time, ``/continue-flood/NAME`` sends ``100 Continue`` answers,
    ``/trailers/NAME`` sends the file chunked then trailer lines, and
    ``/redirects-K/NAME`` redirects to ``/redirects-(K-1)/NAME`` after
    ``DRIP_S`` seconds, serving the file at 0. Each sets ``server.client_left``
    when the client hangs up on it.

    Mirrors that break HTTP: ``/long-chunk-line/NAME`` sends a 70,000-byte
    chunk-size line, ``/http09/NAME`` the gzip file without any status line,
    ``/escapes/NAME`` a 503 whose reason phrase holds terminal escape sequences.
    """

    TRICKLE_MAX = 40
    HUGE_BYTES = 200 * 2**20
    DRIP_S = 0.1
    DRIPS = 100

    def do_GET(self):
        self.server.requests.append(self.path)
        mode, _, name = self.path.strip("/").partition("/")
        path = self.server.folder / name
        self.close_connection = True
        if mode == "silent":
            self.server.stop.wait(60)
            return
        if mode in ("huge", "announced"):
            self._stream_zeros(announce=mode == "announced")
            return
        if mode.startswith("redirects-"):
            self._redirect(int(mode.removeprefix("redirects-")), name)
            return
        if mode == "missing" or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        if mode in self._RAW:
            self._RAW[mode](self, body)
            return
        if mode == "corrupt":
            middle = len(body) // 2
            body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1 :]
        elif mode == "html":
            body = b"<!DOCTYPE html><html><body>Access denied</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "trickle":
            self._trickle(body)
        elif mode == "stall":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.server.stalled.set()
            self.server.stop.wait(60)
        else:
            self.wfile.write(body[: len(body) // 2] if mode == "truncated" else body)

    def _trickle(self, body):
        for byte in body[: self.TRICKLE_MAX]:
            if self.server.stop.wait(0.5) or not self._send(bytes([byte])):
                return
        self.server.stop.wait(60)

    def _drip(self, pieces):
        """Send ``pieces`` one every DRIP_S seconds; False if the client left."""
        for piece in pieces:
            if self.server.stop.wait(self.DRIP_S) or not self._send(piece):
                return False
        return True

    def _slow_headers(self, body):
        head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        if self._drip([head[i : i + 1] for i in range(len(head))]):
            self._send(body)

    def _continue_flood(self, body):
        pieces = [b"HTTP/1.1 100 Continue\r\n\r\n"] * self.DRIPS
        if self._drip(pieces):
            self._send(self._http11_head(len(body)) + body)

    def _trailers(self, body):
        head = (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
            b"Connection: close\r\n\r\n"
        )
        chunk = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n"
        trailers = [f"X-Padding-{i}: {i}\r\n".encode() for i in range(self.DRIPS)]
        if self._send(head + chunk) and self._drip(trailers):
            self._send(b"\r\n")

    def _long_chunk_line(self, body):
        head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        self._send(head + b"0" * 69_999 + b"1\r\n")

    def _http09(self, body):
        self._send(body)

    def _escapes(self, body):
        self._send(b"HTTP/1.0 503 \x1b[2J\x1b[31mGo away\x07\r\n\r\n")

    _RAW = {
        "slow-headers": _slow_headers,
        "continue-flood": _continue_flood,
        "trailers": _trailers,
        "long-chunk-line": _long_chunk_line,
        "http09": _http09,
        "escapes": _escapes,
    }

    @staticmethod
    def _http11_head(length):
        return (
            f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
        ).encode()

    def _redirect(self, hops, name):
        if self.server.stop.wait(self.DRIP_S):
            return
        target = f"/redirects-{hops - 1}/{name}" if hops else f"/good/{name}"
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _stream_zeros(self, announce):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if announce:
            self.send_header("Content-Length", str(self.HUGE_BYTES))
        self.end_headers()
        block = bytes(2**20)
        for _ in range(self.HUGE_BYTES // len(block)):
            if self.server.stop.is_set() or not self._send(block):
                break

    def _send(self, data):
        """Send ``data`` now; False once the client has hung up."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.server.client_left.set()
            return False
        sent = self.server.sent
        sent[self.path] = sent.get(self.path, 0) + len(data)
        return True

    def log_message(self, format, *args):
        pass  # keep the test output clean


class LoopbackMirror:
    """A real HTTP server on 127.0.0.1 serving files from a temporary folder."""

    def __init__(self, server):
        self._server = server
        self.folder = server.folder
        self.requests = server.requests
        self.sent = server.sent
        self.stalled = server.stalled
        self.client_left = server.client_left

    def url(self, mode):
        """Base URL of a mirror behaving as ``mode`` (see ``_MirrorHandler``)."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/{mode}/"


@pytest.fixture
def http_mirror(tmp_path_factory):
    """Start an HTTP server on a free port of 127.0.0.1; stop it afterwards."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _MirrorHandler)
    server.daemon_threads = True
    server.folder = tmp_path_factory.mktemp("mirror")
    server.requests = []
    server.sent = {}
    server.stop = threading.Event()
    server.stalled = threading.Event()
    server.client_left = threading.Event()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield LoopbackMirror(server)
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
