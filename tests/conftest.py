"""Fixtures shared by the test modules.

Real MNIST files are never part of the repository. ``.ci/run`` points the
``SKDIGIT_TEST_DATA`` environment variable at a folder holding some of them; tests
that need a file which is not there skip and say which file and variable to set.
"""

import os

# scikit-learn runs its array API common checks only when SciPy's array API support
# is switched on, which must happen before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import http.server
import threading
from pathlib import Path

import pytest

MNIST_ENV_VAR = "SKDIGIT_TEST_DATA"


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder of real MNIST files named by ``$SKDIGIT_TEST_DATA``."""
    folder = os.environ.get(MNIST_ENV_VAR)
    if not folder:
        pytest.skip(f"real MNIST files not configured: set {MNIST_ENV_VAR} to a folder")
    path = Path(folder)
    if not path.is_dir():
        pytest.skip(f"{MNIST_ENV_VAR}={folder} is not a folder")
    return path


@pytest.fixture(scope="session")
def mnist_file(mnist_dir):
    """Return a function that gives the path of one real MNIST file, or skips."""

    def locate(name):
        path = mnist_dir / name
        if not path.is_file():
            pytest.skip(f"{name} is not in {mnist_dir} (${MNIST_ENV_VAR})")
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
    """

    TRICKLE_MAX = 40
    HUGE_BYTES = 200 * 2**20

    def do_GET(self):
        self.server.requests.append(self.path)
        mode, _, name = self.path.strip("/").partition("/")
        path = self.server.folder / name
        if mode == "silent":
            self.server.stop.wait(60)
            return
        if mode in ("huge", "announced"):
            self._stream_zeros(announce=mode == "announced")
            return
        if mode == "missing" or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
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
        self.close_connection = True

    def _trickle(self, body):
        for byte in body[: self.TRICKLE_MAX]:
            if self.server.stop.wait(0.5) or not self._send(bytes([byte])):
                return
        self.server.stop.wait(60)

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
        self.close_connection = True

    def _send(self, data):
        """Send ``data`` now; False once the client has hung up."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
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
