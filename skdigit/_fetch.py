"""Downloading one file from the first of several mirrors that serves it.

The fetcher knows no dataset. Its caller describes the file (:class:`RemoteFile`:
its name, the most bytes a mirror may send, and how to recognise the right
content) and gives the mirrors; :func:`fetch_file` returns the path of the
verified file, saved in a folder.

Every mirror gets one deadline for the whole exchange: looking up its name,
connecting, the status line and headers (and any ``100 Continue`` answers before
them), every redirect, the body and a chunked body's trailers. It is ``timeout``
plus one second per 50 kB of the largest acceptable file. Each socket operation
(the name lookup too) also waits at most ``timeout``, so a silent mirror is left
quickly; a mirror that trickles bytes resets that per-operation timer with every
byte, so a watchdog thread shuts the mirror's sockets down when the deadline
passes, which ends any read in progress.

Any failure of one mirror (an HTTP error, a broken or malformed answer, a body
that is too large or not the file) is that mirror's failure, described in a few
printable words (a mirror's bytes never reach a terminal raw), and the next
mirror is tried. A body is kept in memory (the caller bounds its size),
verified, and only then written with :func:`~skdigit._files.atomic_write` (a
temporary file renamed into place), so a failed or killed download leaves the
folder as it was.

This module imports ``urllib``: import it where a download happens, so that
``import skdigit`` stays light.
"""

import contextlib
import contextvars
import errno
import http.client
import numbers
import os
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import NamedTuple

from ._files import atomic_write, remove_stale_temporaries

__all__ = ["FetchError", "RemoteFile", "fetch_file", "progress_shown_by"]

# Besides ``timeout``, a whole file may take one second per this many bytes: a
# mirror slower than this on average is abandoned for the next one.
_SLOWEST_RATE = 50_000
_READ_SIZE = 1 << 16
# What a mirror said is shown at most this long, in printable characters.
_MAX_SHOWN = 120


class RemoteFile(NamedTuple):
    """What the fetcher needs to know of one file.

    ``verify(data)`` returns None when ``data`` is the file, else a few words on
    why not (for the list of failures).
    """

    name: str  # the file's name on every mirror and in the folder
    max_bytes: int  # the most a mirror may send
    verify: Callable[[bytes], str | None]


class FetchError(Exception):
    """No mirror served the file; ``failures`` lists ``(url, why)`` for each."""

    def __init__(self, name, failures):
        super().__init__(f"could not download {name} from any mirror")
        self.name = name
        self.failures = list(failures)


class _MirrorFailed(Exception):
    """One mirror could not deliver the file; the message says why."""


# Who shows the progress of downloads: the ``skdigit`` command puts a progress
# bar here (see progress_shown_by); None leaves it to the caller's ``verbose``.
_PROGRESS = contextvars.ContextVar("skdigit_download_progress", default=None)


@contextlib.contextmanager
def progress_shown_by(progress):
    """Within the block, ``progress(name, mirror)`` shows every download.

    ``progress`` returns a context manager with ``reset(total)`` and
    ``update(n)``, such as a ``tqdm`` bar; None shows nothing.

    Examples
    --------
    >>> from skdigit._fetch import progress_shown_by
    >>> with progress_shown_by(None):
    ...     pass
    """
    token = _PROGRESS.set(progress or _silent)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


class _Silent:
    """A progress display that shows nothing."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def reset(self, total=None):
        pass

    def update(self, n=1):
        pass


def _silent(name, mirror):
    return _Silent()


def _announce(name, mirror):
    print(f"downloading {name} from {mirror}", flush=True)
    return _Silent()


def fetch_file(remote, mirrors, folder, *, timeout, verbose=False):
    """Download ``remote`` from the first mirror that serves it into ``folder``.

    The folder is checked to be writable before anything is downloaded, and
    created (with its parents) only to save a verified file.

    Parameters
    ----------
    remote : RemoteFile
        The file.

    mirrors : sequence of str
        Base URLs, tried in order; the file is ``mirror + remote.name``.

    folder : str or path-like
        Where to save the file.

    timeout : float
        Seconds each socket operation may wait; the deadline of a mirror is
        ``timeout`` plus one second per 50 kB of ``remote.max_bytes``.

    verbose : bool, default=False
        Print ``downloading NAME from MIRROR`` before trying each mirror
        (unless the ``skdigit`` command shows a progress bar instead).

    Returns
    -------
    path : str
        The path of the saved file.

    Raises
    ------
    FetchError
        If no mirror served the file; nothing was saved.

    PermissionError
        If ``folder`` cannot be written; nothing was downloaded.

    Examples
    --------
    >>> import tempfile
    >>> from skdigit._fetch import FetchError, RemoteFile, fetch_file
    >>> remote = RemoteFile("notes.txt", 100, verify=lambda data: None)
    >>> try:
    ...     fetch_file(remote, ["http://127.0.0.1:9/"], tempfile.mkdtemp(), timeout=1)
    ... except FetchError as error:
    ...     print(error.failures[0][1])
    cannot connect: Connection refused
    """
    path = os.path.join(os.fspath(folder), remote.name)
    _check_can_save(path)
    progress = _PROGRESS.get() or (_announce if verbose else _silent)
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + remote.name
        try:
            with progress(remote.name, mirror) as shown:
                data = _fetch_from(url, remote, timeout, shown)
        except _MirrorFailed as failure:
            failures.append((url, _printable(str(failure))))
        else:
            return _save(data, path)
    raise FetchError(remote.name, failures)


def _check_can_save(path):
    """Refuse, before downloading, a folder where the file cannot be saved."""
    folder = os.path.dirname(path) or os.curdir
    existing = folder
    while not os.path.exists(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    if os.path.isdir(existing) and not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(
            errno.EACCES,
            "Permission denied: downloads cannot be saved in this folder; make it "
            "writable or download into another folder",
            existing,
        )


def _save(data, path):
    """Write a verified download to ``path`` atomically; return the path."""
    os.makedirs(os.path.dirname(path) or os.curdir, exist_ok=True)
    # Leftovers of a process killed while saving, hours ago; a fresh one may be
    # another process's save in progress and is left alone.
    remove_stale_temporaries(path)
    with atomic_write(path) as file:
        file.write(data)
    return path


# -- one mirror ------------------------------------------------------------------


class _Attempt:
    """What one exchange has reached so far, for the words of its failure."""

    def __init__(self, timeout, limit):
        self.timeout = timeout
        self.limit = limit
        self.started = time.monotonic()
        self.answered = False  # status line and headers arrived
        self.length = None  # announced by Content-Length
        self.body = bytearray()

    def arrived(self):
        return f"{len(self.body)} of {self.length or self.limit} bytes arrived"


def _fetch_from(url, remote, timeout, shown):
    """The verified body served at ``url``, within the deadline; else _MirrorFailed."""
    attempt = _Attempt(timeout, remote.max_bytes)
    seconds = timeout + remote.max_bytes / _SLOWEST_RATE
    with _Deadline(seconds) as deadline:
        try:
            _exchange(url, attempt, deadline, shown)
        except _MirrorFailed:
            raise
        except Exception as error:  # anything one mirror does is its own failure
            if not deadline.expired:
                raise _MirrorFailed(_what_went_wrong(error, attempt)) from None
    data = bytes(attempt.body)
    why = remote.verify(data)
    if why is None:
        return data  # complete and right, even if it ended at the deadline
    if deadline.expired:
        elapsed = time.monotonic() - attempt.started
        what = attempt.arrived() if attempt.answered else "no complete answer came"
        raise _MirrorFailed(
            f"too slow: {what} in {elapsed:.1f} s; abandoned at the deadline for "
            f"this file ({seconds:.1f} s)"
        )
    if attempt.length is not None and len(data) < attempt.length:
        raise _MirrorFailed(
            "the transfer broke off before the whole file arrived (truncated)"
        )
    raise _MirrorFailed(why)


def _exchange(url, attempt, deadline, shown):
    """Request ``url`` and read its body into ``attempt.body``."""
    request = urllib.request.Request(url, headers={"User-Agent": "skdigit"})
    try:
        response = _opener(deadline).open(request, timeout=attempt.timeout)
    except urllib.error.HTTPError as error:
        error.close()
        raise _MirrorFailed(f"HTTP {error.code} {error.reason}") from None
    with response:
        attempt.answered = True
        attempt.length = _announced_length(response)
        if attempt.length is not None and attempt.length > attempt.limit:
            raise _MirrorFailed(
                f"announced {attempt.length} bytes, more than the {attempt.limit} "
                "bytes of the official file: not downloaded"
            )
        shown.reset(total=attempt.length or attempt.limit)
        _read_body(response, attempt, shown)


def _announced_length(response):
    try:
        return int(response.headers["Content-Length"])
    except (TypeError, ValueError):
        return None


def _read_body(response, attempt, shown):
    """Read the body as it arrives, never past ``attempt.limit`` bytes."""
    while True:
        try:
            piece = response.read1(_READ_SIZE)
        except (http.client.IncompleteRead, ConnectionError):
            return  # broke off: what arrived is judged by the caller
        if not piece:
            return
        attempt.body += piece
        if len(attempt.body) > attempt.limit:
            raise _MirrorFailed(
                f"sent more than the {attempt.limit} bytes of the official file: "
                "cut off"
            )
        shown.update(len(piece))


def _what_went_wrong(error, attempt):
    """Why one mirror failed (before the deadline), in a few words."""
    if isinstance(error, urllib.error.URLError) and isinstance(
        error.reason, BaseException
    ):
        error = error.reason
    timeout = f"{attempt.timeout:g} s"
    if isinstance(error, _LookupTimeout):
        return f"no address for {error} within {timeout} (name lookup timeout)"
    if isinstance(error, TimeoutError):
        if attempt.answered:
            return f"stalled: {attempt.arrived()}, then nothing for {timeout} (timeout)"
        return f"no answer within {timeout} (timeout)"
    if isinstance(error, http.client.RemoteDisconnected):
        return "closed the connection without answering"
    if isinstance(error, http.client.BadStatusLine):
        return f"did not answer in HTTP (its answer began {_preview(error)})"
    if isinstance(error, http.client.HTTPException):
        return f"broke the rules of HTTP ({type(error).__name__}: {error})"
    if isinstance(error, ssl.SSLError):
        return f"secure connection failed: {error.reason or error}"
    if isinstance(error, OSError) and error.strerror:
        return f"cannot connect: {error.strerror}"
    if isinstance(error, urllib.error.URLError):
        return f"cannot connect: {error.reason}"
    return f"failed: {type(error).__name__}: {error}"


def _preview(error):
    line = error.args[0] if error.args else ""
    return repr(_printable(str(line), limit=40))


def _printable(text, limit=_MAX_SHOWN):
    """``text`` with anything but printable ASCII shown as ``?``, shortened."""
    shown = "".join(char if " " <= char <= "~" else "?" for char in text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


# -- the deadline ----------------------------------------------------------------


class _Deadline:
    """The end of one mirror's exchange: its sockets are shut down then.

    Shutting a socket down ends a read in progress at once, whatever the
    socket's own timeout. Each socket is watched through a duplicate of its
    descriptor: shutdown acts on the connection, whichever descriptor names it,
    and the duplicate stays valid after TLS takes the original over.
    """

    def __init__(self, seconds):
        self._end = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._watched = []
        self.expired = False
        self._watchdog = threading.Timer(seconds, self._expire)
        self._watchdog.daemon = True

    def __enter__(self):
        self._watchdog.start()
        return self

    def __exit__(self, *exc_info):
        self._watchdog.cancel()
        with self._lock:
            watched, self._watched = self._watched, []
        for sock in watched:
            sock.close()
        return False

    def _expire(self):
        with self._lock:
            self.expired = True
            for sock in self._watched:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _left(self):
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the deadline passed")
        return left

    def connect(self, address, timeout=None, source_address=None):
        """``socket.create_connection``, name lookup included, within the
        deadline; the socket is then watched."""
        host, port = address
        left = self._left()
        per_operation = timeout if isinstance(timeout, numbers.Real) else left
        error = OSError(f"no address found for {host!r}")
        for numeric in _look_up(host, port, min(per_operation, left)):
            try:
                sock = socket.create_connection(
                    numeric, min(per_operation, self._left()), source_address
                )
                break
            except OSError as exc:
                error = exc  # as create_connection does: try the next address
        else:
            raise error
        sock.settimeout(per_operation)
        with self._lock:
            if self.expired:
                sock.close()
                raise TimeoutError("the deadline passed")
            self._watched.append(sock.dup())
        return sock

    def connection(self, connection_class):
        """A factory of ``connection_class`` whose sockets this deadline watches."""

        def make(host, **kwargs):
            connection = connection_class(host, **kwargs)
            connection._create_connection = self.connect
            return connection

        return make


class _LookupTimeout(TimeoutError):
    """The name server did not answer within the time left."""


def _look_up(host, port, seconds):
    """The numeric ``(address, port)`` pairs of ``host``, looked up within ``seconds``.

    ``getaddrinfo`` cannot be interrupted and has no timeout of its own, so it runs
    in a daemon thread; one that outlives ``seconds`` is left to end on its own
    (the name server's own timeout), and the mirror has failed.
    """
    found = {}

    def look_up():
        try:
            found["addresses"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            found["error"] = error

    thread = threading.Thread(target=look_up, name="skdigit-name-lookup", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise _LookupTimeout(host)
    if "error" in found:
        raise found["error"]
    return [sockaddr[:2] for *_, sockaddr in found["addresses"]]


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline):
        super().__init__()
        self._deadline = deadline

    def http_open(self, request):
        make = self._deadline.connection(http.client.HTTPConnection)
        return self.do_open(make, request)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline):
        self._tls = ssl.create_default_context()
        super().__init__(context=self._tls)
        self._deadline = deadline

    def https_open(self, request):
        make = self._deadline.connection(http.client.HTTPSConnection)
        return self.do_open(make, request, context=self._tls)


def _opener(deadline):
    """urllib's usual HTTP(S) opener, every connection under ``deadline``.

    No FTP, file or data handlers: a redirect can only lead to another HTTP(S)
    URL.
    """
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _HTTPHandler(deadline),
        _HTTPSHandler(deadline),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener
