"""Tests for the IDX reader and writer (skdigit/_idx.py)."""

import contextlib
import gzip
import hashlib
import io
import itertools
import os
import struct
import threading
import tracemalloc
import types
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skdigit import IdxFormatError, _idx, read_idx, write_idx

IDX_DTYPES = ["uint8", "int8", "int16", "int32", "float32", "float64"]
T10K_IMAGES = "t10k-images-idx3-ubyte.gz"
T10K_LABELS = "t10k-labels-idx1-ubyte.gz"
T10K_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

# Hypothesis gives each example a fresh file in one folder per module, since
# function-scoped fixtures such as tmp_path are not reset between examples.
FAST = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("idx")


def idx_bytes(array, compress=False):
    stream = io.BytesIO()
    write_idx(stream, array, compress=compress)
    return stream.getvalue()


def header(code, *dims):
    return struct.pack(f">BBBB{len(dims)}I", 0, 0, code, len(dims), *dims)


class Unseekable(io.RawIOBase):
    """A pipe-like stream: no size, no seek, short reads."""

    def __init__(self, data):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = self._data.read(min(len(buffer), 1000))
        buffer[: len(chunk)] = chunk
        return len(chunk)


# -- round trips -----------------------------------------------------------------


@st.composite
def idx_arrays(draw):
    dtype = np.dtype(draw(st.sampled_from(IDX_DTYPES)))
    dtype = dtype.newbyteorder(draw(st.sampled_from(["<", ">"])))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6))
    return draw(hnp.arrays(dtype, shape))


@FAST
@given(array=idx_arrays(), compress=st.booleans(), use_path=st.booleans())
def test_round_trip_every_dtype_and_shape(scratch, array, compress, use_path):
    if use_path:
        source = scratch / ("round-trip.gz" if compress else "round-trip")
        write_idx(source, array)
    else:
        source = io.BytesIO(idx_bytes(array, compress))

    result = read_idx(source)

    assert result.shape == array.shape
    assert result.dtype == array.dtype.newbyteorder("=")
    assert result.dtype.isnative
    assert result.flags.writeable
    np.testing.assert_array_equal(result, array)


def test_round_trip_many_dimensions(tmp_path):
    array = np.arange(2, dtype=np.int16).reshape((1,) * 31 + (2,))
    write_idx(tmp_path / "many", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "many"), array)


def test_empty_shape_too_large_for_numpy():
    content = header(0x08, 2**32 - 1, 2**32 - 1, 0)
    with pytest.raises(IdxFormatError, match="too large for a NumPy array"):
        read_idx(io.BytesIO(content))


def test_more_dimensions_than_numpy_allows():
    content = header(0x08, *([1] * 255)) + b"\x00"
    with pytest.raises(IdxFormatError, match="255 dimensions, more than NumPy"):
        read_idx(io.BytesIO(content))


def test_layout_on_disk_is_big_endian(tmp_path):
    write_idx(tmp_path / "ints", np.array([1, -2], dtype="<i4"))
    expected = header(0x0C, 2) + b"\x00\x00\x00\x01\xff\xff\xff\xfe"
    assert (tmp_path / "ints").read_bytes() == expected


@pytest.mark.parametrize(
    ("code", "data", "expected"),
    [
        (0x08, b"\xff\x01", np.array([255, 1], dtype=np.uint8)),
        (0x09, b"\xff\x01", np.array([-1, 1], dtype=np.int8)),
        (0x0B, b"\x01\x00\xff\xfe", np.array([256, -2], dtype=np.int16)),
        (0x0C, b"\x00\x01\x00\x00\x80\x00\x00\x00", np.array([65536, -(2**31)], "i4")),
        (0x0D, struct.pack(">2f", 1.5, -2.0), np.array([1.5, -2.0], np.float32)),
        (0x0E, struct.pack(">2d", 0.1, 1e300), np.array([0.1, 1e300])),
    ],
    ids=IDX_DTYPES,
)
def test_reads_every_type_code_big_endian(code, data, expected):
    result = read_idx(io.BytesIO(header(code, 2) + data))
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)


def test_gzip_is_detected_from_content_not_name(tmp_path):
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    raw_named_gz = tmp_path / "raw.gz"
    gz_named_raw = tmp_path / "compressed-idx2-ubyte"
    write_idx(raw_named_gz, array, compress=False)
    write_idx(gz_named_raw, array, compress=True)

    assert raw_named_gz.read_bytes()[:2] == b"\x00\x00"
    assert gz_named_raw.read_bytes()[:2] == b"\x1f\x8b"
    np.testing.assert_array_equal(read_idx(raw_named_gz), array)
    np.testing.assert_array_equal(read_idx(str(gz_named_raw)), array)


def test_reads_concatenated_gzip_members_and_zero_padding():
    content = idx_bytes(np.arange(100, dtype=np.int32))
    two_members = gzip.compress(content[:50]) + gzip.compress(content[50:])
    np.testing.assert_array_equal(
        read_idx(io.BytesIO(two_members)), np.arange(100, dtype=np.int32)
    )
    padded = gzip.compress(content) + bytes(512)
    np.testing.assert_array_equal(
        read_idx(io.BytesIO(padded)), np.arange(100, dtype=np.int32)
    )


class CountingInflater:
    """A zlib decompressor that counts the compressed bytes handed to it."""

    def __init__(self, fed, **kwargs):
        self._inflater = zlib.decompressobj(**kwargs)
        self._fed = fed

    def decompress(self, data, max_length=0):
        self._fed.append(len(data))
        return self._inflater.decompress(data, max_length)

    def __getattr__(self, name):
        return getattr(self._inflater, name)


def zlib_work(content, monkeypatch):
    """Read ``content``; return the result and the bytes handed to zlib."""
    fed = []
    counting = types.SimpleNamespace(
        decompressobj=lambda **kwargs: CountingInflater(fed, **kwargs),
        error=zlib.error,
    )
    with monkeypatch.context() as patch:
        patch.setattr(_idx, "zlib", counting)
        result = read_idx(io.BytesIO(content))
    return result, sum(fed)


def test_work_grows_linearly_with_the_number_of_gzip_members(monkeypatch):
    # Each empty member used to make zlib copy the rest of the 4 MiB chunk: the
    # work grew with the square of the number of members.
    array = np.arange(10, dtype=np.uint8)
    head = idx_bytes(array, compress=True)
    empty_member = gzip.compress(b"", mtime=0)
    work, size = {}, {}
    for n_members in (2000, 4000):
        content = head + empty_member * n_members
        result, work[n_members] = zlib_work(content, monkeypatch)
        size[n_members] = len(content)
        np.testing.assert_array_equal(result, array)
    assert work[4000] < 2.5 * work[2000]  # twice the members, twice the work
    # Each member is handed to zlib with at most a small slice after it.
    assert work[4000] <= 2 * size[4000] + 4000 * 1024


def test_large_member_is_fed_in_large_slices(monkeypatch):
    array = np.random.default_rng(0).integers(0, 256, 3_000_000, dtype=np.uint8)
    content = idx_bytes(array, compress=True)
    result, work = zlib_work(content, monkeypatch)
    np.testing.assert_array_equal(result, array)
    assert work < 2 * len(content)


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_bytes_instead_of_a_file_say_what_is_expected(kind):
    content = kind(idx_bytes(np.arange(3, dtype=np.uint8)))
    with pytest.raises(TypeError, match=r"a path .* or a binary file object.*BytesIO"):
        read_idx(content)
    with pytest.raises(TypeError, match="BytesIO"):
        _idx.read_idx_digest(content, hashlib.md5())


@pytest.mark.parametrize("compress", [False, True])
def test_file_objects_without_size_or_seek(compress):
    array = np.arange(5000, dtype=np.float32).reshape(50, 100)
    stream = io.BufferedReader(Unseekable(idx_bytes(array, compress)))
    np.testing.assert_array_equal(read_idx(stream), array)


def test_file_object_is_read_from_its_position():
    array = np.arange(4, dtype=np.int8)
    stream = io.BytesIO(b"preamble" + idx_bytes(array))
    stream.seek(len(b"preamble"))
    np.testing.assert_array_equal(read_idx(stream), array)


def test_decompressing_file_object_is_not_sized_by_its_compressed_file(tmp_path):
    # GzipFile.fileno() is the compressed file's: its size must not be trusted.
    array = np.zeros((200, 28, 28), dtype=np.uint8)
    path = tmp_path / "zeros.gz"
    write_idx(path, array)
    with gzip.open(path, "rb") as stream:
        np.testing.assert_array_equal(read_idx(stream), array)


def test_write_to_file_object_is_raw_unless_asked():
    array = np.arange(3, dtype=np.uint8)
    assert idx_bytes(array)[:2] == b"\x00\x00"
    assert idx_bytes(array, compress=True)[:2] == b"\x1f\x8b"


def test_gzip_output_is_reproducible(tmp_path):
    array = np.arange(1000, dtype=np.int16)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "b.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


# -- memory mapping --------------------------------------------------------------


@pytest.mark.parametrize("dtype", IDX_DTYPES)
def test_mmap_raw_file(tmp_path, dtype):
    array = (np.arange(60) - 30).astype(dtype).reshape(3, 4, 5)
    path = tmp_path / "data"
    write_idx(path, array)

    mapped = read_idx(path, mmap=True)

    assert isinstance(mapped, np.memmap)
    assert not mapped.flags.writeable
    assert mapped.shape == array.shape
    np.testing.assert_array_equal(mapped, array)


def test_mmap_of_empty_data_is_read_only_empty_array(tmp_path):
    write_idx(tmp_path / "empty", np.zeros((0, 28, 28), dtype=np.uint8))
    result = read_idx(tmp_path / "empty", mmap=True)
    assert result.shape == (0, 28, 28)
    assert not result.flags.writeable


def test_mmap_checks_the_header_first(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(header(0x08, 10, 28, 28) + bytes(100))
    with pytest.raises(IdxFormatError, match="truncated"):
        read_idx(path, mmap=True)


def test_mmap_refuses_gzip_and_file_objects(tmp_path):
    path = tmp_path / "data.gz"
    write_idx(path, np.arange(3, dtype=np.uint8))
    with pytest.raises(IdxFormatError, match=r"data\.gz.*gzip.*decompress it first"):
        read_idx(path, mmap=True)
    with pytest.raises(ValueError, match="needs the path"):
        read_idx(io.BytesIO(idx_bytes(np.arange(3, dtype=np.uint8))), mmap=True)


# -- rough edges (issue 17, Low 13 and Low 17) -------------------------------------


def test_a_text_mode_file_object_says_to_open_in_binary(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    write_idx(path, np.arange(3, dtype=np.uint8))
    with open(path, encoding="latin-1") as text:
        with pytest.raises(TypeError, match=r"opened in text mode; open it with"):
            read_idx(text)
        with pytest.raises(TypeError, match="labels-idx1-ubyte"):
            _idx.read_idx_digest(text, hashlib.md5())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("mmap", [False, True])
def test_a_fifo_is_refused_with_its_name_and_without_blocking(tmp_path, mmap):
    fifo = tmp_path / "images-idx3-ubyte"
    os.mkfifo(fifo)
    # Were the FIFO opened, this writer would feed every reader a valid file,
    # so that the call could not hang; it never waits itself.
    content = idx_bytes(np.arange(3, dtype=np.uint8))
    done = threading.Event()

    def feed():
        while not done.wait(0.01):
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                continue  # no reader yet
            with contextlib.suppress(OSError):
                os.write(fd, content)
            os.close(fd)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        with pytest.raises(OSError, match=r"images-idx3-ubyte' is not a regular file"):
            read_idx(fifo, mmap=mmap)
    finally:
        done.set()
        writer.join(10)


def test_a_path_that_names_no_file_or_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no such IDX file: '.*nothing'"):
        read_idx(tmp_path / "nothing")
    with pytest.raises(IsADirectoryError, match="is a folder, not an IDX file"):
        _idx.read_idx_digest(tmp_path, hashlib.md5())


class EndlessZeros(io.RawIOBase):
    """A stream of unknown size: an IDX header, then zeros without end."""

    def __init__(self, head, give_up_after=64 * 2**20):
        self._head = head
        self._sent = 0
        self._give_up_after = give_up_after

    def readable(self):
        return True

    def readinto(self, buffer):
        if self._sent > self._give_up_after:
            raise AssertionError("the reader kept reading an endless stream")
        n = len(buffer)
        data = (self._head + bytes(n))[:n]
        self._head = self._head[n:]
        buffer[:n] = data
        self._sent += n
        return n


def test_an_unsized_stream_promising_more_than_memory_is_refused():
    stream = io.BufferedReader(EndlessZeros(header(0x08, 2**31, 2**31)))
    with pytest.raises(IdxFormatError, match=r"more than this computer's memory"):
        read_idx(stream)


# -- invalid files ---------------------------------------------------------------

VALID = header(0x08, 2, 3) + bytes(range(6))
VALID_GZ = gzip.compress(VALID)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html>\n<html><head><title>404</title></head></html>", "HTML"),
        (b"\n  <html><body>Forbidden</body></html>", "HTML page"),
        (b'<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', "XML"),
        (b"\x00\x00\x08", "ends after 3 bytes"),
        (b"\x01\x00\x08\x01\x00\x00\x00\x00", "two zero bytes"),
        (b"\x00\x00\x0a\x01\x00\x00\x00\x00", r"type code 0x0A.*0x08 \(uint8\)"),
        (b"\x00\x00\x08\x00", "0 dimensions"),
        (
            b"\x00\x00\x08\x03\x00\x00\x00\x01",
            "declares 3 dimensions.*inside the header",
        ),
        (VALID[:-1], "promises 6 bytes of uint8 data .2 x 3. .*ends after 5"),
        (VALID + b"\x00", "1 unexpected bytes follow"),
        (header(0x0E, 2) + bytes(15), "16 bytes of float64 data.*ends after 15"),
        (VALID_GZ[:-9], "cut short"),
        (gzip.compress(VALID[:-1]), "ends after 5 bytes"),
        (gzip.compress(VALID + b"\x07"), "more data follows"),
        (VALID_GZ[:10] + b"\xff" + VALID_GZ[11:], "corrupt gzip.*invalid block"),
        (VALID_GZ[:-8] + b"\x00\x00\x00\x00" + VALID_GZ[-4:], "corrupt gzip"),
        (VALID_GZ + b"garbage", "after the end of the gzip stream"),
    ],
    ids=lambda value: None if isinstance(value, bytes) else value[:24],
)
def test_invalid_files_raise_idx_format_error_naming_the_file(
    tmp_path, content, message
):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(content)

    with pytest.raises(IdxFormatError, match=message) as from_path:
        read_idx(path)
    with pytest.raises(IdxFormatError, match=message):
        read_idx(io.BytesIO(content))

    assert str(from_path.value).startswith(str(path))
    assert isinstance(from_path.value, ValueError)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("as_stream", ["path", "bytesio", "unseekable"])
def test_huge_claim_in_small_file_fails_without_allocating(
    tmp_path, compress, as_stream
):
    content = header(0x08, 2**31, 28, 28) + bytes(range(256)) * 4
    if compress:
        content = gzip.compress(content)
    assert len(content) < 1100
    path = tmp_path / "huge"
    path.write_bytes(content)
    source = {
        "path": path,
        "bytesio": io.BytesIO(content),
        "unseekable": io.BufferedReader(Unseekable(content)),
    }[as_stream]

    tracemalloc.start()
    try:
        with pytest.raises(IdxFormatError, match="1683627180032 bytes"):
            read_idx(source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20


def test_gzip_reader_stops_one_byte_past_the_promise(monkeypatch):
    # A small header followed by lots of data: reading must stop early rather
    # than decompressing everything.
    content = gzip.compress(header(0x08, 4) + bytes(4 + 10_000_000))
    produced = []
    original = _idx._GzipReader._inflate

    def counting(self, n):
        pieces = original(self, n)
        produced.append(sum(map(len, pieces)))
        return pieces

    monkeypatch.setattr(_idx._GzipReader, "_inflate", counting)
    with pytest.raises(IdxFormatError, match="more data follows"):
        read_idx(io.BytesIO(content))
    assert sum(produced) == 8 + 4 + 1


@FAST
@given(content=st.binary(max_size=300), compress=st.booleans())
def test_random_bytes_raise_only_idx_format_error(scratch, content, compress):
    if compress:
        content = gzip.compress(content)
    path = scratch / "random"
    path.write_bytes(content)
    for source, mmap in [(io.BytesIO(content), False), (path, False), (path, True)]:
        try:
            result = read_idx(source, mmap=mmap)
        except IdxFormatError as exc:
            assert str(exc)
        else:
            assert isinstance(result, np.ndarray)


@st.composite
def mutations(draw):
    array = draw(idx_arrays())
    content = bytearray(idx_bytes(array, compress=draw(st.booleans())))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "set"]))
        at = draw(st.integers(0, max(len(content) - 1, 0)))
        if kind == "flip" and content:
            content[at] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del content[at:]
        elif kind == "insert":
            content[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "set" and content:
            content[at] = draw(st.sampled_from([0x00, 0x7F, 0x80, 0xFF]))
    return bytes(content)


@FAST
@given(content=mutations())
def test_mutated_files_raise_only_idx_format_error(scratch, content):
    path = scratch / "mutated"
    path.write_bytes(content)
    for source in (io.BytesIO(content), path):
        try:
            result = read_idx(source)
        except IdxFormatError as exc:
            assert str(exc)
        else:
            assert isinstance(result, np.ndarray)


# -- content digests -------------------------------------------------------------


def md5_hex(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@FAST
@given(array=idx_arrays(), compress=st.booleans(), members=st.integers(1, 3))
def test_read_idx_digest_hashes_the_uncompressed_content(array, compress, members):
    content = idx_bytes(array)
    if compress:
        cuts = np.linspace(0, len(content), members + 1).astype(int)
        data = b"".join(
            gzip.compress(content[a:b]) for a, b in itertools.pairwise(cuts)
        )
    else:
        data = content
    digest = hashlib.md5()

    result = _idx.read_idx_digest(io.BytesIO(data), digest)

    np.testing.assert_array_equal(result, array)
    assert digest.hexdigest() == md5_hex(content)


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_digest_of_a_path_and_an_unseekable_stream(tmp_path, compress):
    array = np.arange(5000, dtype=np.int16).reshape(50, 100)
    content = idx_bytes(array)
    path = tmp_path / "data"
    write_idx(path, array, compress=compress)
    for source in (path, io.BufferedReader(Unseekable(path.read_bytes()))):
        digest = hashlib.md5()
        np.testing.assert_array_equal(_idx.read_idx_digest(source, digest), array)
        assert digest.hexdigest() == md5_hex(content)


def test_read_idx_digest_raises_like_read_idx(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(VALID[:-1])
    with pytest.raises(IdxFormatError, match="ends after 5"):
        _idx.read_idx_digest(path, hashlib.md5())


@pytest.mark.parametrize("compress", [False, True])
def test_digest_content_stops_past_the_limit(compress):
    content = header(0x08, 50_000_000) + bytes(50_000_000)
    data = gzip.compress(content, compresslevel=1) if compress else content
    digest = hashlib.md5()

    tracemalloc.start()
    try:
        n_bytes = _idx.digest_content(io.BytesIO(data), digest, limit=1000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert n_bytes == 1001
    assert digest.hexdigest() == md5_hex(content[:1001])
    assert peak < 16 * 2**20


def test_digest_content_of_whole_files_and_errors():
    content = b"any bytes at all, IDX or not"
    for data in (content, gzip.compress(content)):
        digest = hashlib.md5()
        assert _idx.digest_content(io.BytesIO(data), digest, limit=100) == len(content)
        assert digest.hexdigest() == md5_hex(content)
    with pytest.raises(IdxFormatError, match=r"^download: .*cut short"):
        _idx.digest_content(
            io.BytesIO(gzip.compress(content)[:-9]),
            hashlib.md5(),
            limit=100,
            name="download",
        )


# -- writing errors and atomicity ------------------------------------------------


@pytest.mark.parametrize("dtype", ["int64", "uint16", "float16", "bool", "complex64"])
def test_write_rejects_unsupported_dtypes(tmp_path, dtype):
    with pytest.raises(ValueError, match=r"cannot store dtype.*0x08 \(uint8\)"):
        write_idx(tmp_path / "x", np.zeros(3, dtype=dtype))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.uint8(3), "at least one dimension"),
        (np.zeros((2**32, 0), dtype=np.uint8), "dimensions up to 4294967295"),
    ],
)
def test_write_rejects_unstorable_shapes(tmp_path, array, message):
    with pytest.raises(ValueError, match=message):
        write_idx(tmp_path / "x", array)


def test_write_failure_leaves_no_partial_file(tmp_path, monkeypatch):
    path = tmp_path / "data.gz"
    write_idx(path, np.arange(10, dtype=np.uint8))
    before = path.read_bytes()

    def fail_halfway(stream, header, data, compress):
        stream.write(header)
        raise OSError("disk full")

    monkeypatch.setattr(_idx, "_write_content", fail_halfway)
    with pytest.raises(OSError, match="disk full"):
        write_idx(path, np.arange(20, dtype=np.uint8))

    assert os.listdir(tmp_path) == ["data.gz"]
    assert path.read_bytes() == before


def test_write_replaces_existing_file(tmp_path):
    path = tmp_path / "labels"
    write_idx(path, np.arange(10, dtype=np.uint8))
    write_idx(path, np.arange(3, dtype=np.uint8))
    np.testing.assert_array_equal(read_idx(path), np.arange(3, dtype=np.uint8))
    assert os.listdir(tmp_path) == ["labels"]


# -- real data -------------------------------------------------------------------


def test_reads_real_t10k_images(mnist_file):
    path = mnist_file(T10K_IMAGES)
    images = read_idx(path)
    content = gzip.decompress(path.read_bytes())

    assert images.shape == (10000, 28, 28)
    assert images.dtype == np.uint8
    assert content[:4] == b"\x00\x00\x08\x03"
    np.testing.assert_array_equal(images.ravel(), np.frombuffer(content[16:], np.uint8))


def test_reads_real_t10k_labels(mnist_file):
    labels = read_idx(mnist_file(T10K_LABELS))
    assert labels.shape == (10000,)
    assert np.bincount(labels).tolist() == T10K_CLASS_COUNTS


def test_mmap_of_real_decompressed_images(mnist_file, tmp_path):
    raw = tmp_path / "t10k-images-idx3-ubyte"
    raw.write_bytes(gzip.decompress(mnist_file(T10K_IMAGES).read_bytes()))
    mapped = read_idx(raw, mmap=True)
    assert isinstance(mapped, np.memmap)
    np.testing.assert_array_equal(mapped, read_idx(mnist_file(T10K_IMAGES)))
