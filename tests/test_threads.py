"""Threads for the fit: counts, shares of the blocks, the BLAS setting around them."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from skdigit._kernels import _numpy as numpy_kernel
from skdigit._threads import blas_thread_count, fit_threads, split_blocks

from ._problems import blocks_of, evaluator, make_problem


def test_split_blocks_gives_balanced_runs_of_consecutive_blocks():
    blocks = blocks_of(np.zeros((1000, 1)))  # one block with the default size
    assert split_blocks(blocks, 4) == [blocks]
    blocks = [slice(start, min(start + 7, 53)) for start in range(0, 53, 7)]
    for n_parts in (1, 2, 3, 8, 20):
        parts = split_blocks(blocks, n_parts)
        assert len(parts) == min(n_parts, len(blocks))
        assert [block for part in parts for block in part] == blocks
        sizes = [part[-1].stop - part[0].start for part in parts]
        assert max(sizes) - min(sizes) <= 7


def test_threads_follow_the_blas_setting():
    blocks = [slice(start, start + 10) for start in range(0, 100, 10)]
    with threadpool_limits(1, user_api="blas"):
        assert blas_thread_count() == 1
        assert fit_threads(len(blocks)) == 1
    with threadpool_limits(3, user_api="blas"):
        assert fit_threads(len(blocks)) == min(3, blas_thread_count())
        assert fit_threads(len(blocks[:5])) <= 2  # two blocks per thread at least
        assert fit_threads(len(blocks[:3])) == 1
        assert fit_threads(len(blocks), sparse=True) == 1


def test_threaded_evaluation_restores_the_blas_setting(monkeypatch):
    X, Y, weights, coef, intercept = make_problem(n_samples=300, n_outputs=3)
    monkeypatch.setattr(numpy_kernel, "BLOCK_BYTES", 10 * X.shape[1] * 8)
    with threadpool_limits(2, user_api="blas"):
        before = [library["num_threads"] for library in threadpool_info()]
        evaluate = evaluator(X, Y, weights, link="softmax")
        loss, _, _ = evaluate(coef, intercept)
        assert [library["num_threads"] for library in threadpool_info()] == before
    with threadpool_limits(1, user_api="blas"):
        single = evaluator(X, Y, weights, link="softmax")(coef, intercept)
    assert loss == single[0]


def test_concurrent_threaded_fits_restore_the_blas_setting(monkeypatch):
    # Fits in several threads share the process-wide limit of the BLAS.

    X, Y, weights, coef, intercept = make_problem(n_samples=400, n_outputs=3)
    monkeypatch.setattr(numpy_kernel, "BLOCK_BYTES", 10 * X.shape[1] * 8)
    with threadpool_limits(2, user_api="blas"):
        before = [library["num_threads"] for library in threadpool_info()]
        evaluators = [evaluator(X, Y, weights, link="sigmoid") for _ in range(4)]

        def run(evaluate):
            return [evaluate(coef, intercept)[0] for _ in range(20)]

        with ThreadPoolExecutor(4) as pool:
            losses = list(pool.map(run, evaluators))
        assert [library["num_threads"] for library in threadpool_info()] == before
    assert all(curve == losses[0] for curve in losses)
