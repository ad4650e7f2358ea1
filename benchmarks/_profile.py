"""Where a binary iteration of the compiled kernel spends its time, part by part.

One thread's CPU time (``time.thread_time``, so that other processes on a shared
machine count for little) of each part of the sweep on its own, over all the rows
and all their columns, beside the whole sweep and one float64 ``X @ w`` pass (the
bound the targets are ratios to), both in wall-clock time.

uint8 X (:func:`uint8_profile`; the sweep skips each tile's zero margins, 22% of
MNIST's pixels, so its parts cost about that much less than these):

* ``read``: every byte of X read once (OR-ed as 64-bit words, NumPy): the least an
  iteration can cost;
* ``conversion``: every tile of 4 rows converted into the sweep's tile buffer
  (``_convert``; float32 for uint8, see ``tile_dtype``): the only part that reads X
  from memory;
* ``products``: the decision values, ``_tile_dots`` of a tile buffer, as many times
  as there are tiles (the buffer stays in the cache, as in the sweep).

float32 X (:func:`float32_profile`; the sweep reads every column):

* ``read: NumPy X@w float32 (wall)``: the rows read by the BLAS, on its threads: what
  an iteration would cost if nothing else took time;
* ``products``: the decision values, ``_row_dot`` of every row of X, the part that
  reads X from memory, and the same on as many threads as the sweep takes (wall).

Both, then:

* ``updates``: the gradient, ``_tile_update`` of a tile buffer, as many times as
  there are tiles;
* ``element-wise``: the loss and residual of every row (``_sigmoid_output``);
* ``sweep, 1 thread``: the whole sweep (``CompiledKernel.sums``), and with as many
  threads as the kernel takes by default (wall-clock time: the threads' gain).
"""

import functools
import itertools
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from _timing import median_call_seconds

PASS = "X@w float64 (wall)"


@functools.cache
def _parts():
    """numba loops calling the sweep's own functions, compiled here (once: both
    profiles share them)."""
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
    def row_products(X, n_features, first, stop, W, zero):
        total = 0.0
        for row in range(first, stop):
            total += sweep._row_dot(X, row * n_features, W, 0, 0, n_features, zero)
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

    return conversion, products, row_products, updates, element_wise


def _cpu_seconds(function, repeats):
    function()  # compiled, cached, threads started
    return median_call_seconds(function, repeats, clock=time.thread_time)


def _wall_seconds(function, repeats):
    function()
    return median_call_seconds(function, repeats)


def _on_threads(function, n_rows, n_threads):
    """A call of ``function(first, stop)`` on each of ``n_threads`` ranges of rows,
    side by side: the first in the calling thread, as the kernel does."""
    bounds = np.linspace(0, n_rows, n_threads + 1).astype(int)
    ranges = list(itertools.pairwise(bounds))
    pool = ThreadPoolExecutor(max(1, n_threads - 1))

    def run():
        others = [pool.submit(function, *part) for part in ranges[1:]]
        function(*ranges[0])
        for other in others:
            other.result()

    return run, pool


def _binary_problem(X, y):
    """Targets, decision values and weights of the 4-detector on ``X``."""
    n_samples, n_features = X.shape
    return {
        "Y": (y == 4).astype(np.float64).reshape(-1, 1),
        "z": np.linspace(-3, 3, n_samples).reshape(-1, 1),
        "coef": np.full((n_features, 1), 1e-4),
        "w": np.full(n_features, 1e-4),
    }


def _default_threads(X, Y):
    """The threads a compiled kernel takes on ``X`` by default."""
    from skdigit._kernels._compiled import CompiledKernel

    kernel = CompiledKernel(X, Y, np.ones(len(X)), link="sigmoid")
    kernel.close()
    return len(kernel._parts)


def _shared_parts(X, problem, tile_dtype, repeats):
    """``updates`` (of a tile of ``tile_dtype``), ``element-wise``, the sweep on one
    thread and on the kernel's default threads, and the float64 pass: the parts both
    profiles time alike."""
    from skdigit._kernels._compiled import CompiledKernel, compute_dtype

    _, _, _, updates, element_wise = _parts()
    n_samples, n_features = X.shape
    tile = np.ones(4 * n_features, tile_dtype)
    G = np.zeros((1, n_features), compute_dtype(X.dtype))
    tile_residual = np.array([[1e-3], [-1e-3], [2e-3], [-2e-3]], G.dtype)
    Y, z, coef = problem["Y"], problem["z"], problem["coef"]
    residual = np.empty_like(z)
    one = CompiledKernel(X, Y, np.ones(n_samples), link="sigmoid", n_threads=1)
    default = CompiledKernel(X, Y, np.ones(n_samples), link="sigmoid")
    X64 = X.astype(np.float64)
    try:
        return {
            "updates": _cpu_seconds(
                lambda: updates(tile, n_features, n_samples // 4, G, tile_residual),
                repeats,
            ),
            "element-wise": _cpu_seconds(lambda: element_wise(z, Y, residual), repeats),
            "sweep, 1 thread": _cpu_seconds(lambda: one.sums(coef, None, 0.0), repeats),
            f"sweep, {len(default._parts)} threads (wall)": _wall_seconds(
                lambda: default.sums(coef, None, 0.0), repeats
            ),
            PASS: _wall_seconds(lambda: X64 @ problem["w"], repeats),
        }
    finally:
        one.close()
        default.close()


def uint8_profile(X8, y, repeats=7):
    """Seconds of each part of a uint8 iteration (see the module docstring)."""
    from skdigit._kernels._compiled import available, tile_dtype

    if not available():
        return {"skipped": "numba is not importable"}
    conversion, products, _, _, _ = _parts()
    n_samples, n_features = X8.shape
    flat = np.ascontiguousarray(X8).reshape(-1)
    words = flat[: flat.size // 8 * 8].view(np.uint64)
    tile = np.empty(4 * n_features, tile_dtype(X8.dtype))
    problem = _binary_problem(X8, y)
    W = problem["w"].reshape(1, -1)
    own = {
        "read": _cpu_seconds(lambda: np.bitwise_or.reduce(words), repeats),
        "conversion": _cpu_seconds(lambda: conversion(flat, n_features, tile), repeats),
        "products": _cpu_seconds(
            lambda: products(tile, n_features, n_samples // 4, W, 0.0), repeats
        ),
    }
    return own | _shared_parts(X8, problem, tile.dtype, repeats)


def float32_profile(X8, y, repeats=7):
    """Seconds of each part of a float32 iteration (see the module docstring), on
    the pixels of ``X8`` as float32."""
    from skdigit._kernels._compiled import available

    if not available():
        return {"skipped": "numba is not importable"}
    _, _, row_products, _, _ = _parts()
    X = np.ascontiguousarray(X8, dtype=np.float32)
    n_samples, n_features = X.shape
    flat = X.reshape(-1)
    problem = _binary_problem(X, y)
    w = problem["w"].astype(np.float32)
    W, zero = w.reshape(1, -1), np.float32(0)

    def rows(first, stop):
        return row_products(flat, n_features, first, stop, W, zero)

    threads = _default_threads(X, problem["Y"])
    threaded, pool = _on_threads(rows, n_samples, threads)
    try:
        own = {
            "read: NumPy X@w float32 (wall)": _wall_seconds(lambda: X @ w, repeats),
            "products": _cpu_seconds(lambda: rows(0, n_samples), repeats),
            f"products, {threads} threads (wall)": _wall_seconds(threaded, repeats),
        }
    finally:
        pool.shutdown()
    return own | _shared_parts(X, problem, np.float32, repeats)


def profile_lines(results):
    """The report's lines of both profiles, those that ran."""
    lines = []
    for key, dtype in (("uint8_profile", "uint8"), ("float32_profile", "float32")):
        figures = results.get(key)
        if not figures:
            continue
        if "skipped" in figures:
            lines += ["", f"{dtype} profile: skipped, {figures['skipped']}"]
            continue
        bound = figures[PASS]
        lines += [
            "",
            f"Where a {dtype} binary iteration goes (compiled kernel, all rows; one "
            "thread's CPU ms unless wall; x the float64 X@w pass):",
        ]
        for name, seconds in figures.items():
            lines.append(f"  {name:34}{1e3 * seconds:8.2f}{seconds / bound:8.2f}")
    return lines
