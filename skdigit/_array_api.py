"""Small helpers to run the estimator on any Array API library (PyTorch, CuPy, ...).

With scikit-learn's ``array_api_dispatch`` turned on, ``validate_data`` keeps the
input's array type; the estimator then computes in that namespace and on that device,
and these helpers find the namespace and move the small arrays (targets, weights,
fitted attributes) to it. NumPy arrays and SciPy sparse matrices always take the plain
NumPy path.
"""

import numpy as np
import scipy.sparse as sp


def get_namespace(X):
    """The Array API namespace of X: ``numpy`` itself for NumPy, SciPy and any input
    that is not an Array API array (lists, pandas objects, scalars)."""
    if isinstance(X, np.ndarray) or sp.issparse(X):
        return np
    import array_api_compat

    if not array_api_compat.is_array_api_obj(X):
        return np
    namespace = array_api_compat.array_namespace(X)
    return np if namespace.__name__ == "array_api_compat.numpy" else namespace


def device(X):
    """The device X lives on (``"cpu"`` for NumPy)."""
    if get_namespace(X) is np:
        return "cpu"
    import array_api_compat

    return array_api_compat.device(X)


def to_numpy(array):
    """A NumPy copy (or view) of an array of any namespace, wherever it lives."""
    if isinstance(array, np.ndarray) or sp.issparse(array):
        return array
    if get_namespace(array) is np or hasattr(array, "dask"):
        # np.asarray also computes a dask array.
        return np.asarray(array)
    try:
        return np.from_dlpack(array, device="cpu")
    except (TypeError, ValueError, BufferError, RuntimeError):
        import array_api_compat

        return np.from_dlpack(array_api_compat.to_device(array, "cpu"))


def from_numpy(array, xp, like):
    """``array`` moved into namespace ``xp`` on the device of ``like``."""
    if xp is np:
        return array
    return xp.asarray(array, device=device(like))


def check_same_namespace(fitted, X, *, estimator, method):
    """Raise ValueError when X and the fitted attribute live in different places."""
    fitted_xp, X_xp = get_namespace(fitted), get_namespace(X)
    if fitted_xp is X_xp and (X_xp is np or device(fitted) == device(X)):
        return
    raise ValueError(
        f"{estimator}.{method}() must use the same namespace and device as fit: the "
        f"model was fitted on {fitted_xp.__name__} arrays on {device(fitted)!r} but "
        f"X is a {X_xp.__name__} array on {device(X)!r}. Convert X, or refit the "
        "model on arrays of that kind."
    )
