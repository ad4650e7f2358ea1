"""The Array API kernel's rows: fits on torch CPU tensors, in a process of their own.

scikit-learn's array API dispatch needs SciPy's (``SCIPY_ARRAY_API=1``), which must
be set before SciPy is imported and slows every ``scipy.special`` call of the NumPy
kernel: so these rows run in a child process with it set, and time their own passes
over X (NumPy's ``X @ w`` and ``X @ W``) in the same rounds, for their ratios. Run as
a script, this module is that child and prints its figures as JSON.

torch tensors of uint8 are converted to float64 by the estimator's validation (the
Array API path takes float tensors only): that row includes the conversion's copy.
torch's own ``X @ w`` and ``X @ W`` are timed too: they are what this kernel's
iterations are made of.

These rows are slow (torch's 10-column products are too, on some CPUs): their fits
are short, and not warmed up (the median interval between iterations leaves the
first iteration out anyway).
"""

import json
import os
import sys
from pathlib import Path

from _child import json_from_child

TIMEOUT_SECONDS = 540


def child(data_dir, source, n_rows, iterations, repeats):
    """The figures of the torch rows, or why there are none."""
    try:
        import torch
    except ImportError:
        return {"skipped": "torch is not importable"}
    import _data
    import numpy as np
    import sklearn
    from _per_iteration import (
        VIEW,
        fit_job,
        float_arrays,
        pass_jobs,
        rows,
        targets,
    )
    from _timing import busiest, in_turn

    X8, y, _ = _data.load(data_dir, source)
    X8, y = _data.first_rows(X8, y, n_rows)
    arrays = float_arrays(X8)
    del arrays[VIEW]  # validation copies any tensor to float: the view adds nothing
    passes = pass_jobs(arrays)
    tensors = {dtype: torch.from_numpy(X) for dtype, X in arrays.items()}
    torch_passes = pass_jobs(
        tensors,
        full=lambda shape, value, dtype: torch.full(shape, value, dtype=dtype),
        prefix="torch ",
    )
    jobs = {**passes, **torch_passes}

    def dispatch():
        return sklearn.config_context(array_api_dispatch=True)

    for dtype in arrays:
        for problem, target in targets(y).items():
            jobs[f"torch {dtype} {problem}"] = fit_job(
                tensors[dtype],
                torch.from_numpy(np.asarray(target)),
                problem,
                iterations,
                context=dispatch,
            )
    results = in_turn(jobs, repeats, warmup=False)
    return {
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "iterations": iterations,
        "passes": {name: results[name]["s"] for name in passes},
        "torch_passes": {name: results[name]["s"] for name in torch_passes},
        "rows": rows(results, ["torch"], list(arrays))["torch"],
        "other_processes_cores": busiest(results),
    }


def array_api_rows(data_dir, source, n_rows, iterations, repeats):
    """Run the child; its figures, or ``{"skipped": reason}`` without torch."""
    return json_from_child(
        Path(__file__),
        [data_dir or "", source, n_rows, iterations, repeats],
        env={**os.environ, "SCIPY_ARRAY_API": "1"},
        timeout=TIMEOUT_SECONDS,
        what="the torch process",
    )


if __name__ == "__main__":
    data_dir, source, *numbers = sys.argv[1:]
    n_rows, iterations, repeats = (int(number) for number in numbers)
    figures = child(data_dir or None, source, n_rows, iterations, repeats)
    print(json.dumps(figures, default=float))
