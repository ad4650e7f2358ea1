"""Where the compiled kernel starts to pay for itself.

A fit with the compiled kernel saves time on every iteration, but its first use in a
process costs importing numba and loading the compiled sweep from numba's cache.
This section times binary uint8 fits of growing numbers of MNIST rows with each
kernel (in turn, as everywhere in ``run.py``), and, in a fresh process with a warm
numba cache, that first use. The work at which the savings repay the first use is
what ``skdigit._kernels.COMPILED_MIN_WORK`` should be.

Run as a script, this module is the fresh process: it prints the seconds of the
compiled kernel's first use as JSON.
"""

import json
import os
import sys
import time
from pathlib import Path

from _child import json_from_child

SIZES = (1000, 3000, 10_000, 30_000, 60_000)
N_FEATURES = 784
TIMEOUT_SECONDS = 300


def first_use_seconds():
    """In this (fresh) process: importing numba, loading the sweep for uint8 and
    one call on a few rows, skdigit being imported already."""
    import numpy as np

    from skdigit._kernels import _compiled

    start = time.perf_counter()
    if not _compiled.available():
        return None
    X = np.zeros((64, N_FEATURES), dtype=np.uint8)
    kernel = _compiled.CompiledKernel(X, np.zeros((64, 1)), np.ones(64), link="sigmoid")
    kernel.sums(np.zeros((N_FEATURES, 1)), None, 0.0)
    kernel.close()
    return time.perf_counter() - start


def crossover_rows(X8, y, kernels, iterations, repeats):
    """Per-iteration seconds of each kernel by rows, the first use, and the
    crossover work."""
    if "compiled" not in kernels:
        return {"skipped": "the compiled kernel is not available"}
    from _per_iteration import DIGIT, fit_job
    from _timing import busiest, in_turn

    from skdigit._kernels import COMPILED_MIN_WORK

    sizes = [rows for rows in SIZES if rows <= len(X8)]
    jobs = {
        f"{kernel} {rows}": fit_job(
            X8[:rows], y[:rows] == DIGIT, "binary", iterations, kernel=kernel
        )
        for rows in sizes
        for kernel in ("numpy", "compiled")
    }
    results = in_turn(jobs, repeats)
    env = {key: value for key, value in os.environ.items() if key != "SKDIGIT_KERNEL"}
    # The first run fills numba's cache when it is empty; the second loads from it.
    for _ in range(2):
        first_use = json_from_child(
            Path(__file__), [], env=env, timeout=TIMEOUT_SECONDS
        )
    by_rows = {}
    for rows in sizes:
        numpy_s = results[f"numpy {rows}"]["per_iteration_s"]
        compiled_s = results[f"compiled {rows}"]["per_iteration_s"]
        by_rows[rows] = {
            "numpy_s": numpy_s,
            "compiled_s": compiled_s,
            "saving_per_element_s": (numpy_s - compiled_s) / (rows * N_FEATURES),
        }
    # The saving per element of work, from the largest fits (the small ones are
    # dominated by fixed costs per iteration).
    saving = by_rows[sizes[-1]]["saving_per_element_s"]
    return {
        "iterations": iterations,
        "by_rows": by_rows,
        "first_use_s": first_use,
        "crossover_work": first_use / saving if saving > 0 else None,
        "compiled_min_work": COMPILED_MIN_WORK,
        "other_processes_cores": busiest(results),
    }


def crossover_lines(results):
    figures = results.get("crossover")
    if not figures:
        return []
    if "skipped" in figures:
        return ["", f"Kernel crossover: skipped, {figures['skipped']}"]
    lines = [
        "",
        "Kernel crossover: binary uint8 fits of MNIST rows x 784, ms per iteration:",
        f"  {'rows':>8}{'numpy':>10}{'compiled':>10}{'saved ns/element':>18}",
    ]
    for rows, row in figures["by_rows"].items():
        lines.append(
            f"  {rows:>8}{1e3 * row['numpy_s']:10.2f}{1e3 * row['compiled_s']:10.2f}"
            f"{1e9 * row['saving_per_element_s']:18.3f}"
        )
    work = figures["crossover_work"]
    lines.append(
        f"  first use of the compiled kernel in a process (numba import, cached "
        f"sweep loaded): {figures['first_use_s']:.2f} s; it pays from a work of "
        + ("(no saving measured)" if work is None else f"{work:.2g}")
        + " rows x features x outputs x iterations; skdigit's threshold: "
        f"{figures['compiled_min_work']:.2g}"
    )
    return lines


if __name__ == "__main__":
    print(json.dumps(first_use_seconds()))
    sys.exit(0)
