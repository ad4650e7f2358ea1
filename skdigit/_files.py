"""Writing files so that nobody ever sees half of one."""

import contextlib
import os
import re
import secrets
import shutil
import stat
import time
from pathlib import Path

# Windows would otherwise open the temporary file in text mode.
_O_BINARY = getattr(os, "O_BINARY", 0)
_TOKEN_BYTES = 6
# atomic_write's temporary file is named ".NAME.<token>.tmp", this many bytes
# longer than NAME: a name to write must leave that room below the file system's
# limit on names.
TEMPORARY_NAME_EXTRA = len(f"..{'0' * 2 * _TOKEN_BYTES}.tmp")
# A temporary file untouched for this long belongs to a process that died while
# writing: atomic_write's writes take seconds, not hours.
STALE_AFTER_S = 3600


@contextlib.contextmanager
def open_input_file(path, kind):
    """Open ``path`` for reading in binary mode, if it is a regular file.

    Opening a FIFO blocks until someone writes to it, and a device such as
    ``/dev/zero`` never ends: both are refused, as are folders and missing files,
    with a message that names the file and what kind of file was expected. The
    file is opened without waiting (``O_NONBLOCK`` lets a FIFO's ``open()`` return
    at once) and the opened file is judged, not its name, so no file swapped in
    after a check can block the reader; a regular file is then read as usual.

    Parameters
    ----------
    path : str or path-like
    kind : str
        What the file should be, for the messages ("model file").

    Yields
    ------
    file : binary file object
    size : int
        The file's size in bytes when it was opened.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigit._files import open_input_file
    >>> path = os.path.join(tempfile.mkdtemp(), "pipe")
    >>> os.mkfifo(path)
    >>> with open_input_file(path, "model file") as (file, size):
    ...     pass
    Traceback (most recent call last):
    ...
    OSError: '...pipe' is not a regular file (a pipe, socket or device): give a model file stored on disk
    """  # noqa: E501
    flags = os.O_RDONLY | _O_BINARY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"no such {kind}: '{path}'") from None
    except IsADirectoryError:  # Windows cannot open a folder
        _refuse(path, kind, stat.S_IFDIR)
    try:
        status = os.fstat(fd)
        _refuse(path, kind, status.st_mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as file:
        yield file, status.st_size


def _refuse(path, kind, mode):
    """Raise the error for a ``path`` of file ``mode`` that is not a regular file."""
    if stat.S_ISREG(mode):
        return
    a_kind = f"{'an' if kind[:1] in 'aeiouAEIOU' else 'a'} {kind}"
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"'{path}' is a folder, not {a_kind}")
    raise OSError(
        f"'{path}' is not a regular file (a pipe, socket or device): give "
        f"{a_kind} stored on disk"
    )


@contextlib.contextmanager
def atomic_write(path):
    """Open a binary file that replaces ``path`` only once the block succeeds.

    The data go to a temporary file in the same folder, which is then renamed over
    ``path`` (an atomic step on one file system). An error or interruption inside the
    block removes the temporary file and leaves any existing ``path`` untouched. An
    OS error about the temporary file, or one that names no file (a full disk, a
    file-size limit), names ``path``: the temporary name means nothing to a user.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigit._files import atomic_write
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.bin")
    >>> with atomic_write(path) as file:
    ...     _ = file.write(b"complete")
    >>> open(path, "rb").read(), os.listdir(os.path.dirname(path))
    (b'complete', ['notes.bin'])
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(
            f"cannot save '{path}': it is a folder; give a file name"
        )
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot save '{path}': no folder '{folder}'")
    # A dot keeps the temporary file out of listings and globs; O_EXCL never writes
    # through someone else's file; 0o666 lets the umask set ordinary permissions,
    # unlike tempfile's private 0o600 files.
    temporary = folder / f".{path.name}.{secrets.token_hex(_TOKEN_BYTES)}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
    except OSError as error:
        raise _naming(error, temporary, path) from None
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        renamed = _naming(error, temporary, path)
        if renamed is error:
            raise
        raise renamed from error


def _naming(error, temporary, path):
    """``error``, or the same OS error naming ``path`` where it named
    ``temporary`` or no file."""
    if (
        isinstance(error, OSError)
        and error.strerror
        and error.filename in (None, str(temporary))
    ):
        return type(error)(error.errno, error.strerror, str(path))
    return error


def remove_stale_temporaries(path, *, older_than=STALE_AFTER_S):
    """Remove the temporary files of ``path`` that a killed process left behind.

    Only :func:`atomic_write`'s own temporaries for this very ``path`` are
    considered, and only those not modified for ``older_than`` seconds: a
    younger one may be another process's write in progress. Files that cannot
    be removed are left alone.

    Parameters
    ----------
    path : str or path-like
        The file whose temporaries to remove.

    older_than : float, default=3600
        Age in seconds, from the last modification, beyond which a temporary
        file is stale.

    Returns
    -------
    removed : list of str
        The names of the files removed.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigit._files import remove_stale_temporaries
    >>> folder = tempfile.mkdtemp()
    >>> leftover = os.path.join(folder, ".data.gz.0123456789ab.tmp")
    >>> open(leftover, "wb").close()
    >>> os.utime(leftover, (0, 0))  # last written in 1970
    >>> remove_stale_temporaries(os.path.join(folder, "data.gz"))
    ['.data.gz.0123456789ab.tmp']
    """
    path = Path(path)
    pattern = rf"\.{re.escape(path.name)}\.[0-9a-f]{{{2 * _TOKEN_BYTES}}}\.tmp"
    return remove_stale(path.parent, pattern, older_than=older_than)


def remove_stale(folder, pattern, *, older_than=STALE_AFTER_S):
    r"""Remove the entries of ``folder`` named by ``pattern`` and untouched for long.

    Files and folders (with what they hold) whose whole name matches the regular
    expression ``pattern`` and that were not modified for ``older_than``
    seconds are removed: leftovers of a process killed while writing. Symbolic
    links are never followed, and what cannot be removed is left alone.

    Parameters
    ----------
    folder : str or path-like
        Where to look; a missing folder holds nothing.

    pattern : str
        A regular expression for the whole name.

    older_than : float, default=3600
        Age in seconds, from the last modification, beyond which an entry is
        stale.

    Returns
    -------
    removed : list of str
        The names of the entries removed, in the folder's order.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdigit._files import remove_stale
    >>> folder = tempfile.mkdtemp()
    >>> os.makedirs(os.path.join(folder, ".staging-1", "inside"))
    >>> os.utime(os.path.join(folder, ".staging-1"), (0, 0))
    >>> remove_stale(folder, r"\.staging-\d")
    ['.staging-1']
    """
    compiled = re.compile(pattern)
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not compiled.fullmatch(entry.name):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime <= older_than:
                continue  # perhaps another process's write in progress
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            pass  # gone already, or not ours to remove
    return removed
