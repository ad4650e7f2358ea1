"""The big fit, measured: an 8.1-million-row uint8 IDX file, memory-mapped, fitted.

Writes MNIST's training digits shifted by up to 2 pixels (``_big_data.py``) as a raw
IDX file of ``--rows`` rows (8.1 million by default, the size of infiMNIST: 6.4 GB;
kept in ``--folder`` and reused when it is there with that many rows), memory-maps
it and fits ``GDLogisticRegression`` on it without a copy:

* binary (the notebook's 4-detector) and multinomial (10 digits, softmax), each with
  each ``--solvers`` (plain ``gd``, ``nesterov`` accelerated), at the notebook's
  learning rate on raw pixels, ``--iterations`` iterations;
* per iteration (median interval between iterations), against one pass over the
  file (its bytes OR-ed together as 64-bit words, once the file is in the page
  cache: the least an iteration can cost);
* peak memory above the mapping: the fit's anonymous resident memory (RssAnon:
  what it allocated, not the file's pages), sampled, and what tracemalloc traced;
* the test error on the official 10k test images;
* then, unless ``--no-dask``, the out-of-core case: a ``LocalCluster`` of 2 worker
  processes (1 thread each, 127.0.0.1) reads the file in row chunks of
  ``--chunk-rows``, each worker memory-mapping its own chunks, and fits the same
  problems with plain descent; per iteration against the in-memory fit's, and each
  worker's peak anonymous memory.

Usage::

    python benchmarks/bench_big_fit.py [--data-dir DIR] [--folder DIR] [--rows N]
        [--iterations N] [--solvers gd nesterov] [--problems binary multinomial]
        [--chunk-rows N] [--no-dask] [--json PATH] [--quick]

``--quick`` (the CI smoke run) is 30000 rows, 3 iterations, chunks of 10000 rows.
"""

import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

import _big_data
import _data
import numpy as np
from _dask_rows import start_cluster
from _memory import AnonymousPeaks, MiB
from _timing import timed_fit

from skdigit import GDLogisticRegression, read_idx

DEFAULT_FOLDER = Path(__file__).parent / "results" / "big"
DIGIT = 4
LEARNING_RATE = 1e-5  # the notebook's, on raw pixels
PROBLEMS = ("binary", "multinomial")
SOLVERS = ("gd", "nesterov")
SETTINGS = {
    "full": {"rows": 8_100_000, "iterations": 10, "chunk_rows": 506_250},
    "quick": {"rows": 30_000, "iterations": 3, "chunk_rows": 10_000},
}


def parse_args(argv):
    parser = _data.argument_parser(__doc__)
    parser.add_argument(
        "--folder",
        type=Path,
        default=DEFAULT_FOLDER,
        help=f"where the big files are written and kept (default: {DEFAULT_FOLDER})",
    )
    parser.add_argument("--rows", type=int, help="rows of the big file (8100000)")
    parser.add_argument("--iterations", type=int, help="iterations per fit (10)")
    parser.add_argument("--solvers", nargs="+", choices=SOLVERS, default=SOLVERS)
    parser.add_argument("--problems", nargs="+", choices=PROBLEMS, default=PROBLEMS)
    parser.add_argument(
        "--chunk-rows", type=int, help="rows per dask chunk (506250: 16 chunks)"
    )
    parser.add_argument("--no-dask", action="store_true", help="skip the dask fits")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--quick", action="store_true", help="30000 rows, 3 iterations (smoke run)"
    )
    args = parser.parse_args(argv)
    for name, default in SETTINGS["quick" if args.quick else "full"].items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    return args


def big_file(args):
    """The memory-mapped images and the labels, written first when needed."""
    found = _big_data.mapped(args.folder, args.rows)
    written_s = None
    X8, labels, description = _data.load(args.data_dir)
    print(f"Data: {args.rows} rows of {description}, shifted", flush=True)
    if found is None:
        print(f"Writing them to {args.folder}", flush=True)
        start = time.perf_counter()
        images = X8.reshape(-1, _big_data.SIDE, _big_data.SIDE)
        _big_data.write_shifted(args.folder, images, labels, args.rows)
        written_s = time.perf_counter() - start
        found = _big_data.mapped(args.folder, args.rows)
    return (*found, written_s, description)


def one_pass_seconds(X, repeats=3):
    """Seconds of reading every byte of the mapped file once (its bytes OR-ed as
    64-bit words): the first read, then the median of ``repeats`` more."""
    words = np.asarray(X).reshape(-1)
    words = words[: words.size // 8 * 8].view(np.uint64)
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        np.bitwise_or.reduce(words)
        times.append(time.perf_counter() - start)
    return times[0], float(np.median(times[1:]))


def test_images(data_dir):
    """The official 10k test images (n, 784) and labels, or None."""
    names = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    paths = [Path(data_dir or ".") / name for name in names]
    if not all(path.is_file() for path in paths):
        return None
    images, labels = (read_idx(path) for path in paths)
    return images.reshape(len(images), -1), labels


def estimator(problem, solver, iterations):
    return GDLogisticRegression(
        learning_rate=LEARNING_RATE,
        max_iter=iterations,
        solver=solver,
        multiclass="multinomial" if problem == "multinomial" else "ovr",
    )


def target(labels, problem):
    return labels == DIGIT if problem == "binary" else labels


def test_error(model, test, problem):
    """Percent of the official test images misclassified, or None."""
    if test is None:
        return None
    X_test, y_test = test
    return 100 * float(np.mean(model.predict(X_test) != target(y_test, problem)))


def in_memory_fit(X, labels, problem, solver, iterations, test):
    """One fit on the memory-mapped X: its figures."""
    print(f"  in memory: {problem}, {solver}", flush=True)
    tracemalloc.start()
    with AnonymousPeaks(lambda: [os.getpid()]) as peaks:
        figures, model = timed_fit(
            estimator(problem, solver, iterations), X, target(labels, problem)
        )
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        **figures,
        "anonymous_peak_mib": peaks.above_baseline().get(os.getpid(), 0) / MiB,
        "traced_peak_mib": traced / MiB,
        "test_error_percent": test_error(model, test, problem),
    }


def dask_fits(args, labels, problems, test):
    """Plain descent on the file read by 2 worker processes, per problem."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return {"skipped": "dask.distributed is not installed (skdigit[dask])"}
    import psutil

    cluster, client = start_cluster(kernel=None)
    try:
        workers = [
            process.pid
            for process in psutil.Process().children(recursive=True)
            if "spawn_main" in " ".join(process.cmdline())
        ]
        X = _big_data.dask_rows(args.folder, args.rows, args.chunk_rows)
        results = {}
        for problem in problems:
            print(f"  dask: {problem}, gd", flush=True)
            with AnonymousPeaks(lambda: workers) as peaks:
                figures, model = timed_fit(
                    estimator(problem, "gd", args.iterations),
                    X,
                    target(labels, problem),
                )
            results[problem] = {
                **figures,
                "worker_anonymous_peak_mib": {
                    str(pid): value / MiB for pid, value in peaks.peaks.items()
                },
                "worker_anonymous_above_idle_mib": {
                    str(pid): value / MiB
                    for pid, value in peaks.above_baseline().items()
                },
                "test_error_percent": test_error(model, test, problem),
            }
        return {
            "workers": 2,
            "threads_per_worker": 1,
            "chunk_rows": args.chunk_rows,
            "chunks": -(-args.rows // args.chunk_rows),
            "fits": results,
        }
    finally:
        client.close()
        cluster.close()


def report(results):
    lines = [
        f"Data: {results['data']}",
        f"Big fit: {results['rows']} rows x 784 uint8 pixels "
        f"({results['file_gib']:.2f} GiB, memory-mapped), "
        f"{results['iterations']} iterations per fit",
        f"Load average {results['load']['start']} at the start, "
        f"{results['load']['end']} at the end",
        f"One pass over the file: {results['pass_s'] * 1e3:.0f} ms "
        f"(the first read {results['first_pass_s'] * 1e3:.0f} ms)",
        "",
        f"{'fit':32}{'s/iter':>9}{'x pass':>8}{'anon MiB':>10}{'traced':>8}"
        f"{'test err %':>11}",
    ]
    for name, fit in results["in_memory"].items():
        error = fit["test_error_percent"]
        lines.append(
            f"{'in memory, ' + name:32}{fit['per_iteration_s']:9.3f}"
            f"{fit['per_iteration_s'] / results['pass_s']:8.2f}"
            f"{fit['anonymous_peak_mib']:10.1f}{fit['traced_peak_mib']:8.1f}"
            f"{'' if error is None else f'{error:11.2f}'}"
        )
    dask = results.get("dask") or {}
    for problem, fit in dask.get("fits", {}).items():
        memory = results["in_memory"].get(f"{problem} gd")
        ratio = (
            ""
            if memory is None
            else f", {fit['per_iteration_s'] / memory['per_iteration_s']:.2f}x the "
            "in-memory fit"
        )
        peaks = ", ".join(
            f"{peak:.0f} ({above:.0f} above idle)"
            for peak, above in zip(
                fit["worker_anonymous_peak_mib"].values(),
                fit["worker_anonymous_above_idle_mib"].values(),
                strict=True,
            )
        )
        lines.append(
            f"dask, {problem} gd: {fit['per_iteration_s']:.3f} s/iter{ratio}; "
            f"{dask['chunks']} chunks of {dask['chunk_rows']} rows on 2 workers, "
            f"peak anonymous MiB per worker: {peaks}"
        )
    if "skipped" in dask:
        lines.append(f"dask: skipped, {dask['skipped']}")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    load_start = [round(value, 2) for value in os.getloadavg()]
    X, labels, written_s, description = big_file(args)
    first_pass, pass_s = one_pass_seconds(X)
    test = test_images(args.data_dir)
    results = {
        "data": f"{description}, shifted by up to 2 pixels",
        "rows": args.rows,
        "file_gib": X.nbytes / 2**30,
        "written_s": written_s,
        "iterations": args.iterations,
        "first_pass_s": first_pass,
        "pass_s": pass_s,
        "test_images": test is not None,
        "in_memory": {},
        "load": {"start": load_start},
    }
    for problem in args.problems:
        for solver in args.solvers:
            results["in_memory"][f"{problem} {solver}"] = in_memory_fit(
                X, labels, problem, solver, args.iterations, test
            )
    if not args.no_dask:
        results["dask"] = dask_fits(args, labels, args.problems, test)
    results["load"]["end"] = [round(value, 2) for value in os.getloadavg()]
    print()
    print(report(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
