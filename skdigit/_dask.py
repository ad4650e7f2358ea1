"""Dask arrays as input: recognising them, validating them, predicting on them.

Fitting on a dask array is the business of the dask kernel
(:mod:`skdigit._kernels._dask`); this module checks such an array the way
``validate_data`` checks a NumPy one, and maps prediction functions over its row
chunks, lazily.

Nothing here imports dask at module level: ``import skdigit`` works without it, and
dask is needed only when a dask array is passed.
"""

import numpy as np


def is_dask_array(X):
    """Whether X is a dask array, without importing dask."""
    return type(X).__module__.startswith("dask.") and hasattr(X, "chunks")


def validate_dask_X(X, *, n_features=None):
    """Check a dask array the way validate_data checks a NumPy one.

    Returns X with every row chunk holding all the columns, which the per-chunk
    products need. Floats and integers keep their type (uint8 pixels stay uint8 on
    the workers; the kernel casts them block by block); anything else becomes
    float64. Float X gets a lazy check that raises on NaN or infinity as each chunk
    is computed.
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
    if X.dtype.kind in "iu":
        return X.rechunk({1: -1})
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    return X.astype(dtype).rechunk({1: -1}).map_blocks(_check_finite, dtype=dtype)


def _check_finite(chunk):
    if not np.isfinite(chunk).all():
        raise ValueError(
            "Input X contains NaN or infinity: remove or impute those values first."
        )
    return chunk


def map_rows(X, function, *, n_columns, dtype):
    """Apply a NumPy row function to each row chunk of X, lazily.

    ``n_columns`` is None for a function that returns one value per row.
    """
    if n_columns is None:
        return X.map_blocks(function, drop_axis=1, dtype=dtype)
    return X.map_blocks(function, chunks=(X.chunks[0], (n_columns,)), dtype=dtype)
