"""Where a uint8 binary iteration of the compiled kernel spends its time.

One thread's CPU time (``time.thread_time``, so that other processes on a shared
machine count for little) of each part of the sweep on its own, over all the rows
and all their columns (the sweep skips each tile's zero margins, 22% of MNIST's
pixels, so its parts cost about that much less than these):

* ``read``: every byte of X read once (OR-ed as 64-bit words, NumPy): the least an
  iteration can cost;
* ``conversion``: every tile of 4 rows converted into the sweep's tile buffer
  (``_convert``; float32 for uint8, see ``tile_dtype``): the only part that reads X
  from memory;
* ``products``: the decision values, ``_tile_dots`` of a tile buffer, as many times
  as there are tiles (the buffer stays in the cache, as in the sweep);
* ``updates``: the gradient, ``_tile_update`` of a tile buffer, as many times;
* ``element-wise``: the loss and residual of every row (``_sigmoid_output``);
* ``sweep, 1 thread``: the whole sweep (``CompiledKernel.sums``), and with as many
  threads as the kernel takes by default (wall-clock time: the threads' gain).
"""

import time

import numpy as np
from _timing import median_call_seconds


def _parts():
    """numba loops calling the sweep's own functions, compiled here."""
    from numba import njit

    from skdigit._kernels import _numba_sweep as sweep

    rows = sweep.TILE_ROWS

    @njit(nogil=True)
    def conversion(X, n_features, tile):
        for row in range(0, X.size // n_features - rows + 1, rows):
            for r in range(rows):
                start = (row + r) * n_features
                sweep._convert(X, start, tile, r * n_features, n_features)

    @njit(nogil=True)
    def products(tile, n_features, n_tiles, W, zero):
        total = 0.0
        starts = sweep._row_starts(0, rows, n_features)
        for _ in range(n_tiles):
            dots = sweep._tile_dots(tile, starts, W, 0, 0, n_features, zero)
            total += dots[0] + dots[1] + dots[2] + dots[3]
        return total

    @njit(nogil=True)
    def updates(tile, n_features, n_tiles, G, residual):
        starts = sweep._row_starts(0, rows, n_features)
        for _ in range(n_tiles):
            sweep._tile_update(G, 0, tile, starts, 0, n_features, residual)

    @njit(nogil=True)
    def element_wise(z, Y, residual):
        total = 0.0
        for i in range(z.shape[0]):
            row_loss, probability = sweep._sigmoid_output(z[i, 0], Y[i, 0])
            residual[i, 0] = probability - Y[i, 0]
            total += row_loss - 0.5
        return total

    return conversion, products, updates, element_wise


def _cpu_seconds(function, repeats):
    function()  # compiled, cached, threads started
    return median_call_seconds(function, repeats, clock=time.thread_time)


def _wall_seconds(function, repeats):
    function()
    return median_call_seconds(function, repeats)


def uint8_profile(X8, y, repeats=7):
    """Seconds of each part (see the module docstring), and the float64 pass."""
    from skdigit._kernels._compiled import CompiledKernel, available, tile_dtype

    if not available():
        return {"skipped": "numba is not importable"}
    conversion, products, updates, element_wise = _parts()
    n_samples, n_features = X8.shape
    flat = np.ascontiguousarray(X8).reshape(-1)
    words = flat[: flat.size // 8 * 8].view(np.uint64)
    n_tiles = n_samples // 4
    tile = np.empty(4 * n_features, tile_dtype(X8.dtype))
    w = np.full(n_features, 1e-4)
    W = w.reshape(1, -1)
    G = np.zeros((1, n_features))
    tile_residual = np.array([[1e-3], [-1e-3], [2e-3], [-2e-3]])
    z = np.linspace(-3, 3, n_samples).reshape(-1, 1)
    Y = (y == 4).astype(np.float64).reshape(-1, 1)
    residual = np.empty_like(z)
    coef = np.full((n_features, 1), 1e-4)
    one = CompiledKernel(X8, Y, np.ones(n_samples), link="sigmoid", n_threads=1)
    default = CompiledKernel(X8, Y, np.ones(n_samples), link="sigmoid")
    X64 = X8.astype(np.float64)
    try:
        return {
            "read": _cpu_seconds(lambda: np.bitwise_or.reduce(words), repeats),
            "conversion": _cpu_seconds(
                lambda: conversion(flat, n_features, tile), repeats
            ),
            "products": _cpu_seconds(
                lambda: products(tile, n_features, n_tiles, W, 0.0), repeats
            ),
            "updates": _cpu_seconds(
                lambda: updates(tile, n_features, n_tiles, G, tile_residual), repeats
            ),
            "element-wise": _cpu_seconds(lambda: element_wise(z, Y, residual), repeats),
            "sweep, 1 thread": _cpu_seconds(lambda: one.sums(coef, None, 0.0), repeats),
            f"sweep, {len(default._parts)} threads (wall)": _wall_seconds(
                lambda: default.sums(coef, None, 0.0), repeats
            ),
            "X@w float64 (wall)": _wall_seconds(lambda: X64 @ w, repeats),
        }
    finally:
        one.close()
        default.close()


def profile_lines(results):
    figures = results.get("uint8_profile")
    if not figures:
        return []
    if "skipped" in figures:
        return ["", f"uint8 profile: skipped, {figures['skipped']}"]
    bound = figures["X@w float64 (wall)"]
    lines = [
        "",
        "Where a uint8 binary iteration goes (compiled kernel, all rows; one thread's "
        "CPU ms unless wall; x the float64 X@w pass):",
    ]
    for name, seconds in figures.items():
        lines.append(f"  {name:34}{1e3 * seconds:8.2f}{seconds / bound:8.2f}")
    return lines
