"""Per-iteration times of each kernel x dtype x problem, one pass over X, the notebook.

One pass over X is the bound of an iteration, which must read X at least once:
``X @ w`` in float64 for the binary problem, ``X @ W`` (10 columns) in the dtype of
the fit for the 10-class problems. They are timed in the same rounds as the fits, so
that their ratios hold on a busy machine. Used by ``run.py`` for the NumPy and
compiled kernels and by ``_array_api_rows.py`` for torch tensors.
"""

from contextlib import nullcontext

import _notebook
import numpy as np
from _kernel_choice import use_kernel
from _timing import Job, median_call_seconds, timed_fit

from skdigit import GDLogisticRegression

DIGIT = 4  # the notebook's detector
LEARNING_RATE = 1e-5
NOTEBOOK_FIT_ITERATIONS = 200  # the notebook's whole run
# The uint8 pixels as a view whose rows are contiguous but not the array: the
# notebook's X with its bias column of ones sliced off.
VIEW = "uint8 X[:, 1:]"
DTYPES = ("uint8", VIEW, "float32", "float64")
PROBLEMS = ("binary", "10-class", "multinomial")
N_CLASSES = 10
PASS_CALLS = 10  # a pass is short: this many in a row per round
# The float type each input dtype computes in.
COMPUTE_DTYPE = {
    "uint8": "float64",
    VIEW: "float64",
    "float32": "float32",
    "float64": "float64",
}


def bound_name(problem, dtype):
    """The pass a row is compared with: one ``X @ w`` in float64 for the binary
    problem, one ``X @ W`` in the fit's float type for 10 classes."""
    if problem == "binary":
        return "X@w float64"
    return f"X@W {COMPUTE_DTYPE[dtype]}"


def pass_jobs(arrays, *, full=np.full, prefix=""):
    """``X @ w`` and ``X @ W`` on the float arrays of ``arrays`` (dtype -> X).

    ``full(shape, value, dtype)`` makes the weights in the arrays' library (NumPy's
    ``np.full``, or torch's); the jobs' names start with ``prefix``.
    """
    jobs = {}
    for dtype in ("float64", "float32"):
        X = arrays[dtype]
        for product, shape in (
            ("X@w", (X.shape[1],)),
            ("X@W", (X.shape[1], N_CLASSES)),
        ):
            weights = full(shape, 1e-3, X.dtype)

            def run(X=X, weights=weights):
                return {"s": median_call_seconds(lambda: X @ weights, PASS_CALLS)}

            jobs[f"{prefix}{product} {dtype}"] = Job(run, warmup=run)
    return jobs


def targets(y):
    """The target of each problem: the notebook's 4-detector, or the digits."""
    return {"binary": y == DIGIT, "10-class": y, "multinomial": y}


def estimator(problem, max_iter):
    multiclass = "multinomial" if problem == "multinomial" else "ovr"
    return GDLogisticRegression(
        learning_rate=LEARNING_RATE, max_iter=max_iter, multiclass=multiclass
    )


def fit_job(X, target, problem, iterations, *, kernel=None, context=None):
    """A job fitting ``iterations`` iterations; warmed up by a 2-iteration fit.

    ``kernel`` is set as ``SKDIGIT_KERNEL`` around the fits (None: left alone);
    ``context`` is a function returning a context manager entered around them.
    """

    def fit(max_iter):
        with (
            use_kernel(kernel) if kernel else nullcontext(),
            context() if context else nullcontext(),
        ):
            figures, _ = timed_fit(estimator(problem, max_iter), X, target)
        return figures

    return Job(lambda: fit(iterations), warmup=lambda: fit(2))


def kernel_fit_jobs(arrays, y, kernels, iterations, notebook_iterations):
    """Fits of every kernel x dtype x problem, of ``iterations`` iterations; the
    uint8 binary fit is the notebook's whole run, of ``notebook_iterations``."""
    jobs = {}
    for kernel in kernels:
        for dtype in DTYPES:
            for problem, target in targets(y).items():
                count = iterations
                if (dtype, problem) == ("uint8", "binary"):
                    count = notebook_iterations
                jobs[f"{kernel} {dtype} {problem}"] = fit_job(
                    arrays[dtype], target, problem, count, kernel=kernel
                )
    return jobs


def notebook_job(X8, y, iterations):
    """The notebook's code on its own input (uint8 pixels and a bias column)."""
    with_bias = _notebook.add_bias_column(X8)
    Y = (y == DIGIT).astype(int).reshape(-1, 1)

    def one_iteration():
        with np.errstate(all="ignore"):
            _notebook.train(with_bias, Y, 1, LEARNING_RATE)

    def run():
        return {"per_iteration_s": median_call_seconds(one_iteration, iterations)}

    return Job(run)


def float_arrays(X8):
    """The pixels as each dtype of the rows, and as a row-contiguous view."""
    return {
        "uint8": X8,
        VIEW: _notebook.add_bias_column(X8)[:, 1:],
        "float32": X8.astype(np.float32),
        "float64": X8.astype(np.float64),
    }


def rows(results, kernels, dtypes=DTYPES):
    """Per-iteration seconds and ratios to the bound: kernel -> dtype -> problem."""
    table = {}
    for kernel in kernels:
        table[kernel] = {}
        for dtype in dtypes:
            table[kernel][dtype] = {}
            for problem in PROBLEMS:
                figures = results[f"{kernel} {dtype} {problem}"]
                bound = bound_name(problem, dtype)
                seconds = figures["per_iteration_s"]
                table[kernel][dtype][problem] = {
                    "per_iteration_s": seconds,
                    "bound": bound,
                    "ratio_to_bound": seconds / results[bound]["s"],
                    "fit_s": figures["fit_s"],
                    "iterations": figures["iterations"],
                    "final_loss": figures["final_loss"],
                }
    return table
