"""Dask's per-iteration overhead: fits on a local cluster against the in-memory fit.

A ``LocalCluster`` of 2 worker processes with 1 thread each (127.0.0.1, no
dashboard) fits the notebook's binary problem on the uint8 pixels tiled to 1, 4 and
16 times their rows, and the NumPy kernel fits the same array in memory, in turn.
The tiles are made on the workers from one scattered copy of the pixels, as data
that live on the cluster, so that each fit's persisting ships no pixels. At 4 times
the rows, a sweep of chunk sizes checks the documentation's advice (20,000 to
100,000 rows per chunk on MNIST-sized rows).

Both sides run the NumPy kernel (``SKDIGIT_KERNEL=numpy``, which the workers inherit):
the difference is dask's own cost.
"""

import logging
import warnings

import _data
import numpy as np
from _kernel_choice import use_kernel
from _per_iteration import DIGIT, fit_job
from _timing import Job, busiest, in_turn

N_WORKERS = 2
SIZES = (1, 4, 16)  # times the rows of the pixels
SWEEP_SIZE = 4
# Chunk rows, as fractions of the rows of the pixels (60000: 30000 rows per chunk,
# 10000 to 120000 in the sweep).
CHUNK_SHARE = 1 / 2
SWEEP_SHARES = (1 / 6, 1 / 2, 1, 2)


def start_cluster(kernel="numpy"):
    """A local cluster of worker processes and its client; the workers run
    ``SKDIGIT_KERNEL=kernel`` (None: skdigit's choice)."""
    from distributed import Client, LocalCluster

    with use_kernel(kernel), warnings.catch_warnings():
        # Its health and metrics server (no dashboard) takes another port on
        # 127.0.0.1 when 8787 is in use: nothing to warn about here.
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        cluster = LocalCluster(
            n_workers=N_WORKERS,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    return cluster, Client(cluster)


def cluster_pixels(pixels, shape, n_rows, chunk_rows):
    """A dask array of ``pixels`` tiled to ``n_rows``, computed on the workers from
    ``pixels`` (a future of the scattered uint8 array of shape ``shape``)."""
    import dask
    import dask.array as da

    rows_of = dask.delayed(np.take, pure=True)
    n_base, n_features = shape
    pieces = []
    for start in range(0, n_rows, chunk_rows):
        stop = min(start + chunk_rows, n_rows)
        index = np.arange(start, stop) % n_base
        pieces.append(
            da.from_delayed(
                rows_of(pixels, index, axis=0),
                shape=(stop - start, n_features),
                dtype=np.uint8,
            )
        )
    return da.concatenate(pieces)


def _jobs(pixels, X8, y, n_rows, chunk_sizes, iterations, warmup):
    """The in-memory fit and a dask fit per chunk size, on ``n_rows`` rows."""
    X, labels = _data.tiled(X8, y, n_rows)
    target = labels == DIGIT
    jobs = {"numpy": fit_job(X, target, "binary", iterations, kernel="numpy")}
    for chunk_rows in chunk_sizes:
        X_dask = cluster_pixels(pixels, X8.shape, n_rows, chunk_rows)
        jobs[f"dask {chunk_rows}"] = fit_job(X_dask, target, "binary", iterations)
    if not warmup:
        jobs = {name: Job(job.run) for name, job in jobs.items()}
    return jobs


def _figures(results, chunk_rows, n_rows):
    dask = results[f"dask {chunk_rows}"]["per_iteration_s"]
    numpy = results["numpy"]["per_iteration_s"]
    return {
        "rows": n_rows,
        "chunk_rows": chunk_rows,
        "chunks": -(-n_rows // chunk_rows),
        "dask_per_iteration_s": dask,
        "numpy_per_iteration_s": numpy,
        "overhead_s": dask - numpy,
        "ratio": dask / numpy,
        "other_processes_cores": busiest(results),
    }


def dask_rows(X8, y, iterations, repeats, sizes=SIZES, *, warmup=True):
    """Per-iteration figures at each of ``sizes`` (times the rows of ``X8``), and of
    the chunk sweep at 4 times the rows; ``warmup``: a short fit of each kind first
    (workers importing skdigit, threads starting). Without dask.distributed,
    ``{"skipped": reason}``."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return {"skipped": "dask.distributed is not installed (skdigit[dask])"}
    n_base = len(X8)
    chunk_rows = int(n_base * CHUNK_SHARE)
    sweep = [int(n_base * share) for share in SWEEP_SHARES]
    cluster, client = start_cluster()
    try:
        pixels = client.scatter(X8, broadcast=True)
        by_size, chunk_sweep = {}, {}
        for times in sizes:
            n_rows = n_base * times
            chunk_sizes = sweep if times == SWEEP_SIZE else [chunk_rows]
            print(f"  dask: {n_rows} rows, chunks of {chunk_sizes} rows", flush=True)
            first = warmup and times == sizes[0]
            jobs = _jobs(pixels, X8, y, n_rows, chunk_sizes, iterations, first)
            results = in_turn(jobs, repeats)
            by_size[n_rows] = _figures(results, chunk_rows, n_rows)
            if times == SWEEP_SIZE:
                chunk_sweep = {
                    size: _figures(results, size, n_rows) for size in chunk_sizes
                }
        return {
            "workers": N_WORKERS,
            "threads_per_worker": 1,
            "iterations": iterations,
            "chunk_rows": chunk_rows,
            "sizes": by_size,
            "chunk_sweep": chunk_sweep,
        }
    finally:
        client.close()
        cluster.close()
