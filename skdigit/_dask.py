"""Gradient descent and predictions on dask arrays.

A dask array ``X`` is fitted without ever gathering it on one machine: each
iteration is one map-reduce over its row chunks, where every chunk computes the
weighted sums of its loss and gradient with the same kernel as the NumPy path, and the
sums are added up and normalised. The loop around it (updates, stopping, divergence)
is the kernel's own, so both paths follow exactly the same steps.

Nothing here imports dask at module level: ``import skdigit`` works without it, and
dask is needed only when a dask array is passed.
"""

import numpy as np

from ._gradient import loss_and_gradient_sums, row_blocks, zero_score_loss

INSTALL_HINT = 'pip install "skdigit[dask]"'


def is_dask_array(X):
    """Whether X is a dask array, without importing dask."""
    return type(X).__module__.startswith("dask.") and hasattr(X, "chunks")


def _dask_array_module():
    try:
        import dask.array as da
    except ImportError as error:  # pragma: no cover - dask is present where used
        raise ImportError(f"dask arrays need dask: {INSTALL_HINT}") from error
    return da


def validate_dask_X(X, *, n_features=None):
    """Check a dask array the way validate_data checks a NumPy one.

    Returns X as float (float32 kept, anything else float64) with every row chunk
    holding all the columns, which the per-chunk products need, and with a lazy
    check that raises on NaN or infinity as each chunk is computed.
    """
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2D dask array for X, got {X.ndim}D: reshape it to "
            "(n_samples, n_features)."
        )
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(
        X.dtype, np.complexfloating
    ):
        raise ValueError(f"X must hold real numbers; got a dask array of {X.dtype}.")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but GDLogisticRegression is expecting "
            f"{n_features} features as input."
        )
    if any(np.isnan(size) for size in X.chunks[0]):
        # Boolean masks leave row counts unknown; the targets must be cut alike.
        X = X.compute_chunk_sizes()
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    return X.astype(dtype).rechunk({1: -1}).map_blocks(_check_finite, dtype=dtype)


def _check_finite(chunk):
    if not np.isfinite(chunk).all():
        raise ValueError(
            "Input X contains NaN or infinity: remove or impute those values first."
        )
    return chunk


def prepare_fit_data(X, Y, sample_weight):
    """Persist X, the targets and weights on the cluster, chunked alike.

    Persisting X also runs the finiteness check of :func:`validate_dask_X` on every
    chunk, once.
    """
    import dask

    da = _dask_array_module()
    row_chunks = X.chunks[0]
    Y = da.from_array(Y, chunks=(row_chunks, Y.shape[1]))
    weights = da.from_array(sample_weight, chunks=(row_chunks,))
    return dask.persist(X, Y, weights)


def _chunk_sums(X_chunk, Y_chunk, weight_chunk, coef, intercept, link, shift):
    if X_chunk.shape[0] == 0:
        # Filtering can leave empty chunks: they add nothing.
        return 0.0, np.zeros_like(coef), np.zeros_like(coef[0]), 0.0
    sums = loss_and_gradient_sums(
        X_chunk,
        Y_chunk,
        weight_chunk,
        coef,
        intercept,
        link=link,
        blocks=row_blocks(X_chunk),
        shift=shift,
    )
    return (*sums, float(weight_chunk.sum()))


def _add_up(parts):
    return tuple(sum(values) for values in zip(*parts, strict=True))


def make_dask_evaluator(X, Y, sample_weight, *, link):
    """A ``(coef, intercept) -> (loss, grad_coef, grad_intercept)`` function that
    runs one map-reduce over the row chunks of dask array X per call.

    Y and sample_weight are NumPy arrays; they are persisted on the cluster once,
    chunked like X, together with X itself.
    """
    import dask

    X, Y, sample_weight = prepare_fit_data(X, Y, sample_weight)
    shift = zero_score_loss(link, Y.shape[1])
    chunk_sums = dask.delayed(_chunk_sums, pure=True)
    add_up = dask.delayed(_add_up, pure=True)

    def evaluate(coef, intercept):
        # The closure holds the persisted arrays, which keeps them on the cluster.
        chunks = zip(
            X.to_delayed().ravel(),
            Y.to_delayed().ravel(),
            sample_weight.to_delayed().ravel(),
            strict=True,
        )
        coef_key, intercept_key = dask.delayed(coef), dask.delayed(intercept)
        parts = [
            chunk_sums(x, y, w, coef_key, intercept_key, link, shift)
            for x, y, w in chunks
        ]
        loss_sum, grad_coef, grad_intercept, weight_sum = add_up(parts).compute()
        return (
            shift + loss_sum / weight_sum,
            grad_coef / weight_sum,
            grad_intercept / weight_sum,
        )

    return evaluate


def map_rows(X, function, *, n_columns, dtype):
    """Apply a NumPy row function to each row chunk of X, lazily.

    ``n_columns`` is None for a function that returns one value per row.
    """
    if n_columns is None:
        return X.map_blocks(function, drop_axis=1, dtype=dtype)
    return X.map_blocks(function, chunks=(X.chunks[0], (n_columns,)), dtype=dtype)
