"""Speed of GDLogisticRegression against the memory bound, the notebook, scikit-learn.

One run times, on 60000 x 784 data (the shape of MNIST's training set):

* skdigit's GDLogisticRegression: the notebook's binary 4-detector and the 10-class
  one-vs-rest model in float64 and float32, the binary model on the notebook's uint8
  pixels, and the multinomial model in float64;
* the notebook's own code on its own input, uint8 pixels plus a bias column (a copy of
  its cells is in ``_notebook.py``), and the same code on float64;
* scikit-learn's LogisticRegression (lbfgs) and SGDClassifier(loss="log_loss");
* one ``X @ w`` pass and one ``X @ W`` pass (10 columns) in each dtype: every
  iteration reads X at least once, so these bound the time of an iteration;
* the peak memory of a fit, and where the time of an iteration goes;

then prints the ratios to those bounds and to the notebook, checks them against the
targets, and writes every figure to a JSON file.

Usage::

    python benchmarks/run.py [--data-dir DIR] [--iterations N] [--repeats R]
                             [--notebook-iterations K] [--json PATH] [--quick]

``DIR`` defaults to ``$SKDIGIT_TEST_DATA``. Times per iteration are medians over
``R`` fits of ``N`` iterations (the notebook: of ``K`` iterations).
"""

import argparse
import json
import os
import platform
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import _data
import _notebook
import numpy as np
import scipy
import sklearn
from _timing import interleaved_medians, peak_traced_bytes, settle
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from threadpoolctl import ThreadpoolController, threadpool_info

import skdigit
from skdigit import GDLogisticRegression
from skdigit._kernels import make_objective
from skdigit._kernels._numpy import row_blocks
from skdigit._threads import blas_thread_count, fit_threads, split_blocks

DIGIT = 4  # the notebook's detector
LEARNING_RATE = 1e-5
NOTEBOOK_RUN_ITERATIONS = 200
# Targets of the issue; each is checked on the figures of this run.
MAX_RATIO_TO_PASS = 1.3
MAX_FLOAT32_SHARE = 0.6
MIN_SPEEDUP_OVER_NOTEBOOK = 15
MAX_MEMORY_OVERHEAD = 0.10
MEMORY_ALLOWANCE_BYTES = 8 * 2**20  # the "fixed few MB": buffers, Y, sample weights
DEFAULT_JSON = Path(__file__).parent / "results" / "latest.json"
MiB = 2**20


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
    parser.add_argument(
        "--data",
        choices=_data.SOURCES,
        default="auto",
        help="train images, t10k images tiled to 60000 rows, or random pixels "
        "(default: the first of these that is available)",
    )
    parser.add_argument("--iterations", type=int, help="iterations per fit (100)")
    parser.add_argument("--repeats", type=int, help="fits per figure; median (3)")
    parser.add_argument(
        "--notebook-iterations", type=int, help="iterations of the notebook's code (5)"
    )
    parser.add_argument(
        "--json",
        default=str(DEFAULT_JSON),
        help=f"output file (default: {DEFAULT_JSON})",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a fast smoke run: few iterations, 1 fit"
    )
    args = parser.parse_args(argv)
    defaults = (20, 1, 2) if args.quick else (100, 3, 5)
    for name, default in zip(
        ("iterations", "repeats", "notebook_iterations"), defaults, strict=True
    ):
        if getattr(args, name) is None:
            setattr(args, name, default)
    return args


def environment():
    blas = [
        {key: library.get(key) for key in ("internal_api", "version", "num_threads")}
        | {"architecture": library.get("architecture")}
        for library in threadpool_info()
        if library["user_api"] == "blas"
    ]
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "skdigit": skdigit.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "blas": blas,
        "blas_threads": blas_thread_count(),
    }


# --- passes and fits, timed in turn --------------------------------------------------

PASS_CALLS = 10  # passes are short: time this many per round
STEP_CALLS = 5  # calls in a row per sample in the breakdown


def pass_jobs(X):
    """One ``X @ w`` and one ``X @ W`` (10 columns) pass: name -> (call, passes)."""
    dtype = X.dtype.name
    w = np.full(X.shape[1], 1e-3, X.dtype)
    W = np.full((X.shape[1], 10), 1e-3, X.dtype)
    return {
        ("passes", dtype, "X@w"): (
            lambda: [X @ w for _ in range(PASS_CALLS)],
            PASS_CALLS,
        ),
        ("passes", dtype, "X@W"): (
            lambda: [X @ W for _ in range(PASS_CALLS)],
            PASS_CALLS,
        ),
    }


def skdigit_jobs(X64, X32, X8, y, args, models):
    """skdigit's fits: name -> (call, iterations); each call keeps its model."""
    y4 = y == DIGIT
    iterations = args.iterations
    fits = {
        "binary float64": (X64, y4, "ovr", iterations),
        "binary float32": (X32, y4, "ovr", iterations),
        # The notebook's whole run, conversion to float64 included.
        "binary uint8 input": (X8, y4, "ovr", NOTEBOOK_RUN_ITERATIONS),
        "10-class float64": (X64, y, "ovr", iterations),
        "10-class float32": (X32, y, "ovr", iterations),
        "multinomial float64": (X64, y, "multinomial", iterations),
    }
    jobs = {}
    for name, (X, target, multiclass, max_iter) in fits.items():

        def fit(name=name, X=X, target=target, multiclass=multiclass, n=max_iter):
            model = GDLogisticRegression(max_iter=n, multiclass=multiclass)
            models[name] = (model.fit(X, target), X, target)

        jobs[("skdigit", name)] = (fit, max_iter)
    return jobs


def notebook_jobs(X8, X64, y, args):
    """The notebook's code on uint8 and on float64, each with its bias column."""
    Y = (y == DIGIT).astype(int).reshape(-1, 1)
    jobs = {}
    for name, X in (("uint8 + bias column", X8), ("float64 + bias column", X64)):
        with_bias = _notebook.add_bias_column(X)

        def train(with_bias=with_bias):
            with np.errstate(all="ignore"):
                _notebook.train(with_bias, Y, args.notebook_iterations, LEARNING_RATE)

        jobs[("notebook", name)] = (train, args.notebook_iterations)
    return jobs


def time_in_turn(X64, X32, X8, y, args):
    """Passes, skdigit fits and the notebook's code, timed in turn over
    ``args.repeats`` rounds: per-pass and per-iteration medians."""
    models = {}
    jobs = {
        **pass_jobs(X64),
        **pass_jobs(X32),
        **skdigit_jobs(X64, X32, X8, y, args, models),
        **notebook_jobs(X8, X64, y, args),
    }
    for key, (call, _) in jobs.items():
        if key[0] == "passes":
            call()  # warm up: BLAS threads, caches, page tables
    medians, busy = interleaved_medians(
        {key: call for key, (call, _) in jobs.items()},
        args.repeats,
        warmup=False,
        on_round=lambda i: print(f"  round {i + 1} of {args.repeats}", flush=True),
    )
    results = {"passes": {"float64": {}, "float32": {}}, "skdigit": {}, "notebook": {}}
    known = [cores for cores in busy.values() if cores is not None]
    results["other_processes_cores"] = max(known) if known else None
    for key, (_, count) in jobs.items():
        seconds = medians[key] / count
        if key[0] == "passes":
            results["passes"][key[1]][key[2]] = seconds
        elif key[0] == "notebook":
            results["notebook"][key[1]] = {"per_iteration_s": seconds}
        else:
            model, X, target = models[key[1]]
            results["skdigit"][key[1]] = {
                "iterations": count,
                "fit_s": medians[key],
                "per_iteration_s": seconds,
                "final_loss": model.loss_curve_[-1],
                "train_accuracy": float(model.score(X, target)),
            }
    return results


def time_fit(make_estimator, X, y):
    """Seconds of one ``make_estimator().fit(X, y)``, and the fitted estimator."""
    settle()
    start = time.perf_counter()
    model = make_estimator().fit(X, y)
    return time.perf_counter() - start, model


def time_sklearn(X64, y, args):
    """Fit time of scikit-learn's solvers on the binary problem, raw pixels."""
    y4 = y == DIGIT
    max_iter = 20 if args.quick else 100
    models = {
        "LogisticRegression(lbfgs)": lambda: LogisticRegression(max_iter=max_iter),
        'SGDClassifier(loss="log_loss")': lambda: SGDClassifier(
            loss="log_loss", max_iter=max_iter, random_state=0
        ),
    }
    results = {}
    for name, make in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            # One fit each: they are references, and the slowest part of the run.
            seconds, model = time_fit(make, X64, y4)
        results[name] = {
            "fit_s": seconds,
            "n_iter": int(np.max(model.n_iter_)),
            "train_accuracy": float(model.score(X64, y4)),
        }
        print(f"  scikit-learn {name}: {seconds:.2f} s")
    return results


# --- memory -------------------------------------------------------------------------


def measure_memory(X64, X8, y):
    """Peak memory of short fits, above the input, against the working copy of X."""
    results = {}
    for input_name, X in (("float64", X64), ("uint8", X8)):
        working_bytes = X.size * np.dtype(np.float64).itemsize
        for problem, target in (("binary", y == DIGIT), ("10-class", y)):
            peak = peak_traced_bytes(
                lambda X=X, target=target: GDLogisticRegression(max_iter=2).fit(
                    X, target
                )
            )
            copy = 0 if X.dtype == np.float64 else working_bytes
            limit = copy + MAX_MEMORY_OVERHEAD * working_bytes + MEMORY_ALLOWANCE_BYTES
            results[f"{problem}, {input_name} input"] = {
                "peak_above_input_bytes": peak,
                "working_copy_bytes": copy,
                "x_float64_bytes": working_bytes,
                "limit_bytes": limit,
                "within_target": peak <= limit,
            }
    return results


# --- where the time goes ------------------------------------------------------------


def blocked_products(X, n_outputs, threads):
    """Callables running only the kernel's products, on its blocks and threads: the
    first product alone, and both products while each block is in cache."""
    blocks = row_blocks(*X.shape, X.dtype.itemsize)
    shape = (X.shape[1],) if n_outputs == 1 else (X.shape[1], n_outputs)
    weights = np.full(shape, 1e-3, X.dtype)
    z = np.empty((X.shape[0], *shape[1:]), X.dtype)
    gradients = iter(np.empty((len(blocks), *shape), X.dtype))
    # Views made once, as the kernel makes them.
    parts = [
        [(X[rows], z[rows], next(gradients)) for rows in part]
        for part in split_blocks(blocks, threads)
    ]

    def first(part):
        for X_block, z_block, _ in part:
            np.matmul(X_block, weights, out=z_block)

    def both(part):
        for X_block, z_block, gradient in part:
            np.matmul(X_block, weights, out=z_block)
            # X_block.T @ residual, as the kernel computes it
            if n_outputs == 1:
                np.matmul(z_block, X_block, out=gradient)
            else:
                np.matmul(X_block.T, z_block, out=gradient)

    pool = ThreadPoolExecutor(len(parts))
    # The kernel's threads run single-threaded BLAS; so do these.
    blas = ThreadpoolController().select(user_api="blas")

    def run(step):
        with blas.limit(limits=1 if len(parts) > 1 else None):
            list(pool.map(step, parts))

    return (lambda: run(first)), (lambda: run(both))


def breakdown(X, y, n_outputs, repeats):
    """Per-iteration seconds of each step, cumulated, on the kernel's own blocks.

    The steps are timed in turn, the bound with them, so that the ratios hold even
    when the machine is busy at times.
    """
    Y = (
        (y == DIGIT).astype(X.dtype).reshape(-1, 1)
        if n_outputs == 1
        else np.eye(10, dtype=X.dtype)[y]
    )
    blocks = row_blocks(*X.shape, X.dtype.itemsize)
    threads = fit_threads(len(blocks))
    first, both = blocked_products(X, n_outputs, threads)
    evaluate = make_objective(X, Y, np.ones(len(X), X.dtype), link="sigmoid").evaluate
    coef = np.full((X.shape[1], n_outputs), 1e-5, X.dtype)
    intercept = np.zeros(n_outputs, X.dtype)
    bound = "X@w" if n_outputs == 1 else "X@W"
    steps = {
        f"one {bound} pass (the bound)": lambda: (
            X @ coef[:, 0] if n_outputs == 1 else X @ coef
        ),
        "first product, on the kernel's blocks and threads": first,
        "+ second product, block in cache": both,
        "+ residual and loss (one kernel call)": lambda: evaluate(coef, intercept),
    }

    def in_a_row(step):
        # Several calls in a row, as in a fit, rather than one after a pause.
        return lambda: [step() for _ in range(STEP_CALLS)]

    medians, busy = interleaved_medians(
        {name: in_a_row(step) for name, step in steps.items()}, repeats
    )
    steps = {name: seconds / STEP_CALLS for name, seconds in medians.items()}
    known = [cores for cores in busy.values() if cores is not None]
    return {
        "other_processes_cores": max(known) if known else None,
        "blocks": len(blocks),
        "rows_per_block": blocks[0].stop - blocks[0].start,
        "threads": threads,
        "steps_s": steps,
    }


# --- the report ---------------------------------------------------------------------


def ratios_and_targets(results):
    passes, fits, notebook = results["passes"], results["skdigit"], results["notebook"]
    per = {name: fit["per_iteration_s"] for name, fit in fits.items()}
    notebook_uint8 = notebook["uint8 + bias column"]["per_iteration_s"]
    bounds = {
        "binary float64": ("X@w", "float64"),
        "binary float32": ("X@w", "float32"),
        "binary uint8 input": ("X@w", "float64"),
        "10-class float64": ("X@W", "float64"),
        "10-class float32": ("X@W", "float32"),
        "multinomial float64": ("X@W", "float64"),
    }
    rows = {}
    for name, (bound, dtype) in bounds.items():
        rows[name] = {
            "bound": f"{bound} {dtype}",
            "ratio_to_bound": per[name] / passes[dtype][bound],
            "ratio_to_X@w": per[name] / passes[dtype]["X@w"],
            "speedup_over_notebook": notebook_uint8 / per[name],
        }
    targets = []

    def check(description, value, limit, at_most=True):
        met = value <= limit if at_most else value >= limit
        targets.append(
            {"target": description, "value": value, "limit": limit, "met": bool(met)}
        )

    for name in ("binary float64", "binary float32"):
        check(
            f"{name}: iteration <= {MAX_RATIO_TO_PASS} x one X @ w pass",
            rows[name]["ratio_to_bound"],
            MAX_RATIO_TO_PASS,
        )
    for name in ("10-class float64", "10-class float32"):
        check(
            f"{name}: iteration <= {MAX_RATIO_TO_PASS} x one X @ W pass",
            rows[name]["ratio_to_bound"],
            MAX_RATIO_TO_PASS,
        )
    for problem in ("binary", "10-class"):
        check(
            f"{problem}: float32 fit <= {MAX_FLOAT32_SHARE} x float64 fit",
            per[f"{problem} float32"] / per[f"{problem} float64"],
            MAX_FLOAT32_SHARE,
        )
    check(
        f"the notebook's {NOTEBOOK_RUN_ITERATIONS}-iteration run on uint8 input "
        f">= {MIN_SPEEDUP_OVER_NOTEBOOK}x faster than the notebook's code",
        rows["binary uint8 input"]["speedup_over_notebook"],
        MIN_SPEEDUP_OVER_NOTEBOOK,
        at_most=False,
    )
    for name, memory in results["memory"].items():
        check(
            f"peak memory of a fit ({name}) <= working copy + "
            f"{MAX_MEMORY_OVERHEAD:.0%} of X + {MEMORY_ALLOWANCE_BYTES // MiB} MiB, "
            "in MiB",
            memory["peak_above_input_bytes"] / MiB,
            memory["limit_bytes"] / MiB,
        )
    return rows, targets


def _quiet_line(cores):
    if cores is None:
        return "(whether other processes ran at the same time is unknown here)"
    verdict = "a quiet machine" if cores < 0.1 else "NOT a quiet machine: rerun"
    return (
        f"Other processes kept at most {cores:.2f} cores busy during a timed call "
        f"({verdict})."
    )


def format_report(results):
    settings, fits, passes = results["settings"], results["skdigit"], results["passes"]
    env = results["environment"]
    blas = ", ".join(
        f"{b['internal_api']} {b['version']} ({b['architecture']}, "
        f"{b['num_threads']} threads)"
        for b in env["blas"]
    )
    lines = [
        f"Data: {results['data']}, {settings['shape'][0]} x {settings['shape'][1]}",
        f"Machine: {env['cpus']} CPUs; BLAS: {blas}",
        f"Per-iteration times: median of {settings['repeats']} fits of "
        f"{settings['iterations']} iterations (notebook: "
        f"{settings['notebook_iterations']} iterations; fit times include "
        "validation).",
        _quiet_line(results.get("other_processes_cores")),
        "",
        f"{'':46}{'ms/iter':>9}  {'bound':<13}{'x bound':>8}{'x X@w':>7}"
        f"{'vs notebook':>13}",
    ]
    for dtype in ("float64", "float32"):
        for bound in ("X@w", "X@W"):
            lines.append(
                f"{'one ' + bound + ' pass, ' + dtype:46}"
                f"{1e3 * passes[dtype][bound]:9.2f}"
            )
    for name, row in results["ratios"].items():
        label = f"skdigit {name}"
        if fits[name]["iterations"] != settings["iterations"]:
            label += f" ({fits[name]['iterations']} it.)"
        lines.append(
            f"{label:46}{1e3 * fits[name]['per_iteration_s']:9.2f}  "
            f"{row['bound']:<13}{row['ratio_to_bound']:8.2f}{row['ratio_to_X@w']:7.2f}"
            f"{row['speedup_over_notebook']:12.1f}x"
        )
    for name, figures in results["notebook"].items():
        lines.append(
            f"{'notebook on ' + name:46}{1e3 * figures['per_iteration_s']:9.2f}"
        )
    lines += ["", "scikit-learn, binary 4-detector on raw float64 pixels, one fit:"]
    binary_fit = fits["binary float64"]["fit_s"]
    for name, figures in results["sklearn"].items():
        lines.append(
            f"  {name:32}{figures['fit_s']:8.2f} s, n_iter_={figures['n_iter']:<5}"
            f"train accuracy {figures['train_accuracy']:.4f} "
            f"({figures['fit_s'] / binary_fit:.1f}x skdigit's "
            f"{settings['iterations']}-iteration fit)"
        )
    lines.append(
        f"  {'skdigit GDLogisticRegression':32}{binary_fit:8.2f} s, "
        f"n_iter_={settings['iterations']:<5}train accuracy "
        f"{fits['binary float64']['train_accuracy']:.4f}"
    )
    lines += ["", "Peak traced memory of a 2-iteration fit, above its input:"]
    for name, memory in results["memory"].items():
        lines.append(
            f"  {name:28}{memory['peak_above_input_bytes'] / MiB:8.1f} MiB "
            f"(working copy {memory['working_copy_bytes'] / MiB:.0f} MiB, "
            f"limit {memory['limit_bytes'] / MiB:.0f} MiB)"
        )
    for problem, figures in results["breakdown"].items():
        lines += [
            "",
            f"Where an iteration goes, {problem} float64 ({figures['blocks']} blocks "
            f"of {figures['rows_per_block']} rows, {figures['threads']} threads):",
            "  " + _quiet_line(figures["other_processes_cores"]),
        ]
        bound = next(iter(figures["steps_s"].values()))
        for step, seconds in figures["steps_s"].items():
            lines.append(f"  {step:52}{1e3 * seconds:8.2f} ms {seconds / bound:6.2f}x")
    lines += ["", "Targets:"]
    for target in results["targets"]:
        verdict = "met   " if target["met"] else "MISSED"
        lines.append(
            f"  [{verdict}] {target['target']}: {target['value']:.2f} "
            f"(limit {target['limit']:.2f})"
        )
    return "\n".join(lines)


def idx_section(data_dir):
    """The IDX reading benchmark of ``bench_idx.py``, when it is there."""
    try:
        import bench_idx
    except ImportError:
        return None, None
    results = bench_idx.run(data_dir)
    report = bench_idx.report(results) if hasattr(bench_idx, "report") else None
    return results, report


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        X8, y, description = _data.load(args.data_dir, args.data)
    except FileNotFoundError as error:
        print(f"run.py: {error}", file=sys.stderr)
        return 2
    print(f"Data: {description}")
    X64 = X8.astype(np.float64)
    X32 = X8.astype(np.float32)
    results = {
        "data": description,
        "settings": {
            "shape": list(X8.shape),
            "iterations": args.iterations,
            "repeats": args.repeats,
            "notebook_iterations": args.notebook_iterations,
            "learning_rate": LEARNING_RATE,
            "quick": args.quick,
        },
        "environment": environment(),
    }
    print("Timing passes over X, skdigit's fits and the notebook's code in turn ...")
    results.update(time_in_turn(X64, X32, X8, y, args))
    print("Timing scikit-learn ...")
    results["sklearn"] = time_sklearn(X64, y, args)
    print("Measuring memory and the breakdown ...")
    results["memory"] = measure_memory(X64, X8, y)
    results["breakdown"] = {
        problem: breakdown(X64, y, n_outputs, 3 + 2 * args.repeats)
        for problem, n_outputs in (("binary", 1), ("10-class", 10))
    }
    results["ratios"], results["targets"] = ratios_and_targets(results)
    idx_results, idx_report = idx_section(args.data_dir)
    if idx_results is not None:
        results["idx"] = idx_results
    results["total_seconds"] = time.perf_counter() - start

    print()
    print(format_report(results))
    if idx_report:
        print("\nIDX reading (benchmarks/bench_idx.py):")
        print(idx_report)
    print(f"\nTotal: {results['total_seconds']:.0f} s")
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=float) + "\n")
    print(f"Figures written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
