"""Reading and writing IDX files, the format of the MNIST data.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
dimensions), one big-endian uint32 per dimension, then the array in row-major
order, big-endian. The files are often gzip-compressed.

This module knows nothing of MNIST or of downloads. It checks every header
before allocating anything, so a truncated download, an HTML error page or a
corrupt header raises :class:`IdxFormatError` rather than a ``MemoryError``.
:func:`read_idx_digest` and :func:`digest_content` also feed every byte of the
uncompressed content to a hash object as it is read, so a caller can verify a
file's content checksum without reading the file twice.
"""

import contextlib
import gzip
import io
import os
import stat
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ._files import atomic_write, open_input_file

__all__ = ["IdxFormatError", "read_idx", "write_idx"]

# Type code -> big-endian dtype, as the IDX format defines them.
_DTYPE_BY_CODE = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_BY_DTYPE = {dtype: code for code, dtype in _DTYPE_BY_CODE.items()}
_SUPPORTED = ", ".join(
    f"0x{code:02X} ({dtype.name})" for code, dtype in _DTYPE_BY_CODE.items()
)

_GZIP_MAGIC = b"\x1f\x8b"
_MAX_DIM = 2**32 - 1
_MAX_INTP = np.iinfo(np.intp).max
# Deflate cannot expand data by more than about 1032:1. A gzip file whose header
# promises more than this many bytes per compressed byte cannot hold the data, so
# it is rejected before anything is decompressed.
_MAX_DEFLATE_RATIO = 1100
_GZIP_SLACK = 1024
# Compressed input is read from the stream in chunks this large; the output of
# each zlib call is bounded by what the IDX header still promises.
_CHUNK = 1 << 22
# zlib copies the input left over at the end of a gzip member, so each member is
# first given a small slice of input, doubled while the member lasts: the copies
# then stay proportional to the member's size, not to the chunk's.
_FIRST_FEED = 256


class IdxFormatError(ValueError):
    """Raised when a file is not a valid IDX file.

    The message names the file and says what is wrong with it, for example a
    truncated download or an HTML error page saved under the data file's name.

    Examples
    --------
    >>> import io
    >>> from skdigit import IdxFormatError, read_idx
    >>> try:
    ...     read_idx(io.BytesIO(b"<!DOCTYPE html><html>Not found</html>"))
    ... except IdxFormatError as exc:
    ...     print("HTML page" in str(exc))
    True
    """


# -- reading ---------------------------------------------------------------------


def read_idx(source, *, mmap=False):
    """Read an IDX file into a NumPy array.

    All IDX type codes are supported: 0x08 (uint8), 0x09 (int8), 0x0B (int16),
    0x0C (int32), 0x0D (float32) and 0x0E (float64), with any number of
    dimensions. Gzip compression is detected from the first two bytes, never
    from the file name.

    The header is validated before anything is allocated: the two zero bytes,
    the type code, and dimensions whose product times the item size must equal
    the number of data bytes that follow (no missing and no trailing bytes).
    A gzip stream is never decompressed beyond what the header promises plus
    one byte.

    Parameters
    ----------
    source : str, path-like or binary file object
        The IDX file, raw or gzip-compressed. A file object is read from its
        current position.

    mmap : bool, default=False
        If True, memory-map the data of a raw (uncompressed) file instead of
        reading it: the call costs the same for any file size. Requires a path;
        gzip files cannot be memory-mapped. As with any memory map, the file
        must not be shortened while the array is in use: reading past its new
        end kills the process (``SIGBUS``), which Python cannot catch.

    Returns
    -------
    array : ndarray
        The data, with the shape from the header, in native byte order. With
        ``mmap=True``, a read-only :class:`numpy.memmap` whose dtype is
        big-endian for multi-byte types (the values are correct; NumPy swaps
        bytes on access), or a read-only empty array when there is no data.

    Raises
    ------
    IdxFormatError
        If the file is not a valid IDX file, or its header promises more data
        than this computer's memory holds (without ``mmap``); the message names
        the file and what is wrong.

    FileNotFoundError, IsADirectoryError, OSError
        If the path names no file, a folder, or something that is not a
        regular file (a FIFO or a device, which could block or never end).

    TypeError
        If ``source`` is bytes or a file object opened in text mode.

    See Also
    --------
    write_idx : Write an array to an IDX file.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skdigit import read_idx, write_idx
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "tiny-idx3-ubyte.gz")
    >>> write_idx(path, np.arange(12, dtype=np.uint8).reshape(3, 2, 2))
    >>> images = read_idx(path)
    >>> images.shape, images.dtype
    ((3, 2, 2), dtype('uint8'))
    >>> int(images[2, 1, 1])
    11
    """
    _check_source(source)
    if mmap and _is_file_object(source):
        raise ValueError(
            f"{source!r}: mmap=True needs the path of a raw IDX file, not a file object"
        )
    return _read_source(source, mmap=mmap)


def read_idx_digest(source, digest):
    """Read an IDX file like :func:`read_idx`, hashing its content on the way.

    Every byte of the uncompressed content (header and data) goes to
    ``digest.update`` as it is read or decompressed, so checking the content's
    checksum costs no second pass over the file.

    Parameters
    ----------
    source : str, path-like or binary file object
        The IDX file, raw or gzip-compressed.

    digest : hash object
        Anything with an ``update(bytes)`` method, such as ``hashlib.md5()``.

    Returns
    -------
    array : ndarray
        As returned by :func:`read_idx`.

    Examples
    --------
    >>> import hashlib, io
    >>> import numpy as np
    >>> from skdigit import write_idx
    >>> from skdigit._idx import read_idx_digest
    >>> raw, packed = io.BytesIO(), io.BytesIO()
    >>> write_idx(raw, np.arange(3, dtype=np.uint8))
    >>> write_idx(packed, np.arange(3, dtype=np.uint8), compress=True)
    >>> digests = [hashlib.md5(), hashlib.md5()]
    >>> _ = read_idx_digest(io.BytesIO(raw.getvalue()), digests[0])
    >>> _ = read_idx_digest(io.BytesIO(packed.getvalue()), digests[1])
    >>> digests[0].hexdigest() == digests[1].hexdigest()
    True
    """
    _check_source(source)
    with _BackgroundDigest(digest) as background:
        return _read_source(source, digest=background)


def idx_content_size(path):
    """The size of the content (header and data) the IDX header of ``path`` promises.

    Only the header is read (and decompressed), so a file can be recognised as
    the wrong one by its size before its data are read.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skdigit import write_idx
    >>> from skdigit._idx import idx_content_size
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte.gz")
    >>> write_idx(path, np.zeros(10, dtype=np.uint8))
    >>> idx_content_size(path)
    18
    """
    with _open(path) as (stream, name):
        start = _read_exact(stream, 2)
        content = _content_reader(stream, name, start, False, _NO_DIGEST)
        dtype, shape, header_size = _read_header(content, name)
    return header_size + dtype.itemsize * _product(shape)


def digest_content(stream, digest, *, limit, name=None):
    """Hash the uncompressed content of a stream, stopping past ``limit`` bytes.

    The content is decompressed when the stream is gzip (detected from its first
    bytes) and fed to ``digest.update`` chunk by chunk; nothing is kept and the
    IDX header is not interpreted, so a file can be checked against a known
    content checksum in bounded memory, whatever its header claims.

    Parameters
    ----------
    stream : binary file object
        Read from its current position.

    digest : hash object
        Anything with an ``update(bytes)`` method, such as ``hashlib.md5()``.

    limit : int
        Stop once more than this many content bytes have been read.

    name : str, default=None
        The file's name for error messages; None uses the stream's.

    Returns
    -------
    n_bytes : int
        The content's length, or ``limit + 1`` when it is longer than ``limit``.

    Raises
    ------
    IdxFormatError
        If gzip data are corrupt or cut short.

    Examples
    --------
    >>> import gzip, hashlib, io
    >>> from skdigit._idx import digest_content
    >>> digest = hashlib.md5()
    >>> digest_content(io.BytesIO(gzip.compress(b"content")), digest, limit=100)
    7
    >>> digest.hexdigest() == hashlib.md5(b"content").hexdigest()
    True
    """
    name = _name_of(stream) if name is None else name
    start = _read_exact(stream, 2)
    content = _content_reader(stream, name, start, size_known=False, digest=digest)
    total = 0
    while total <= limit:
        piece = content.read(min(_CHUNK, limit + 1 - total))
        if not piece:
            break
        total += len(piece)
    return total


def _check_source(source):
    if isinstance(source, (bytes, bytearray, memoryview)):
        raise TypeError(
            "read_idx expects a path (str or pathlib.Path) or a binary file object, "
            f"got {type(source).__name__}; to read IDX data held in memory, wrap "
            "them in a file object: read_idx(io.BytesIO(data))"
        )
    if isinstance(source, io.TextIOBase):
        raise TypeError(
            f"read_idx expects a binary file object, got {_name_of(source)} opened "
            "in text mode; open it with open(path, 'rb'), or pass the path"
        )


@contextlib.contextmanager
def _open(source):
    """The binary stream of an IDX path, once it is known to be a regular file."""
    path = os.fspath(source)
    # A FIFO would block open() and a device never end: refused, with the name.
    with open_input_file(path, "IDX file") as (stream, _):
        yield stream, path


def _is_file_object(source):
    return hasattr(source, "read")


def _name_of(stream):
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) else repr(stream)


class _NoDigest:
    """Stands in for a hash object when nobody asked for one."""

    def update(self, data):
        pass


_NO_DIGEST = _NoDigest()


class _BackgroundDigest:
    """Feed a hash object on a worker thread, in order, while reading goes on.

    zlib and hashlib both release the GIL on large buffers, so on two cores
    hashing the content costs little more than decompressing it. The pieces
    given to ``update`` must not change afterwards (bytes, or views of an
    array that is only appended to).
    """

    def __init__(self, digest):
        self._digest = digest
        self._executor = ThreadPoolExecutor(max_workers=1)
        self._pending = []

    def update(self, data):
        self._pending.append(self._executor.submit(self._digest.update, data))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._executor.shutdown(wait=True)
        for future in self._pending:
            future.result()  # re-raise an error from the worker, if any


def _read_source(source, *, mmap=False, digest=_NO_DIGEST):
    """Read the IDX array of a file object or a path."""
    if _is_file_object(source):
        return _read_stream(source, _name_of(source), digest=digest)
    with _open(source) as (stream, path):
        return _read_stream(stream, path, mmap, digest)


def _read_stream(stream, name, mmap=False, digest=_NO_DIGEST):
    """Read an IDX array from ``stream``, raw or gzip, whose label is ``name``;
    with ``mmap``, memory-map the file ``stream`` reads (the file checked when it
    was opened, not whatever its name points to now)."""
    start = _read_exact(stream, 2)
    size = _remaining_size(stream)
    if size is not None:
        size += len(start)
    if start == _GZIP_MAGIC and mmap:
        raise IdxFormatError(
            f"{name}: a gzip-compressed file cannot be memory-mapped; "
            "decompress it first (for example with `gzip -dk`) or use mmap=False"
        )
    content = _content_reader(stream, name, start, size is not None, digest)
    dtype, shape, header_size = _read_header(content, name)
    n_bytes = dtype.itemsize * _product(shape)
    _check_size_is_plausible(name, dtype, shape, n_bytes, header_size, size, content)
    if mmap:
        return _memory_map(stream, dtype, shape, header_size)
    _check_fits_in_memory(name, dtype, shape, n_bytes)
    data = content.read_data(n_bytes, name, dtype, shape)
    array = np.frombuffer(data, dtype=dtype).reshape(shape)
    if dtype.itemsize > 1:
        return array.astype(dtype.newbyteorder("="))
    # Single bytes have no byte order; copy only when the buffer is read-only.
    return array if array.flags.writeable else array.copy()


def _content_reader(stream, name, start, size_known, digest):
    """The reader of the uncompressed content, given the stream's first bytes."""
    if start == _GZIP_MAGIC:
        return _GzipReader(stream, name, start, digest)
    return _RawReader(stream, start, size_known, digest)


def _read_exact(stream, n):
    """Read up to ``n`` bytes, looping over short reads (pipes, sockets)."""
    pieces, missing = [], n
    while missing > 0:
        piece = stream.read(missing)
        if not piece:
            break
        pieces.append(piece)
        missing -= len(piece)
    return b"".join(pieces)


def _remaining_size(stream):
    """Bytes left in ``stream`` from its position, or None when unknowable.

    Only regular files and in-memory buffers count: the ``fileno`` of a wrapper
    such as ``gzip.GzipFile`` belongs to the compressed file, whose size says
    nothing about the bytes ``read`` will return.
    """
    try:
        if isinstance(stream, io.BytesIO):
            return stream.getbuffer().nbytes - stream.tell()
        if isinstance(getattr(stream, "raw", stream), io.FileIO):
            status = os.fstat(stream.fileno())
            if stat.S_ISREG(status.st_mode):
                return status.st_size - stream.tell()
    except (OSError, ValueError):
        pass
    return None


def _product(shape):
    # Python integers: a header claiming 2**32 - 1 in every dimension cannot
    # overflow the byte count.
    total = 1
    for side in shape:
        total *= side
    return total


def _read_header(content, name):
    """Parse the magic number and dimensions; return (dtype, shape, size)."""
    magic = content.read(4)
    if not magic:
        raise IdxFormatError(
            f"{name}: the file is empty, not an IDX file (failed download?)"
        )
    if len(magic) < 4:
        _raise_not_idx(name, magic, content, f"it ends after {len(magic)} bytes")
    if magic[:2] != b"\x00\x00":
        _raise_not_idx(
            name, magic, content, "it does not start with the two zero bytes"
        )
    code, ndim = magic[2], magic[3]
    if code not in _DTYPE_BY_CODE:
        raise IdxFormatError(
            f"{name}: unknown IDX type code 0x{code:02X}; the known codes are "
            f"{_SUPPORTED}"
        )
    if ndim == 0:
        raise IdxFormatError(f"{name}: the IDX header declares 0 dimensions")
    dims = content.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise IdxFormatError(
            f"{name}: the IDX header declares {ndim} dimensions but the file ends "
            f"after {4 + len(dims)} bytes, inside the header (truncated download?)"
        )
    shape = struct.unpack(f">{ndim}I", dims)
    dtype = _DTYPE_BY_CODE[code]
    _check_numpy_can_hold(dtype, shape, name)
    return dtype, shape, 4 + 4 * ndim


def _check_numpy_can_hold(dtype, shape, name):
    # IDX allows 255 dimensions, NumPy fewer (32 or 64 depending on version).
    try:
        np.empty((0,) * len(shape))
    except ValueError as exc:
        raise IdxFormatError(
            f"{name}: the IDX header declares {len(shape)} dimensions, more than "
            "NumPy arrays can have"
        ) from exc
    # NumPy refuses shapes whose non-zero sides overflow its index type, even
    # when another side is 0 and the array would be empty.
    if dtype.itemsize * _product(max(side, 1) for side in shape) > _MAX_INTP:
        dims = " x ".join(map(str, shape))
        raise IdxFormatError(
            f"{name}: the IDX header declares dimensions {dims}, too large for "
            "a NumPy array (corrupt header?)"
        )


def _raise_not_idx(name, magic, content, what):
    kind = _web_page_kind(magic, content)
    if kind:
        raise IdxFormatError(
            f"{name}: looks like an {kind} page, not an IDX file: the download "
            "probably failed and saved the server's error page instead; delete "
            "the file and download it again"
        )
    raise IdxFormatError(
        f"{name}: not an IDX file: {what} (an IDX file starts with two zero bytes, "
        f"a type code and the number of dimensions; got {magic!r})"
    )


def _web_page_kind(magic, content):
    """Return "HTML" or "XML" when the content starts like a web page."""
    # The file is invalid anyway, so peeking further costs nothing that matters.
    try:
        head = (magic + content.read(256)).lstrip().lower()
    except IdxFormatError:
        head = magic.lstrip().lower()
    if head.startswith(b"<?xml"):
        return "XML"
    if head.startswith(b"<") and any(
        tag in head for tag in (b"<!doctype html", b"<html", b"<head", b"<body")
    ):
        return "HTML"
    return None


def _describe(dtype, shape, n_bytes):
    dims = " x ".join(str(side) for side in shape)
    return f"{n_bytes} bytes of {dtype.name} data ({dims})"


def _check_size_is_plausible(name, dtype, shape, n_bytes, header_size, size, content):
    """Fail before allocating when the file cannot hold what the header says."""
    if size is None:
        return
    promised = _describe(dtype, shape, n_bytes)
    if isinstance(content, _RawReader):
        available = size - header_size
        if available < n_bytes:
            raise IdxFormatError(
                f"{name}: header promises {promised} but the file ends after "
                f"{max(available, 0)} bytes of data (truncated download?)"
            )
        if available > n_bytes:
            raise IdxFormatError(
                f"{name}: header promises {promised} but {available - n_bytes} "
                "unexpected bytes follow the data (wrong header or trailing data)"
            )
    elif n_bytes + header_size > _MAX_DEFLATE_RATIO * size + _GZIP_SLACK:
        raise IdxFormatError(
            f"{name}: header promises {promised} but a gzip file of {size} bytes "
            "cannot hold that much (truncated download or corrupt header?)"
        )


def _check_fits_in_memory(name, dtype, shape, n_bytes):
    """Fail before reading when the promised data cannot fit in memory at all.

    A stream of unknown size (a pipe, a socket) cannot be checked against its
    length; a header promising more than the machine's memory is corrupt (or
    needs ``mmap=True``), and would otherwise end in a MemoryError.
    """
    memory = _physical_memory()
    if memory is not None and n_bytes > memory:
        raise IdxFormatError(
            f"{name}: header promises {_describe(dtype, shape, n_bytes)}, more than "
            f"this computer's memory ({memory} bytes): corrupt header? (a raw file "
            "that large can be read with mmap=True)"
        )


def _physical_memory():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None  # not on this system (Windows): no check


def _memory_map(file, dtype, shape, header_size):
    if _product(shape) == 0:
        # mmap cannot map zero bytes; an empty array is equally free.
        empty = np.empty(shape, dtype=dtype)
        empty.flags.writeable = False
        return empty
    return np.memmap(file, dtype=dtype, mode="r", offset=header_size, shape=shape)


class _RawReader:
    """Uncompressed content: reads straight from the stream."""

    def __init__(self, stream, start, size_known, digest):
        self._stream = stream
        self._pending = start
        self._size_known = size_known
        self._digest = digest

    def read(self, n):
        head, self._pending = self._pending[:n], self._pending[n:]
        data = head + _read_exact(self._stream, n - len(head))
        self._digest.update(data)
        return data

    def read_data(self, n_bytes, name, dtype, shape):
        # The size check has run when the size was knowable, so allocating
        # ``n_bytes`` is safe; otherwise read chunks that grow with the data
        # actually present.
        if self._size_known and hasattr(self._stream, "readinto"):
            data = np.empty(n_bytes, dtype=np.uint8)
            view = memoryview(data)
            filled = _readinto_exact(self._stream, view, self._digest)
            extra = self._stream.read(1) if filled == n_bytes else b""
        else:
            data = bytearray(_read_chunked(self._stream, n_bytes + 1))
            filled = len(data)
            extra = data[n_bytes:]
            del data[n_bytes:]
            self._digest.update(data)
        _check_exact_length(name, dtype, shape, n_bytes, filled, extra)
        return data


def _readinto_exact(stream, view, digest):
    # Chunk by chunk, so each is hashed while it is still in the CPU's cache.
    filled = 0
    while filled < len(view):
        count = stream.readinto(view[filled : filled + _CHUNK])
        if not count:
            break
        digest.update(view[filled : filled + count])
        filled += count
    return filled


def _read_chunked(stream, limit):
    pieces, total = [], 0
    while total < limit:
        piece = stream.read(min(_CHUNK, limit - total))
        if not piece:
            break
        pieces.append(piece)
        total += len(piece)
    return b"".join(pieces)


def _check_exact_length(name, dtype, shape, n_bytes, filled, extra):
    promised = _describe(dtype, shape, n_bytes)
    if filled < n_bytes:
        raise IdxFormatError(
            f"{name}: header promises {promised} but the file ends after "
            f"{filled} bytes of data (truncated download?)"
        )
    if extra:
        raise IdxFormatError(
            f"{name}: header promises {promised} but more data follows "
            "(wrong header or trailing data)"
        )


class _GzipReader:
    """Gzip content, decompressed on demand and never beyond what is asked.

    ``zlib.decompressobj`` with ``max_length`` lets the reader stop one byte
    past the promised data, and decompressing large slices keeps it as fast as
    ``gzip -dc``. Concatenated gzip members are read as one stream, like gzip
    does; zero padding after the last member is ignored, other bytes are not.

    zlib copies the input that follows the end of a member (``unused_data``).
    Handing it a whole chunk would copy the rest of the chunk once per member,
    quadratic in the number of members; instead each member starts with a small
    slice of input that doubles with every call, so every compressed byte is
    handed to zlib (and copied) a bounded number of times.
    """

    def __init__(self, stream, name, start, digest):
        self._stream = stream
        self._name = name
        self._digest = digest
        self._chunk = start  # compressed bytes read from the stream
        self._offset = 0  # where the bytes not yet handed to zlib start
        self._feed = _FIRST_FEED
        self._inflater = zlib.decompressobj(wbits=31)
        self._finished = False

    def read(self, n):
        return b"".join(self._inflate(n))

    def read_data(self, n_bytes, name, dtype, shape):
        pieces = self._inflate(n_bytes + 1)
        filled = sum(len(piece) for piece in pieces)
        _check_exact_length(name, dtype, shape, n_bytes, filled, filled > n_bytes)
        return b"".join(pieces)  # no copy when zlib returned a single piece

    def _inflate(self, n):
        """Return pieces of at most ``n`` decompressed bytes in total."""
        pieces, missing = [], n
        try:
            while missing > 0 and not self._finished:
                data = self._inflater.unconsumed_tail or self._next_input()
                piece = self._inflater.decompress(data, missing)
                if self._inflater.eof:
                    self._end_member()
                elif not data and not piece:
                    self._raise_cut_short()
                if piece:
                    self._digest.update(piece)
                    pieces.append(piece)
                    missing -= len(piece)
        except zlib.error as exc:
            raise IdxFormatError(f"{self._name}: corrupt gzip data ({exc})") from exc
        return pieces

    def _next_input(self):
        """The next slice of compressed input; empty at the end of the stream."""
        if self._offset == len(self._chunk):
            self._chunk, self._offset = self._stream.read(_CHUNK), 0
        data = memoryview(self._chunk)[self._offset : self._offset + self._feed]
        self._offset += len(data)
        self._feed = min(2 * self._feed, _CHUNK)
        return data

    def _raise_cut_short(self):
        raise IdxFormatError(
            f"{self._name}: the gzip stream is cut short: the compressed file ends "
            "before its end marker (truncated download?)"
        )

    def _end_member(self):
        # The bytes after the member were handed to zlib, which keeps a copy of
        # them in unused_data (unconsumed_tail may repeat them: ignore it): step
        # back over them in the chunk rather than carry the copy along.
        self._offset -= len(self._inflater.unused_data)
        self._inflater = zlib.decompressobj(wbits=31)
        self._feed = _FIRST_FEED
        if self._peek(len(_GZIP_MAGIC)) == _GZIP_MAGIC:
            return
        rest = self._chunk[self._offset :]
        while rest:
            if rest.strip(b"\x00"):
                raise IdxFormatError(
                    f"{self._name}: unexpected bytes after the end of the gzip stream"
                )
            rest = self._stream.read(_CHUNK)
        self._chunk, self._offset = b"", 0
        self._finished = True

    def _peek(self, n):
        """The next ``n`` compressed bytes (fewer at the end of the stream)."""
        while len(self._chunk) - self._offset < n:
            more = self._stream.read(_CHUNK)
            if not more:
                break
            # At most n - 1 old bytes are copied, once per chunk read.
            self._chunk, self._offset = self._chunk[self._offset :] + more, 0
        return self._chunk[self._offset : self._offset + n]


# -- writing ---------------------------------------------------------------------


def write_idx(path, array, *, compress=None):
    """Write an array to an IDX file, atomically.

    The data are written big-endian, as the format requires, to a temporary
    file in the destination folder that then replaces ``path``: an interrupted
    call never leaves a partial file behind.

    Parameters
    ----------
    path : str, path-like or binary file object
        Destination. A file object is written to directly (not atomically).

    array : array-like
        Data of dtype uint8, int8, int16, int32, float32 or float64, with at
        least one dimension, each smaller than 2**32.

    compress : bool or None, default=None
        Whether to gzip the file. None means: gzip when ``path`` ends with
        ``.gz`` (never for a file object).

    Raises
    ------
    ValueError
        If the dtype or shape cannot be stored in an IDX file.

    See Also
    --------
    read_idx : Read an IDX file into a NumPy array.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skdigit import read_idx, write_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> write_idx(path, np.array([7, 2, 1], dtype=np.uint8))
    >>> with open(path, "rb") as f:
    ...     f.read(8)
    b'\\x00\\x00\\x08\\x01\\x00\\x00\\x00\\x03'
    >>> read_idx(path)
    array([7, 2, 1], dtype=uint8)
    """
    array = np.asarray(array)
    header, big_endian = _encode(array)
    if _is_file_object(path):
        _write_content(path, header, big_endian, bool(compress))
        return
    path = Path(path)
    if compress is None:
        compress = path.name.endswith(".gz")
    _write_atomically(path, header, big_endian, compress)


def _encode(array):
    """Return the IDX header and a C-contiguous big-endian copy or view."""
    big_endian = array.dtype.newbyteorder(">")
    if big_endian not in _CODE_BY_DTYPE:
        raise ValueError(
            f"IDX files cannot store dtype {array.dtype}; convert the array to one "
            f"of {_SUPPORTED} first (for example with .astype(np.int32))"
        )
    if array.ndim == 0:
        raise ValueError("IDX files need an array with at least one dimension")
    if max(array.shape) > _MAX_DIM:
        raise ValueError(
            f"IDX files store dimensions up to {_MAX_DIM}, got shape {array.shape}"
        )
    code = _CODE_BY_DTYPE[big_endian]
    header = struct.pack(f">BBBB{array.ndim}I", 0, 0, code, array.ndim, *array.shape)
    return header, np.ascontiguousarray(array, dtype=big_endian)


def _write_content(stream, header, big_endian, compress):
    # A uint8 view lets the buffer go to the file without a bytes copy.
    data = memoryview(big_endian.reshape(-1).view(np.uint8))
    if compress:
        # mtime=0 and no file name: the same array always gives the same bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=stream, mtime=0) as gz:
            gz.write(header)
            gz.write(data)
    else:
        stream.write(header)
        stream.write(data)


def _write_atomically(path, header, big_endian, compress):
    with atomic_write(path) as stream:
        _write_content(stream, header, big_endian, compress)
