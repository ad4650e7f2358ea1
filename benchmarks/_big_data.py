"""The big fit's data: MNIST's training digits shifted by up to 2 pixels, as IDX files.

:func:`write_shifted` writes ``rows`` images (8.1 million by default, the size of
infiMNIST: 6.4 GB) and their labels as raw IDX files, 60000 rows at a time: block
``b`` is the 60000 training digits in order, each moved by its own ``(dy, dx)`` in
-2..2 (drawn from a generator seeded with ``b``; zero shifts included), the pixels
moved out of the 28x28 frame dropped, those moved in 0. The same rows give the same
files on every machine. :func:`mapped` memory-maps them.
"""

import struct
import sys
from pathlib import Path

import numpy as np

from skdigit import read_idx
from skdigit._files import atomic_write

BLOCK = 60_000
MAX_SHIFT = 2
SIDE = 28
IMAGES = "shifted-images-idx3-ubyte"
LABELS = "shifted-labels-idx1-ubyte"


def shift(images, dy, dx):
    """``images`` (n, 28, 28) moved down by ``dy`` and right by ``dx`` pixels.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.arange(9).reshape(1, 3, 3)
    >>> shift(image, 1, -1)[0].tolist()
    [[0, 0, 0], [1, 2, 0], [4, 5, 0]]
    """
    moved = np.zeros_like(images)
    side = images.shape[1]

    def span(step):
        """Where the pixels go, and where they come from, along one axis."""
        return slice(max(step, 0), side + min(step, 0)), slice(
            max(-step, 0), side - max(step, 0)
        )

    (rows_to, rows_from), (columns_to, columns_from) = span(dy), span(dx)
    moved[:, rows_to, columns_to] = images[:, rows_from, columns_from]
    return moved


def shifted_block(images, block):
    """Block ``block`` of the file: ``images`` (60000, 28, 28), each moved by its
    own shift of up to :data:`MAX_SHIFT` pixels."""
    rng = np.random.default_rng(block)
    shifts = rng.integers(-MAX_SHIFT, MAX_SHIFT + 1, size=(len(images), 2))
    moved = np.empty_like(images)
    for dy in range(-MAX_SHIFT, MAX_SHIFT + 1):
        for dx in range(-MAX_SHIFT, MAX_SHIFT + 1):
            rows = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
            moved[rows] = shift(images[rows], dy, dx)
    return moved


def _idx_header(code, shape):
    """The IDX header of a big-endian array of type ``code`` and ``shape``."""
    return struct.pack(f">BBBB{len(shape)}I", 0, 0, code, len(shape), *shape)


def write_shifted(folder, images, labels, rows):
    """Write the images and labels files of ``rows`` rows into ``folder``.

    Each file appears complete or not at all (written to a temporary file, then
    renamed). Returns their paths.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / IMAGES, folder / LABELS
    blocks = -(-rows // BLOCK)
    with atomic_write(paths[1]) as file:
        file.write(_idx_header(0x08, (rows,)))
        for block in range(blocks):
            file.write(labels[: min(BLOCK, rows - block * BLOCK)].tobytes())
    with atomic_write(paths[0]) as file:
        file.write(_idx_header(0x08, (rows, SIDE, SIDE)))
        for block in range(blocks):
            count = min(BLOCK, rows - block * BLOCK)
            file.write(shifted_block(images, block)[:count].tobytes())
            if block % 10 == 9:
                print(f"  written {block + 1} of {blocks} blocks", file=sys.stderr)
    return paths


def mapped(folder, rows):
    """``(X, y)``: the images file memory-mapped as (rows, 784) uint8, and the
    labels in memory; None when the files are not there with ``rows`` rows."""
    paths = Path(folder) / IMAGES, Path(folder) / LABELS
    if not all(path.is_file() for path in paths):
        return None
    images = read_idx(paths[0], mmap=True)
    if len(images) != rows:
        return None
    return images.reshape(rows, SIDE * SIDE), read_idx(paths[1])


def mapped_rows(path, start, stop):
    """Rows ``start:stop`` of the images file, memory-mapped (run by each dask
    worker on its own chunks: the pixels never travel)."""
    images = read_idx(path, mmap=True)
    return images.reshape(len(images), SIDE * SIDE)[start:stop]


def dask_rows(folder, rows, chunk_rows):
    """The images file as a dask array of row chunks, each a memory map opened by
    the worker that computes it."""
    import cloudpickle
    import dask
    import dask.array as da

    # The workers need not import this module: its functions travel by value.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    path = str(Path(folder) / IMAGES)
    read = dask.delayed(mapped_rows, pure=True)
    return da.concatenate(
        [
            da.from_delayed(
                read(path, start, min(start + chunk_rows, rows)),
                shape=(min(start + chunk_rows, rows) - start, SIDE * SIDE),
                dtype=np.uint8,
            )
            for start in range(0, rows, chunk_rows)
        ]
    )
