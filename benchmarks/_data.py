"""The benchmark's 60000 x 784 uint8 pixels and digit labels.

Real MNIST train images when they are in the data folder; otherwise a same-shape
array, built from the real t10k images tiled six times when those are there (real
pixel values and sparsity), else from random pixels with MNIST's share of zeros.
:func:`first_rows` keeps fewer rows (the quick run), :func:`tiled` makes more.
"""

import argparse
from pathlib import Path

import numpy as np

from skdigit import read_idx

N_SAMPLES, N_FEATURES = 60_000, 784
TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
T10K = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
# About 81% of MNIST's pixels are 0.
ZERO_SHARE = 0.81

SOURCES = ("auto", "train", "t10k", "random")


def default_data_dir():
    """Where skdigit itself looks for MNIST: ``$SKDIGIT_DATA``, else
    ``~/skdigit_data`` (the folder is not created)."""
    from skdigit._mnist import _resolve_data_home

    return _resolve_data_home(None)


def argument_parser(doc):
    """A parser for a benchmark script whose docstring is ``doc``, with the
    ``--data-dir`` option every script takes."""
    parser = argparse.ArgumentParser(
        description=doc.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir",
        default=default_data_dir(),
        help="folder of MNIST files (default: $SKDIGIT_DATA, else ~/skdigit_data, "
        "where skdigit looks)",
    )
    return parser


def _find(data_dir, names):
    """Paths of ``names`` in ``data_dir`` (or their uncompressed twins), or None."""
    if not data_dir:
        return None
    paths = []
    for name in names:
        candidates = [Path(data_dir) / name, Path(data_dir) / name.removesuffix(".gz")]
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            return None
        paths.append(found)
    return paths


def _read(paths):
    images, labels = (read_idx(path) for path in paths)
    return images.reshape(len(images), -1), labels


def _tiled_t10k(paths):
    images, labels = _read(paths)
    repeats = -(-N_SAMPLES // len(images))
    return (
        np.tile(images, (repeats, 1))[:N_SAMPLES],
        np.tile(labels, repeats)[:N_SAMPLES],
    )


def _random(seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(1, 256, size=(N_SAMPLES, N_FEATURES), dtype=np.uint8)
    images[rng.random(images.shape) < ZERO_SHARE] = 0
    return images, rng.integers(0, 10, size=N_SAMPLES).astype(np.uint8)


def load(data_dir, source="auto"):
    """Return ``(X, y, description)``: X of shape (60000, 784) uint8, y digits.

    Parameters
    ----------
    data_dir : str or path-like or None
        Folder of MNIST files.
    source : {"auto", "train", "t10k", "random"}
        "auto" takes the first available of real train images, tiled t10k images
        and random pixels; the others insist on one (and fail without its files).
    """
    train, t10k = _find(data_dir, TRAIN), _find(data_dir, T10K)
    if source in ("auto", "train") and train:
        X, y = _read(train)
        return X, y, f"real MNIST train images ({train[0]})"
    if source in ("auto", "t10k") and t10k:
        X, y = _tiled_t10k(t10k)
        return X, y, f"real MNIST t10k images tiled to 60000 rows ({t10k[0]})"
    if source in ("auto", "random"):
        X, y = _random()
        why = "" if source == "random" else f", no MNIST images in {data_dir}"
        return X, y, f"random uint8 pixels, {ZERO_SHARE:.0%} zeros{why}"
    raise FileNotFoundError(f"--data {source}: its MNIST files are not in {data_dir}")


def first_rows(X, y, n_rows):
    """The first ``n_rows`` rows of ``X`` and labels of ``y``, as their own arrays."""
    return np.ascontiguousarray(X[:n_rows]), np.ascontiguousarray(y[:n_rows])


def tiled_rows(X, start, stop):
    """Rows ``start:stop`` of ``X`` repeated downwards as often as needed."""
    return np.take(X, np.arange(start, stop) % len(X), axis=0)


def tiled(X, y, n_rows):
    """``X`` and ``y`` repeated downwards to ``n_rows`` rows.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = tiled(np.array([[1], [2]]), np.array([0, 1]), 3)
    >>> X.ravel().tolist(), y.tolist()
    ([1, 2, 1], [0, 1, 0])
    """
    return tiled_rows(X, 0, n_rows), tiled_rows(y, 0, n_rows)
