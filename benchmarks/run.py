"""The figures of the layered fit engine (issue 10), as ratios measured in one run.

On the real MNIST train images (60000 x 784 uint8 pixels), one run measures:

* per iteration, each kernel (NumPy; compiled, when skdigit has it; the Array API
  kernel on torch CPU tensors, when torch imports) x input dtype (uint8, float32,
  float64) x problem (binary 4-detector, 10-class one-vs-rest, multinomial), against
  one ``X @ w`` pass in float64 (binary) and one ``X @ W`` pass with 10 columns in
  the fit's dtype (10 classes), timed in the same rounds;
* the notebook's whole 200-iteration fit on its raw uint8 pixels, against the
  notebook's own code (``_notebook.py``, timed per iteration);
* the peak memory of uint8 fits above their input;
* ``import skdigit``, compile and first-fit times, each in a fresh process, with an
  empty and with a warm numba cache;
* dask's per-iteration overhead on a local cluster at 1, 4 and 16 times the rows,
  with a sweep of chunk sizes;
* scikit-learn's LogisticRegression (lbfgs) and SGDClassifier (log_loss) as peers;

then checks the issue's targets, prints a report and writes every figure to JSON.

Usage::

    python benchmarks/run.py [--data-dir DIR] [--data {auto,train,t10k,random}]
                             [--rows N] [--iterations N] [--repeats R]
                             [--skip SECTION ...] [--json PATH] [--quick]

``DIR`` defaults to where skdigit looks for MNIST (``$SKDIGIT_DATA``, else
``~/skdigit_data``). ``--quick`` is a smoke run on 10000 rows
that exercises every path in about a minute; its timings mean little.
"""

import json
import os
import platform
import sys
import time
import traceback
from importlib import metadata
from pathlib import Path

import _data
from _array_api_rows import array_api_rows
from _crossover import crossover_lines, crossover_rows
from _dask_rows import dask_rows
from _fresh import fresh_process_rows
from _kernel_choice import available_kernels, default_kernel
from _memory import memory_rows
from _peers import peer_rows
from _per_iteration import (
    NOTEBOOK_FIT_ITERATIONS,
    float_arrays,
    kernel_fit_jobs,
    notebook_job,
    pass_jobs,
    rows,
    targets,
)
from _profile import float32_profile, profile_lines, uint8_profile
from _report import check_targets, format_report
from _timing import busiest, in_turn
from threadpoolctl import threadpool_info

DEFAULT_JSON = Path(__file__).parent / "results" / "latest.json"
SECTIONS = (
    "per_iteration",
    "uint8_profile",
    "float32_profile",
    "crossover",
    "memory",
    "sklearn",
    "fresh",
    "torch",
    "dask",
    "idx",
)
# Full run and --quick: rows, iterations of the notebook's whole fit (also run in
# fresh processes), iterations per fit, rounds, notebook iterations, iterations and
# rounds of dask fits and of torch fits (slow: short, one round), max_iter of the
# scikit-learn peers, dask's sizes (times the rows).
SETTINGS = {
    "full": {
        "rows": 60_000,
        "fit_iterations": NOTEBOOK_FIT_ITERATIONS,
        "iterations": 20,
        "repeats": 3,
        "notebook_iterations": 3,
        "dask_iterations": 6,
        "dask_repeats": 2,
        "torch_iterations": 4,
        "torch_repeats": 1,
        "peer_iterations": 100,
        "dask_sizes": (1, 4, 16),
    },
    "quick": {
        "rows": 10_000,
        "fit_iterations": 20,
        "iterations": 4,
        "repeats": 1,
        "notebook_iterations": 1,
        "dask_iterations": 3,
        "dask_repeats": 1,
        "torch_iterations": 3,
        "torch_repeats": 1,
        "peer_iterations": 10,
        "dask_sizes": (1, 4),
    },
}
# Set by this harness when it restarts itself without SCIPY_ARRAY_API.
RESTARTED = "SKDIGIT_BENCH_UNSET_SCIPY_ARRAY_API"
# Environment variables that change the figures, recorded with them.
RECORDED_PREFIXES = ("OPENBLAS_", "OMP_", "MKL_", "NUMBA_", "SKDIGIT_", "SCIPY_")


def parse_args(argv):
    parser = _data.argument_parser(__doc__)
    parser.add_argument(
        "--data",
        choices=_data.SOURCES,
        default="auto",
        help="train images, t10k images tiled to 60000 rows, or random pixels "
        "(default: the first of these that is available)",
    )
    parser.add_argument("--rows", type=int, help="rows of the data (60000)")
    parser.add_argument("--iterations", type=int, help="iterations per fit (20)")
    parser.add_argument("--repeats", type=int, help="rounds; figures are medians (3)")
    parser.add_argument(
        "--notebook-iterations", type=int, help="iterations of the notebook's code (3)"
    )
    parser.add_argument(
        "--dask-iterations", type=int, help="iterations per dask fit (10)"
    )
    parser.add_argument(
        "--skip", nargs="+", choices=SECTIONS, default=[], help="sections to leave out"
    )
    parser.add_argument(
        "--json",
        default=str(DEFAULT_JSON),
        help=f"output file (default: {DEFAULT_JSON})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run on 10000 rows, one round, few iterations",
    )
    args = parser.parse_args(argv)
    for name, default in SETTINGS["quick" if args.quick else "full"].items():
        if getattr(args, name, None) is None:
            setattr(args, name, default)
    return args


def restart_without_scipy_array_api():
    """Run this harness again without ``SCIPY_ARRAY_API``: it slows the NumPy
    kernel's ``scipy.special`` calls, and users do not set it (the torch rows set it
    in their own process)."""
    if not os.environ.get("SCIPY_ARRAY_API"):
        return
    print("run.py: restarting without SCIPY_ARRAY_API", flush=True)
    env = {**os.environ, RESTARTED: os.environ["SCIPY_ARRAY_API"]}
    del env["SCIPY_ARRAY_API"]
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model():
    """The processor's name from ``/proc/cpuinfo`` (Linux), or None."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def environment():
    import skdigit

    blas = [
        {key: library.get(key) for key in ("internal_api", "version", "num_threads")}
        | {"architecture": library.get("architecture")}
        for library in threadpool_info()
        if library["user_api"] == "blas"
    ]
    packages = ("numpy", "scipy", "scikit-learn", "numba", "torch", "dask")
    return {
        "python": platform.python_version(),
        **{package: _version(package) for package in packages},
        "skdigit": skdigit.__version__,
        "cpus": os.cpu_count(),
        "machine": _cpu_model() or platform.processor() or platform.machine(),
        "blas": blas,
        "variables": {
            name: value
            for name, value in sorted(os.environ.items())
            if name.startswith(RECORDED_PREFIXES) or name == RESTARTED
        },
    }


def per_iteration_section(arrays, y, kernels, args):
    """Passes, kernel fits and the notebook's code, timed in turn."""
    print("Per iteration: passes, fits and the notebook's code in turn ...", flush=True)
    passes = pass_jobs(arrays)
    jobs = {
        **passes,
        **kernel_fit_jobs(arrays, y, kernels, args.iterations, args.fit_iterations),
        "notebook": notebook_job(arrays["uint8"], y, args.notebook_iterations),
    }
    results = in_turn(
        jobs,
        args.repeats,
        warmup=not args.quick,
        on_round=lambda i: print(f"  round {i + 1} of {args.repeats}", flush=True),
    )
    notebook = results["notebook"]["per_iteration_s"]
    notebook_fit_s = notebook * args.fit_iterations
    return {
        "passes": {name: results[name]["s"] for name in passes},
        "per_iteration": rows(results, kernels),
        "other_processes_cores": busiest(results),
        "notebook": {
            "per_iteration_s": notebook,
            "iterations_timed": args.notebook_iterations,
            "fit_s": notebook_fit_s,
        },
        "notebook_fit": {
            kernel: {
                "fit_s": results[f"{kernel} uint8 binary"]["fit_s"],
                "speedup": notebook_fit_s / results[f"{kernel} uint8 binary"]["fit_s"],
            }
            for kernel in kernels
        },
        "jobs": results,
    }


def idx_section(data_dir, repeats):
    """The IDX reading benchmark of ``bench_idx.py``, when it is there."""
    try:
        import bench_idx
    except ImportError:
        return None
    return bench_idx.run(data_dir, repeats=repeats)


def idx_report(results):
    import bench_idx

    return bench_idx.report(results)


def run_sections(results, arrays, y, kernels, args):
    """Every section but the per-iteration one, unless skipped; each one's seconds
    go to ``results["section_seconds"]``."""
    X8 = arrays["uint8"]
    sections = (
        (
            "uint8_profile",
            "uint8_profile",
            "Where a uint8 iteration goes",
            lambda: uint8_profile(X8, y, repeats=args.repeats + 2),
        ),
        (
            "float32_profile",
            "float32_profile",
            "Where a float32 iteration goes",
            lambda: float32_profile(X8, y, repeats=args.repeats + 2),
        ),
        (
            "crossover",
            "crossover",
            "Kernel crossover",
            lambda: crossover_rows(X8, y, kernels, args.iterations, args.repeats),
        ),
        ("memory", "memory", "Memory", lambda: memory_rows(X8, targets(y), kernels)),
        (
            "sklearn",
            "sklearn",
            "scikit-learn peers",
            lambda: peer_rows(arrays["float64"], y, args.peer_iterations),
        ),
        (
            "fresh",
            "fresh_process",
            "Fresh processes",
            lambda: fresh_process_rows(
                args.data_dir, args.data, args.rows, args.fit_iterations, kernels
            ),
        ),
        (
            "torch",
            "array_api",
            "Array API kernel on torch tensors, in its own process",
            lambda: array_api_rows(
                args.data_dir,
                args.data,
                args.rows,
                args.torch_iterations,
                args.torch_repeats,
            ),
        ),
        (
            "dask",
            "dask",
            "Dask",
            lambda: dask_rows(
                X8,
                y,
                args.dask_iterations,
                args.dask_repeats,
                args.dask_sizes,
                warmup=not args.quick,
            ),
        ),
        (
            "idx",
            "idx",
            "IDX reading",
            lambda: idx_section(args.data_dir, 3 if args.quick else 15),
        ),
    )
    for name, key, label, measure in sections:
        if name not in args.skip:
            print(f"{label} ...", flush=True)
            run_section(results, name, key, measure)


def run_section(results, name, key, measure):
    """``results[key] = measure()``, timed; a failure is noted in
    ``results["failures"]`` (the run goes on, and ends with exit status 1)."""
    start = time.perf_counter()
    try:
        results[key] = measure()
    except Exception:  # a broken section must not lose the others' figures
        failure = traceback.format_exc()
        print(failure, file=sys.stderr, flush=True)
        results["failures"][name] = failure
    results["section_seconds"][name] = time.perf_counter() - start


def main(argv=None):
    args = parse_args(argv)
    restart_without_scipy_array_api()
    start = time.perf_counter()
    try:
        X8, y, description = _data.load(args.data_dir, args.data)
    except FileNotFoundError as error:
        print(f"run.py: {error}", file=sys.stderr)
        return 2
    X8, y = _data.first_rows(X8, y, args.rows)
    print(f"Data: {description}, {X8.shape[0]} rows", flush=True)
    arrays = float_arrays(X8)
    kernels, skipped = available_kernels()
    results = {
        "data": description,
        "settings": {
            "rows": X8.shape[0],
            "features": X8.shape[1],
            **{name: getattr(args, name) for name in SETTINGS["full"]},
            "quick": args.quick,
            "skipped_sections": args.skip,
        },
        "environment": environment(),
        "load": {"start": list(os.getloadavg())},
        "kernels": {
            "available": kernels,
            "default": default_kernel(X8.shape),
            "skipped": skipped,
        },
        "per_iteration": {},
        "notebook_fit": {},
        "memory": {},
        "sklearn": {},
        "fresh_process": {},
        "section_seconds": {},
        "failures": {},
    }
    for name, why in skipped.items():
        print(f"  {name} kernel rows skipped: {why}")
    if "per_iteration" not in args.skip:
        run_section(
            results,
            "per_iteration",
            "per_iteration_section",
            lambda: per_iteration_section(arrays, y, kernels, args),
        )
        results.update(results.pop("per_iteration_section", {}))
    run_sections(results, arrays, y, kernels, args)
    results["load"]["end"] = list(os.getloadavg())
    results["targets"] = check_targets(results)
    results["total_seconds"] = time.perf_counter() - start

    print()
    print(format_report(results))
    for lines in (profile_lines(results), crossover_lines(results)):
        if lines:
            print("\n".join(lines))
    if results.get("idx"):
        print("\nIDX reading (benchmarks/bench_idx.py):")
        print(idx_report(results["idx"]))
    seconds = ", ".join(
        f"{name} {value:.0f}" for name, value in results["section_seconds"].items()
    )
    print(f"\nTotal: {results['total_seconds']:.0f} s ({seconds})")
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=_jsonable) + "\n")
    print(f"Figures written to {path}")
    if results["failures"]:
        print(f"Failed sections: {', '.join(results['failures'])}", file=sys.stderr)
        return 1
    return 0


def _jsonable(value):
    """NumPy scalars as Python numbers; dict keys are made strings by json."""
    return value.item() if hasattr(value, "item") else str(value)


if __name__ == "__main__":
    sys.exit(main())
