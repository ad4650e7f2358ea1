"""Every pass over the training data: one per iteration, behind one interface.

A *kernel* computes, in one pass over ``X``, the weighted sums of the loss and of its
gradient at given weights: ``kernel.sums(coef, intercept, shift) -> (loss_sum,
grad_coef, grad_intercept)``, and releases what it holds with ``kernel.close()``.
:func:`make_objective` picks one kernel per fit and wraps it in an
:class:`Objective`, which turns the sums into the weighted means and adds the L2
penalty: what the solver loop (:mod:`skdigit._solver`) calls once per iteration.

The kernels:

- ``_numpy.BlockKernel``: NumPy and SciPy-sparse data, in cache-sized row blocks
  shared between threads; integer X cast block by block;
- ``_compiled.CompiledKernel``: an optional numba kernel fusing the two products and
  the element-wise work in one sweep over the rows, read in place wherever they are
  contiguous (``pip install "skdigit[fast]"``);
- ``_xp.ArrayAPIKernel``: any Array API library, whole arrays on their device;
- ``_dask.DaskKernel``: the row chunks of a dask array, kept on the workers that
  computed them, each running the in-memory kernel that suits it.

:func:`make_gram_product` makes, on the same backend (:func:`_backend` chooses it
for both), the product with the data's Gram matrix that ``learning_rate="auto"``
needs.

The compiled kernel is chosen for NumPy X only where it pays: its first use in a
process costs importing numba and loading the compiled sweep (0.3 to 0.7 s), so a fit
whose work (rows x features x outputs x ``max_iter``) is below
:data:`COMPILED_MIN_WORK` takes the NumPy kernel. Set the environment variable
``SKDIGIT_KERNEL=numpy`` to use the NumPy kernel always, ``compiled`` to use the
compiled one wherever it can read X (``auto``, the default, decides by the work).
"""

import os

import numpy as np
import scipy.sparse as sp

from .._loss import l2_penalty, zero_score_loss
from .._threads import fit_threads

KERNEL_ENV_VAR = "SKDIGIT_KERNEL"
_KERNEL_CHOICES = ("auto", "numpy", "compiled")
# The work of a fit (rows x features x outputs x iterations) above which the compiled
# kernel saves more than its first use in a process costs (importing numba, loading
# the sweep from numba's cache: 0.3 to 0.7 s). benchmarks/run.py (section
# "crossover") measured it paying from about 1e9 on a loaded 2-core machine; twice
# that leaves the fits in between, which gain little, to the NumPy kernel.
COMPILED_MIN_WORK = 2e9
# The iterations assumed when the fit's are not known.
_TYPICAL_ITERATIONS = 200


class Objective:
    """The weighted mean loss, L2 penalty included, and its gradient.

    Parameters
    ----------
    kernel : object
        A kernel, as described in this module's docstring.
    shift : float
        The row loss at zero scores (:func:`skdigit._loss.zero_score_loss`),
        subtracted from every row loss before summing: the first loss of a
        zero-initialised fit then comes out exactly (log(2) to the last bit, as the
        notebook's ``np.average`` gives it) and later sums lose less to rounding.
    weight_sum : float
        The sum of the sample weights.
    alpha : float
        L2 penalty strength.
    penalty_share : float
        The part of the penalty reported in the loss (see
        :func:`skdigit._loss.l2_penalty`).
    xp : module
        The namespace of the weights.
    """

    def __init__(self, kernel, *, shift, weight_sum, alpha, penalty_share, xp):
        self.kernel = kernel
        self.shift = shift
        self.weight_sum = weight_sum
        self.alpha = alpha
        self.penalty_share = penalty_share
        self.xp = xp

    def evaluate(self, coef, intercept):
        """``(loss, grad_coef, grad_intercept)`` at ``coef`` (n_features, n_outputs)
        and ``intercept`` (n_outputs,) or None; ``loss`` is a Python float, the one
        value brought back to the host."""
        loss_sum, grad_coef, grad_intercept = self.kernel.sums(
            coef, intercept, self.shift
        )
        # The kernel's sums become means; the penalty is added to the means.
        grad_coef = grad_coef / self.weight_sum
        penalty = 0.0
        if self.alpha:
            penalty, penalty_gradient = l2_penalty(
                coef, self.alpha, self.penalty_share, self.xp
            )
            grad_coef = grad_coef + penalty_gradient
        loss_sum, penalty = _host_floats(loss_sum, penalty, self.xp)
        loss = self.shift + loss_sum / self.weight_sum + penalty
        return loss, grad_coef, grad_intercept / self.weight_sum

    def close(self):
        """Release the kernel's threads or persisted data."""
        self.kernel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _host_floats(loss_sum, penalty, xp):
    """Both (possibly device) scalars as Python floats, in one transfer."""
    if xp is np or not hasattr(loss_sum, "shape"):
        return float(loss_sum), float(penalty)
    from .._array_api import to_numpy

    if not hasattr(penalty, "shape"):
        return float(to_numpy(loss_sum)), penalty
    return tuple(to_numpy(xp.stack([loss_sum, penalty])).tolist())


def make_objective(
    X,
    Y,
    sample_weight,
    *,
    link,
    alpha=0.0,
    penalty_share=1.0,
    xp=np,
    max_iter=None,
):
    """The objective of one fit, on the kernel that suits ``X``.

    Parameters
    ----------
    X : ndarray, CSR matrix, dask array or Array API array
        Validated training data; NumPy and dask X may hold integers.
    Y : array of shape (n_samples, n_outputs)
        0/1 targets in the float type to compute in (NumPy for dask X).
    sample_weight : array of shape (n_samples,)
    link : {"sigmoid", "softmax"}
    alpha, penalty_share : float
        See :class:`Objective`.
    xp : module
        The namespace of X (NumPy for NumPy, SciPy and dask data).
    max_iter : int or None, default=None
        The fit's most iterations, which with the size of X decide whether the
        compiled kernel pays (None: a typical 200).

    Returns
    -------
    Objective

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._kernels import make_objective
    >>> X, Y = np.array([[1.0], [3.0]]), np.array([[1.0], [0.0]])
    >>> with make_objective(X, Y, np.ones(2), link="sigmoid") as objective:
    ...     loss, grad_coef, grad_intercept = objective.evaluate(
    ...         np.zeros((1, 1)), np.zeros(1)
    ...     )
    >>> loss, grad_coef.tolist(), grad_intercept.tolist()
    (0.6931471805599453, [[0.5]], [0.0])
    """
    kernel = make_kernel(X, Y, sample_weight, link=link, xp=xp, max_iter=max_iter)
    return Objective(
        kernel,
        shift=zero_score_loss(link, Y.shape[1]),
        weight_sum=float(xp.sum(sample_weight)),
        alpha=alpha,
        penalty_share=penalty_share,
        xp=xp,
    )


def make_kernel(X, Y, sample_weight, *, link, xp=np, max_iter=None):
    """The kernel for ``X``: dask, Array API, compiled or NumPy (see the module
    docstring for the choice and how to override it)."""
    backend = _backend(X, xp)
    if backend == "dask":
        from ._dask import DaskKernel

        return DaskKernel(X, Y, sample_weight, link=link, max_iter=max_iter)
    if backend == "array_api":
        from ._xp import ArrayAPIKernel

        return ArrayAPIKernel(X, Y, sample_weight, link=link, xp=xp)
    from ._numpy import BlockKernel, row_blocks

    sparse = sp.issparse(X)
    blocks = row_blocks(*X.shape, Y.dtype.itemsize, sparse=sparse)
    threads = fit_threads(len(blocks), sparse=sparse)
    if _use_compiled(X, Y.shape[1], max_iter):
        from ._compiled import CompiledKernel

        return CompiledKernel(X, Y, sample_weight, link=link, n_threads=threads)
    return BlockKernel(X, Y, sample_weight, link=link, threads=threads, blocks=blocks)


def make_gram_product(X, sample_weight, *, fit_intercept, xp=np):
    """The product ``v -> X1.T @ (w * (X1 @ v))`` with the weighted Gram matrix of
    X, on NumPy vectors, with ``X1`` X and a column of ones when ``fit_intercept``:
    one pass over X per call, on the backend that holds X (what
    ``learning_rate="auto"`` needs, see :mod:`skdigit._step`).

    Parameters
    ----------
    X : ndarray, CSR matrix, dask array or Array API array
    sample_weight : array of shape (n_samples,)
        In X's namespace (NumPy for dask X).
    fit_intercept : bool
    xp : module
        X's namespace (NumPy for NumPy, SciPy and dask data).

    Returns
    -------
    callable

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._kernels import make_gram_product
    >>> gram = make_gram_product(np.eye(2), np.ones(2), fit_intercept=True)
    >>> gram(np.array([1.0, 0.0, 1.0])).tolist()
    [2.0, 1.0, 3.0]
    """
    backend = _backend(X, xp)
    if backend == "dask":
        from ._dask import weighted_gram_pass

        products = weighted_gram_pass(X, sample_weight)
    elif backend == "array_api":
        from ._xp import weighted_gram_pass

        products = weighted_gram_pass(X, sample_weight, xp)
    else:
        from ._numpy import weighted_gram_pass

        products = weighted_gram_pass(X, sample_weight)
    n_features = X.shape[1]

    def gram(v):
        if not fit_intercept:
            return products(v, 0.0)[0]
        total, t_sum = products(v[:n_features], float(v[n_features]))
        return np.append(total, t_sum)

    return gram


def _backend(X, xp):
    """Where X's passes run: "dask", "array_api" (another library's arrays, on
    their device) or "numpy" (NumPy and SciPy data: the NumPy or compiled kernel)."""
    from .._dask import is_dask_array

    if is_dask_array(X):
        return "dask"
    return "numpy" if xp is np else "array_api"


def compiling_ahead(X, *, n_outputs, max_iter):
    """About how many seconds a fit of ``X`` will spend compiling the compiled
    kernel before its first iteration, or None when it will not: the kernel is
    not chosen, or its machine code for X's dtype is already in this process or in
    numba's on-disk cache. Meant for saying so before a fit that will compile.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data as the estimator's ``fit`` will receive it.
    n_outputs : int
        1 for a binary problem, else the number of classes.
    max_iter : int

    Returns
    -------
    float or None

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._kernels import compiling_ahead
    >>> print(compiling_ahead(np.zeros((100, 64)), n_outputs=1, max_iter=200))
    None
    """
    if not isinstance(X, np.ndarray) or not _use_compiled(X, n_outputs, max_iter):
        return None
    from ._compiled import COMPILE_SECONDS, needs_compiling

    return COMPILE_SECONDS if needs_compiling(X) else None


def kernel_choice():
    """The kernel setting from :data:`KERNEL_ENV_VAR`: "auto", "numpy" or
    "compiled"."""
    choice = os.environ.get(KERNEL_ENV_VAR, "auto").strip().lower() or "auto"
    if choice not in _KERNEL_CHOICES:
        raise ValueError(
            f"{KERNEL_ENV_VAR}={choice!r} is not a kernel: use one of "
            f"{', '.join(_KERNEL_CHOICES)}, or unset it."
        )
    return choice


def compiled_pays(n_samples, n_features, n_outputs, max_iter=None):
    """Whether a fit of this size is worth the compiled kernel's cost of first use
    (see :data:`COMPILED_MIN_WORK`).

    Examples
    --------
    >>> from skdigit._kernels import compiled_pays
    >>> compiled_pays(1797, 64, 1, 200)  # scikit-learn's 8x8 digits
    False
    >>> compiled_pays(60000, 784, 1, 200)  # MNIST
    True
    """
    iterations = _TYPICAL_ITERATIONS if max_iter is None else max_iter
    return n_samples * n_features * n_outputs * iterations >= COMPILED_MIN_WORK


def _use_compiled(X, n_outputs, max_iter):
    """Whether the compiled kernel takes this NumPy or SciPy X."""
    choice = kernel_choice()
    if choice == "numpy":
        return False
    if choice == "auto" and not compiled_pays(*X.shape, n_outputs, max_iter):
        return False  # decided before numba is imported
    from ._compiled import accepts, available

    usable = not sp.issparse(X) and accepts(X) and available()
    if choice == "compiled" and not usable:
        raise ValueError(
            f'{KERNEL_ENV_VAR}=compiled needs numba (pip install "skdigit[fast]") '
            "and dense X whose rows are contiguous in memory (not Fortran-ordered); "
            "unset it to let skdigit choose."
        )
    return usable
