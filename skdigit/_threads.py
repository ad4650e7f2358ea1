"""Threads for the fit: how many, which rows each takes, and the BLAS around them.

A fit shares its row blocks between as many Python threads as the BLAS may use, each
running single-threaded BLAS on its own rows (NumPy releases the GIL in BLAS calls and
ufunc loops): threads streaming their own rows beat BLAS threads splitting every small
product. ``threadpoolctl.threadpool_limits(1)`` (or ``OMP_NUM_THREADS=1``) still makes
the fit single-threaded, because the thread count follows the BLAS setting.
"""

import functools
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
from threadpoolctl import ThreadpoolController


def blas_thread_count():
    """How many threads the BLAS may use now, as threadpoolctl reports it.

    The smallest setting over the loaded BLAS libraries, so that a limit set on any
    of them (``threadpool_limits(1)``, ``OMP_NUM_THREADS=1``, ...) is respected.

    Examples
    --------
    >>> from threadpoolctl import threadpool_limits
    >>> from skdigit._threads import blas_thread_count
    >>> with threadpool_limits(1, user_api="blas"):
    ...     blas_thread_count()
    1
    """
    libraries = ThreadpoolController().select(user_api="blas").lib_controllers
    counts = [library.num_threads for library in libraries]
    return max(1, min(counts, default=1))


def fit_threads(n_blocks, *, sparse=False):
    """Threads for one fit: as many as the BLAS may use, with at least two blocks
    each so that the work outweighs the threads' overhead; one for sparse X, whose
    products do not use the BLAS.

    Examples
    --------
    >>> from threadpoolctl import threadpool_limits
    >>> from skdigit._threads import fit_threads
    >>> with threadpool_limits(1, user_api="blas"):
    ...     fit_threads(8)
    1
    >>> fit_threads(3)
    1
    """
    if sparse or n_blocks < 4:
        return 1
    return min(blas_thread_count(), n_blocks // 2)


def split_blocks(blocks, n_parts):
    """Share the blocks between at most ``n_parts`` threads: runs of consecutive
    blocks holding about as many rows each.

    Examples
    --------
    >>> from skdigit._threads import split_blocks
    >>> split_blocks([slice(0, 4), slice(4, 8), slice(8, 10)], 2)
    [[slice(0, 4, None)], [slice(4, 8, None), slice(8, 10, None)]]
    """
    ends = np.cumsum([block.stop - block.start for block in blocks])
    # Each cut goes at the block boundary nearest to k / n_parts of the rows.
    targets = ends[-1] * np.arange(1, n_parts) / n_parts
    nearest = np.abs(ends[:, None] - targets).argmin(axis=0) + 1
    bounds = sorted({0, len(blocks), *nearest.tolist()})
    return [blocks[start:stop] for start, stop in itertools.pairwise(bounds)]


@functools.cache
def _blas_controller():
    # Inspecting the loaded libraries takes milliseconds: once per process.
    return ThreadpoolController().select(user_api="blas")


_blas_lock = threading.Lock()
_blas_limit = {"calls": 0, "limiter": None}


@contextmanager
def single_threaded_blas():
    """Limit the BLAS libraries to one thread while threaded kernel calls run.

    The limit is process-wide, so calls running at the same time (fits in several
    threads) share it: the first one sets it and the last one restores the setting
    found before the first.
    """
    with _blas_lock:
        if _blas_limit["calls"] == 0:
            _blas_limit["limiter"] = _blas_controller().limit(limits=1)
        _blas_limit["calls"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_limit["calls"] -= 1
            if _blas_limit["calls"] == 0:
                _blas_limit["limiter"].restore_original_limits()


class PartPool:
    """Runs one function on each of a fixed list of parts, one thread per part.

    With a single part it runs in the calling thread and leaves the BLAS alone.
    :meth:`close` stops the threads; a fit closes its pool when it ends, also when
    it is interrupted.

    Examples
    --------
    >>> from skdigit._threads import PartPool
    >>> pool = PartPool([1, 2, 3])
    >>> out = []
    >>> pool.run(out.append)
    >>> sorted(out)
    [1, 2, 3]
    >>> pool.close()
    """

    def __init__(self, parts):
        self.parts = parts
        self._executor = None
        if len(parts) > 1:
            self._executor = ThreadPoolExecutor(len(parts), "skdigit-fit")

    def run(self, function):
        """Call ``function(part)`` for every part and wait for all of them."""
        if self._executor is None:
            for part in self.parts:
                function(part)
            return
        # One thread per part already: BLAS threads on top would only compete for
        # the same cores.
        with single_threaded_blas():
            # list() waits for every part and re-raises their errors.
            list(self._executor.map(function, self.parts))

    def close(self):
        """Stop the threads (after the calls in flight, if any, finish)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
