"""``import skdigit`` time, compile time and first-fit time, each in a fresh process.

Run as a script, it is the fresh process: it times ``import skdigit``, then two
identical fits of the notebook's problem (binary 4-detector on uint8 pixels) and
prints its figures as JSON. The first fit pays for whatever a process does once
(numba compiling the sweep, or loading it from its cache); the second does not, so
their difference is that price. :func:`fresh_process_rows` runs it three times:
with the NumPy kernel, and with the compiled kernel on an empty numba cache
(``NUMBA_CACHE_DIR`` set to a new folder), then again on the cache that run filled.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from _child import json_from_child

# Modules a light `import skdigit` must not load.
HEAVY_MODULES = ("numba", "dask", "distributed", "torch", "matplotlib")
TIMEOUT_SECONDS = 300


def child(data_dir, source, n_rows, iterations):
    """The fresh process's measurements (run before anything else is imported)."""
    start = time.perf_counter()
    import skdigit  # noqa: F401

    import_s = time.perf_counter() - start
    loaded = [name for name in HEAVY_MODULES if name in sys.modules]

    import _data
    from _per_iteration import DIGIT, estimator
    from _timing import timed_fit

    X, y, _ = _data.load(data_dir, source)
    X, y = _data.first_rows(X, y, n_rows)
    fits = [timed_fit(estimator("binary", iterations), X, y == DIGIT)[0]]
    fits.append(timed_fit(estimator("binary", iterations), X, y == DIGIT)[0])
    return {
        "import_s": import_s,
        "heavy_modules_loaded_by_import": loaded,
        "first_fit_s": fits[0]["fit_s"],
        "second_fit_s": fits[1]["fit_s"],
        "once_per_process_s": fits[0]["fit_s"] - fits[1]["fit_s"],
        "iterations": iterations,
    }


def fresh_process_rows(data_dir, source, n_rows, iterations, kernels):
    """Each scenario's figures: scenario name -> dict."""
    base = {**os.environ}
    base.pop("NUMBA_CACHE_DIR", None)
    scenarios = {"numpy kernel": {**base, "SKDIGIT_KERNEL": "numpy"}}
    results = {}
    with tempfile.TemporaryDirectory(prefix="skdigit-numba-cache-") as cache:
        if "compiled" in kernels:
            compiled = {**base, "SKDIGIT_KERNEL": "compiled", "NUMBA_CACHE_DIR": cache}
            scenarios["compiled, empty numba cache"] = compiled
            scenarios["compiled, warm numba cache"] = compiled
        for name, env in scenarios.items():
            print(f"  fresh process: {name}", flush=True)
            results[name] = json_from_child(
                Path(__file__),
                [data_dir or "", source, n_rows, iterations],
                env=env,
                timeout=TIMEOUT_SECONDS,
            )
    return results


if __name__ == "__main__":
    data_dir, source, n_rows, iterations = sys.argv[1:]
    figures = child(data_dir or None, source, int(n_rows), int(iterations))
    print(json.dumps(figures))
