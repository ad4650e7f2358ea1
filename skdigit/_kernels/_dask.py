"""The dask kernel: one map-reduce over the row chunks of a dask array per call.

``X`` is never gathered on one machine. At the start of a fit each row chunk of ``X``
is bundled with its targets and weights into one :class:`_Chunk` and persisted on the
cluster, one key per chunk, so that the three always sit on the same worker; integer
pixels stay integers there. Every call then sends the weights out, lets each chunk
compute its weighted sums with the in-memory kernel that suits it (the compiled one
where numba is installed on the worker, else :class:`BlockKernel`; built once per
chunk and kept on the worker), and adds the sums up, in chunk order.

Nothing here imports dask at module level: ``import skdigit`` works without it.
"""

import numpy as np


class _Chunk:
    """One row chunk of X with its targets and weights, and its in-memory kernel."""

    def __init__(self, X, Y, sample_weight):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self._kernel = None

    def __getstate__(self):
        # The kernel's buffers are rebuilt wherever the chunk lands.
        return {**self.__dict__, "_kernel": None}

    def sums(self, coef, intercept, shift, link):
        if self.X.shape[0] == 0:
            # Filtering can leave empty chunks: they add nothing.
            return 0.0, np.zeros_like(coef), np.zeros_like(coef[0])
        if self._kernel is None:
            from . import make_kernel

            self._kernel = make_kernel(self.X, self.Y, self.sample_weight, link=link)
        return self._kernel.sums(coef, intercept, shift)


def _chunk_sums(chunk, coef, intercept, shift, link):
    return chunk.sums(coef, intercept, shift, link)


def _add_up(parts):
    return tuple(sum(values) for values in zip(*parts, strict=True))


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
    """

    def __init__(self, X, Y, sample_weight, *, link, max_iter=None):
        import dask

        bounds = np.cumsum((0, *X.chunks[0]))
        bundle = dask.delayed(_Chunk, pure=True)
        chunks = [
            bundle(x, Y[start:stop], sample_weight[start:stop])
            for x, start, stop in zip(
                X.to_delayed().ravel(), bounds[:-1], bounds[1:], strict=True
            )
        ]
        # Persisting also runs X's lazy finiteness check on every chunk, once.
        self.chunks = dask.persist(*chunks)
        self.link = link

    def sums(self, coef, intercept, shift):
        """``(loss_sum, grad_coef, grad_intercept)`` as in
        :meth:`skdigit._kernels._numpy.BlockKernel.sums`."""
        import dask

        chunk_sums = dask.delayed(_chunk_sums, pure=True)
        coef_key, intercept_key = dask.delayed(coef), dask.delayed(intercept)
        parts = [
            chunk_sums(chunk, coef_key, intercept_key, shift, self.link)
            for chunk in self.chunks
        ]
        return dask.delayed(_add_up)(parts).compute()

    def close(self):
        """Release the persisted chunks."""
        self.chunks = ()
