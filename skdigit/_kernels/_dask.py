"""The dask kernel: the row chunks of a dask array, kept where they are computed.

``X`` is never gathered on one machine. At the start of a fit each row chunk of ``X``
is computed once and bundled with its targets and weights into one :class:`_Chunk`
(integer pixels stay integers), and the chunks of each worker are handed to one
:class:`_ChunkHolder` living on that worker as a dask actor. Every iteration then
sends the weights to each holder, directly and not through the scheduler (no task
graph, no scheduling), and each holder returns the weighted sums of each of its
chunks, computed by the in-memory kernel that suits the chunk (built once per chunk,
kept on the worker). The sums are added up here in chunk order, so the results do
not depend on which worker holds which chunk.

Where X is not computed by a ``dask.distributed`` client (dask's local schedulers),
the chunks are computed here and held in this process by one holder.

Nothing here imports dask at module level: ``import skdigit`` works without it.
"""

import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def weighted_gram_pass(X, sample_weight):
    """The function ``(coef, bias) -> (X.T @ t, sum(t))`` with ``t = sample_weight *
    (X @ coef + bias)``, computed on the dask array's chunks: one pass over X per
    call."""
    import dask

    def gram(coef, bias):
        t = sample_weight * (X @ coef + bias)
        total, t_sum = dask.compute(t @ X, t.sum())
        return np.asarray(total), float(t_sum)

    return gram


class _Chunk:
    """One row chunk of X with its targets and weights, and its in-memory kernel."""

    def __init__(self, X, Y, sample_weight):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self._kernel = None

    def __getstate__(self):
        # The kernel's buffers are rebuilt wherever the chunk lands.
        return {**self.__dict__, "_kernel": None}

    def sums(self, coef, intercept, shift, link, max_iter):
        if self.X.shape[0] == 0:
            # Filtering can leave empty chunks: they add nothing.
            return 0.0, np.zeros_like(coef), np.zeros_like(coef[0])
        if self._kernel is None:
            from . import make_kernel

            self._kernel = make_kernel(
                self.X, self.Y, self.sample_weight, link=link, max_iter=max_iter
            )
        return self._kernel.sums(coef, intercept, shift)

    def close(self):
        if self._kernel is not None:
            self._kernel.close()
            self._kernel = None


class _ChunkHolder:
    """The chunks of one worker (or of this process), kept across iterations.

    Parameters
    ----------
    link : {"sigmoid", "softmax"}
    max_iter : int or None
        For each chunk's choice of kernel.
    threads : int
        How many chunks to sum at once: the worker's threads (the kernels release
        the GIL); each chunk's sums are its own, whichever thread computes them.
    indices : list of int
        The place of each chunk among all the chunks of X.
    *chunks : _Chunk
    """

    def __init__(self, link, max_iter, threads, indices, *chunks):
        self.link, self.max_iter = link, max_iter
        self.chunks = dict(zip(indices, chunks, strict=True))
        self._pool = None
        if min(threads, len(self.chunks)) > 1:
            self._pool = ThreadPoolExecutor(min(threads, len(self.chunks)))

    def sums(self, coef, intercept, shift):
        """Each chunk's ``(loss_sum, grad_coef, grad_intercept)``, by index."""

        def chunk_sums(index):
            chunk = self.chunks[index]
            return chunk.sums(coef, intercept, shift, self.link, self.max_iter)

        run = map if self._pool is None else self._pool.map
        return dict(zip(self.chunks, run(chunk_sums, self.chunks), strict=True))

    def summary(self):
        """Each chunk's dtype of X and numbers of rows of X and Y, by index."""
        return {
            index: (chunk.X.dtype.str, chunk.X.shape[0], chunk.Y.shape[0])
            for index, chunk in self.chunks.items()
        }

    def close(self):
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        for chunk in self.chunks.values():
            chunk.close()


def _bundle(X, targets):
    """One :class:`_Chunk` from a chunk of X and its ``(Y, sample_weight)``."""
    return _Chunk(X, *targets)


def _distributed_client(X):
    """The ``dask.distributed`` client that would compute ``X``, or None (dask's
    local schedulers, or ``dask.config.set(scheduler=...)`` choosing one)."""
    import dask

    client = getattr(dask.base.get_scheduler(collections=[X]), "__self__", None)
    try:
        from distributed import Client
    except ImportError:
        return None
    return client if isinstance(client, Client) else None


def _hold_on_workers(client, chunks, link, max_iter):
    """Compute the chunks on the cluster and give each worker's chunks to one
    holder living there; the holders, as actors."""
    from distributed import wait

    futures = client.compute(list(chunks))
    wait(futures)
    for future in futures:
        if future.status == "error":
            future.result()  # raises the chunk's error (a NaN in X, ...)
    where, threads = client.who_has(futures), client.nthreads()
    by_worker = {}
    for index, future in enumerate(futures):
        by_worker.setdefault(where[future.key][0], []).append(index)
    holders = [
        client.submit(
            _ChunkHolder,
            link,
            max_iter,
            threads[worker],
            indices,
            *(futures[index] for index in indices),
            workers=[worker],
            allow_other_workers=False,
            actor=True,
        )
        for worker, indices in by_worker.items()
    ]
    # The holders keep the chunks; the futures themselves may go.
    return [holder.result() for holder in holders]


class DaskKernel:
    """Weighted sums of the loss and its gradient over a dask array's row chunks.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        Validated by :func:`skdigit._dask.validate_dask_X` (every row chunk holds all
        columns).
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,)
    link : {"sigmoid", "softmax"}
    max_iter : int or None, default=None
        The fit's most iterations, for each chunk's choice of in-memory kernel.
    """

    def __init__(self, X, Y, sample_weight, *, link, max_iter=None):
        import dask

        bounds = np.cumsum((0, *X.chunks[0]))
        targets = [
            (Y[start:stop], sample_weight[start:stop])
            for start, stop in itertools.pairwise(bounds)
        ]
        client = _distributed_client(X)
        if client is not None:
            # Sent to the cluster once, not written into the graph.
            targets = client.scatter(targets, hash=False)
        bundle = dask.delayed(_bundle, pure=True)
        chunks = [
            bundle(x, chunk_targets)
            for x, chunk_targets in zip(X.to_delayed().ravel(), targets, strict=True)
        ]
        self.n_chunks = len(chunks)
        # Computing the chunks also runs X's lazy finiteness check on each, once.
        if client is None:
            computed = dask.compute(*chunks)
            # One thread: each chunk's kernel takes the threads the BLAS allows.
            self.holders = [
                _ChunkHolder(link, max_iter, 1, range(len(chunks)), *computed)
            ]
        else:
            self.holders = _hold_on_workers(client, chunks, link, max_iter)

    def sums(self, coef, intercept, shift):
        """``(loss_sum, grad_coef, grad_intercept)`` as in
        :meth:`skdigit._kernels._numpy.BlockKernel.sums`."""
        # Every holder starts at once (an actor's call returns a future).
        pending = [holder.sums(coef, intercept, shift) for holder in self.holders]
        by_chunk = {}
        for answer in pending:
            by_chunk.update(answer if isinstance(answer, dict) else answer.result())
        # Added up in chunk order: the same sums wherever the chunks are.
        parts = [by_chunk[index] for index in range(self.n_chunks)]
        return tuple(sum(values) for values in zip(*parts, strict=True))

    def summary(self):
        """Each chunk's dtype of X and numbers of rows of X and Y, in chunk order."""
        by_chunk = {}
        for holder in self.holders:
            answer = holder.summary()
            by_chunk.update(answer if isinstance(answer, dict) else answer.result())
        return [by_chunk[index] for index in range(self.n_chunks)]

    def close(self):
        """Release the chunks (and the holders' threads)."""
        for holder in self.holders:
            done = holder.close()
            if done is not None:
                done.result()
        self.holders = []
