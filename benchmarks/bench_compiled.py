"""Speed of the compiled kernel against one pass over X, and its compile time.

On 60000 x 784 data (the real MNIST train images when they are in the data folder,
see ``_data.py``), for X in uint8, float32 and float64 and for the binary
4-detector (sigmoid) and the 10-class softmax model, times one call of
``CompiledKernel.sums`` (one iteration's loss and gradient) against one NumPy
pass ``X @ w`` (binary) or ``X @ W`` (10 columns) in the same run, interleaved round
after round. uint8 is compared with the float64 pass (NumPy multiplies uint8 X by
converting it to float64 first).

Then, in fresh processes, the compile time: importing the kernel and the first call
with an empty numba cache (``NUMBA_CACHE_DIR`` set to a new temporary folder), and
again from the cache that the first process wrote.

Usage::

    python benchmarks/bench_compiled.py [--data-dir DIR] [--repeats R]
                                        [--threads N] [--json PATH]

The environment matters for the NumPy baseline: ``OPENBLAS_CORETYPE`` (set on some
machines, where it slows NumPy's BLAS) and the BLAS threads are printed with the
figures; measure as CI runs, without changing them.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import _data
import numpy as np
from _timing import interleaved_medians
from threadpoolctl import threadpool_info

from skdigit._kernels._compiled import CompiledKernel, available

DIGIT = 4
# Targets of the issue, as ratios to one pass in the same run.
TARGETS = {
    ("binary", "uint8"): ("X@w float64", 0.6),
    ("binary", "float64"): ("X@w float64", 1.2),
    ("binary", "float32"): ("X@w float64", 0.65),
    ("10-class", "uint8"): ("X@W float64", 1.15),
    ("10-class", "float32"): ("X@W float32", 1.15),
    ("10-class", "float64"): ("X@W float64", 1.15),
}
DTYPES = ("uint8", "float32", "float64")

# Run in a fresh process: import, one first call, and the time of each.
COMPILE_PROBE = """
import sys, time
start = time.perf_counter()
import numpy as np
from skdigit._kernels._compiled import CompiledKernel, available
assert available()
imported = time.perf_counter()
X = np.zeros((64, 784), dtype=sys.argv[1])
for link, n_outputs in (("sigmoid", 1), ("softmax", 10)):
    Y = np.zeros((64, n_outputs))
    kernel = CompiledKernel(X, Y, np.ones(64), link=link)
    kernel.sums(np.zeros((784, n_outputs)), np.zeros(n_outputs), 0.0)
    kernel.close()
print(imported - start, time.perf_counter() - imported)
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("SKDIGIT_TEST_DATA"),
        help="folder of MNIST files (default: $SKDIGIT_TEST_DATA)",
    )
    parser.add_argument("--data", choices=_data.SOURCES, default="auto")
    parser.add_argument("--repeats", type=int, default=7, help="rounds (default 7)")
    parser.add_argument(
        "--threads", type=int, default=None, help="kernel threads (default: CPUs)"
    )
    parser.add_argument("--json", type=Path, default=None, help="write figures here")
    return parser.parse_args(argv)


def problems(labels):
    """``{name: (Y, link)}`` for the binary 4-detector and the 10-class model."""
    return {
        "binary": ((labels == DIGIT).astype(np.float64)[:, None], "sigmoid"),
        "10-class": (np.eye(10)[labels], "softmax"),
    }


def time_iterations(X_uint8, labels, repeats, threads):
    """Median seconds of one kernel call per (problem, dtype), and of the passes."""
    Xs = {dtype: X_uint8.astype(dtype) for dtype in DTYPES}
    Xs["uint8"] = X_uint8
    rng = np.random.default_rng(0)
    functions, kernels = {}, []
    for name, (Y, link) in problems(labels).items():
        n_outputs = Y.shape[1]
        # Weights of a fit under way: scores of a few units, as after some iterations.
        coef = rng.normal(scale=1e-4, size=(X_uint8.shape[1], n_outputs))
        intercept = np.zeros(n_outputs)
        for dtype, X in Xs.items():
            Y_typed = Y.astype(np.float32 if dtype == "float32" else np.float64)
            kernel = CompiledKernel(
                X, Y_typed, np.ones(len(X), Y_typed.dtype), link=link, n_threads=threads
            )
            kernels.append(kernel)
            weights = coef.astype(Y_typed.dtype), intercept.astype(Y_typed.dtype)
            functions[(name, dtype)] = lambda kernel=kernel, weights=weights: (
                kernel.sums(*weights, 0.0)
            )
    for dtype in ("float32", "float64"):
        X = Xs[dtype]
        w = rng.normal(size=X.shape[1]).astype(dtype)
        W = rng.normal(size=(X.shape[1], 10)).astype(dtype)
        functions[("X@w", dtype)] = lambda X=X, w=w: X @ w
        functions[("X@W", dtype)] = lambda X=X, W=W: X @ W
    try:
        medians, busy = interleaved_medians(functions, repeats)
    finally:
        for kernel in kernels:
            kernel.close()
    return medians, busy


def compile_times(dtype):
    """``(import_s, first_calls_s)`` in a fresh process with an empty numba cache,
    then in another fresh process reading the cache the first one wrote."""
    results = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for state in ("cold", "warm"):
            output = subprocess.run(
                [sys.executable, "-c", COMPILE_PROBE, dtype],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            results[state] = tuple(float(value) for value in output)
    return results


def environment():
    blas = [
        f"{info.get('internal_api')} {info.get('version')} "
        f"({info.get('architecture')}, {info.get('num_threads')} threads)"
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    ]
    import numba

    return {
        "cpu": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "blas": blas,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }


def main(argv=None):
    args = parse_args(argv)
    if not available():
        sys.exit('numba is not importable: pip install "skdigit[fast]"')
    X, labels, description = _data.load(args.data_dir, args.data)
    env = environment()
    print(f"data: {description}")
    print(f"environment: {json.dumps(env)}")
    medians, busy = time_iterations(X, labels, args.repeats, args.threads)
    print(f"\n{'ms per call':44}{'ms':>8}  {'baseline':14}{'ratio':>7}  target")
    for key, seconds in medians.items():
        line = f"{' '.join(key):44}{seconds * 1e3:8.2f}"
        if key in TARGETS:
            baseline_name, limit = TARGETS[key]
            baseline = medians[tuple(baseline_name.split())]
            ratio = seconds / baseline
            verdict = "met" if ratio <= limit else "MISSED"
            line += f"  {baseline_name:14}{ratio:7.2f}  <= {limit} {verdict}"
        print(line)
    worst = max((value for value in busy.values() if value is not None), default=None)
    if worst is not None:
        print(f"other processes kept up to {worst:.2f} cores busy during the calls")
    compiles = {dtype: compile_times(dtype) for dtype in DTYPES}
    print("\nfresh process, binary + 10-class first calls (import s, first calls s):")
    for dtype, result in compiles.items():
        cold, warm = result["cold"], result["warm"]
        print(
            f"  {dtype:8} empty cache: import {cold[0]:.2f} s, first calls "
            f"{cold[1]:.2f} s; from the cache: import {warm[0]:.2f} s, first calls "
            f"{warm[1]:.2f} s"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = {
            "data": description,
            "environment": env,
            "seconds": {" ".join(key): value for key, value in medians.items()},
            "other_cores_busy": {" ".join(key): value for key, value in busy.items()},
            "compile": compiles,
        }
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
