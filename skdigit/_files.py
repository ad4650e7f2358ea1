"""Writing files so that nobody ever sees half of one."""

import contextlib
import os
import secrets
from pathlib import Path

# Windows would otherwise open the temporary file in text mode.
_O_BINARY = getattr(os, "O_BINARY", 0)


@contextlib.contextmanager
def atomic_write(path):
    """Open a binary file that replaces ``path`` only once the block succeeds.

    The data go to a temporary file in the same folder, which is then renamed over
    ``path`` (an atomic step on one file system). An error or interruption inside the
    block removes the temporary file and leaves any existing ``path`` untouched.

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
    temporary = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
