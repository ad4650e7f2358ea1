"""The targets of issues 10 and 18, checked on one run's figures, and the report."""

from _memory import ALLOWANCE_BYTES, MiB
from _per_iteration import COMPUTE_DTYPE, DTYPES, PROBLEMS, VIEW

# Targets: (limit, at_least).
UINT8_NUMPY = 0.9  # raw uint8 binary iteration / one float64 X@w pass, NumPy kernel
UINT8_COMPILED = 0.6  # the same, compiled kernel (also for the view X[:, 1:])
FLOAT64_BINARY = 1.2  # float64 binary iteration / one float64 X@w pass
FLOAT32_BINARY = 0.6  # float32 binary iteration / one float64 X@w pass (issue 18)
TEN_CLASS = 1.15  # 10-class iteration / one X@W pass in its dtype, compiled kernel
NOTEBOOK_SPEEDUP = 50  # the notebook's 200-iteration fit, against its code
DASK_RATIO = 1.3  # dask iteration / in-memory NumPy iteration, at 4 x 60000 rows


def _target(description, value, limit, *, at_least=False, skipped=None):
    met = None if value is None else (value >= limit if at_least else value <= limit)
    return {
        "target": description,
        "value": value,
        "limit": limit,
        "met": met,
        "skipped": (skipped or "not measured in this run") if value is None else None,
    }


def check_targets(results):
    """The list of targets, each with its value, limit and verdict."""
    per = results["per_iteration"]
    skipped = results["kernels"]["skipped"]

    def ratio(kernel, dtype, problem):
        if kernel not in per:
            return None
        return per[kernel][dtype][problem]["ratio_to_bound"]

    def why(kernel):
        return skipped.get(kernel)

    checks = [
        _target(
            f"raw uint8 binary, numpy kernel: iteration <= {UINT8_NUMPY} x one "
            "float64 X@w pass",
            ratio("numpy", "uint8", "binary"),
            UINT8_NUMPY,
            skipped=why("numpy"),
        ),
    ]
    for dtype in ("uint8", VIEW):
        checks.append(
            _target(
                f"raw {dtype} binary, compiled kernel: iteration <= {UINT8_COMPILED} "
                "x one float64 X@w pass",
                ratio("compiled", dtype, "binary"),
                UINT8_COMPILED,
                skipped=why("compiled"),
            )
        )
    for kernel in ("numpy", "compiled"):
        checks.append(
            _target(
                f"float64 binary, {kernel} kernel: iteration <= {FLOAT64_BINARY} x "
                "one X@w pass",
                ratio(kernel, "float64", "binary"),
                FLOAT64_BINARY,
                skipped=why(kernel),
            )
        )
        checks.append(
            _target(
                f"float32 binary, {kernel} kernel: iteration <= {FLOAT32_BINARY} x "
                "one float64 X@w pass",
                ratio(kernel, "float32", "binary"),
                FLOAT32_BINARY,
                skipped=why(kernel),
            )
        )
    for dtype in DTYPES:
        bound_dtype = COMPUTE_DTYPE[dtype]
        checks.append(
            _target(
                f"10-class {dtype}, compiled kernel: iteration <= {TEN_CLASS} x one "
                f"X@W pass in {bound_dtype}",
                ratio("compiled", dtype, "10-class"),
                TEN_CLASS,
                skipped=why("compiled"),
            )
        )
    fit_iterations = results["settings"]["fit_iterations"]
    for kernel in ("numpy", "compiled"):
        fit = results["notebook_fit"].get(kernel)
        checks.append(
            _target(
                f"the notebook's {fit_iterations}-iteration fit on uint8, "
                f"{kernel} kernel: >= {NOTEBOOK_SPEEDUP}x faster than its code",
                None if fit is None else fit["speedup"],
                NOTEBOOK_SPEEDUP,
                at_least=True,
                skipped=why(kernel),
            )
        )
    for kernel in ("numpy", "compiled"):
        for problem in ("binary", "10-class"):
            memory = results["memory"].get(f"{kernel} {problem}")
            checks.append(
                _target(
                    f"uint8 {problem} fit, {kernel} kernel: peak memory above the "
                    f"input <= {ALLOWANCE_BYTES // MiB} MiB + n_samples x n_outputs "
                    "x 8 B (MiB)",
                    None if memory is None else memory["traced_peak_bytes"] / MiB,
                    None if memory is None else memory["limit_bytes"] / MiB,
                    skipped=why(kernel),
                )
            )
    dask = results.get("dask")
    if dask and "sizes" in dask:
        sizes = sorted(dask["sizes"])
        rows = sizes[1] if len(sizes) > 1 else sizes[0]
        checks.append(
            _target(
                f"dask, {dask['workers']} local workers, {rows} rows: iteration <= "
                f"{DASK_RATIO} x the in-memory numpy fit's",
                dask["sizes"][rows]["ratio"],
                DASK_RATIO,
            )
        )
    return checks


# --- printing -----------------------------------------------------------------------


def _ms(seconds):
    return f"{1e3 * seconds:8.2f}"


def _quiet_line(cores):
    if cores is None:
        return "(whether other processes ran at the same time is unknown here)"
    verdict = "a quiet machine" if cores < 0.1 else "NOT a quiet machine"
    return f"other processes kept up to {cores:.2f} cores busy during a job ({verdict})"


def _header(results):
    settings, env = results["settings"], results["environment"]
    blas = ", ".join(
        f"{b['internal_api']} {b['version']} ({b['architecture']}, "
        f"{b['num_threads']} threads)"
        for b in env["blas"]
    )
    load = results["load"]
    kernels = results["kernels"]
    lines = [
        f"Data: {results['data']}, {settings['rows']} x {settings['features']}",
        f"Machine: {env['cpus']} CPUs, {env['machine']}; BLAS: {blas}; "
        f"load average {load['start'][0]:.1f} at the start, {load['end'][0]:.1f} at "
        "the end",
        f"Environment: {env['variables'] or 'no OPENBLAS_*/OMP_*/SKDIGIT_* set'}",
        f"Kernels: {', '.join(kernels['available'])} (default: {kernels['default']})",
    ]
    lines += [f"  skipped {name}: {why}" for name, why in kernels["skipped"].items()]
    return lines


def _per_iteration_lines(results):
    if "passes" not in results:
        return []
    settings, passes = results["settings"], results["passes"]
    quiet = _quiet_line(results["other_processes_cores"])
    lines = [
        "",
        f"Per iteration (median interval between iterations; {settings['iterations']}"
        f"-iteration fits, uint8 binary {settings['fit_iterations']}; median of "
        f"{settings['repeats']} rounds); {quiet}",
        "One pass: "
        + ", ".join(f"{name} {1e3 * s:.2f} ms" for name, s in passes.items()),
        "Ratios: binary to one X@w float64 pass; 10-class (ovr) and multinomial to one "
        "X@W pass in the fit's dtype (float64 for uint8).",
        "",
        f"{'kernel':10}{'input':15}"
        + "".join(f"{problem:>20}" for problem in PROBLEMS)
        + "",
        f"{'':25}" + f"{'ms':>11}{'x pass':>9}" * len(PROBLEMS),
    ]
    table = dict(results["per_iteration"])
    array_api = results.get("array_api", {})
    if "rows" in array_api:
        table["torch"] = array_api["rows"]
    for kernel, by_dtype in table.items():
        for dtype in by_dtype:
            cells = "".join(
                f"{1e3 * row['per_iteration_s']:11.2f}{row['ratio_to_bound']:9.2f}"
                for row in (by_dtype[dtype][problem] for problem in PROBLEMS)
            )
            lines.append(f"{kernel:10}{dtype:15}{cells}")
    if "rows" in array_api:
        lines.append(
            f"(torch {array_api['torch']} CPU, {array_api['torch_threads']} threads, "
            f"{array_api['iterations']}-iteration fits, "
            "in its own process with SCIPY_ARRAY_API=1, ratios to that process's "
            "passes: "
            + ", ".join(
                f"{name} {1e3 * s:.2f} ms" for name, s in array_api["passes"].items()
            )
            + "; uint8 tensors are converted to float64 by validation)"
        )
        lines.append(
            "(torch's own passes: "
            + ", ".join(
                f"{name.removeprefix('torch ')} {1e3 * s:.2f} ms"
                for name, s in array_api["torch_passes"].items()
            )
            + ")"
        )
    elif array_api:
        lines.append(f"(torch rows skipped: {array_api['skipped']})")
    return lines


def _notebook_lines(results):
    if "notebook" not in results:
        return []
    notebook = results["notebook"]
    fit_iterations = results["settings"]["fit_iterations"]
    lines = [
        "",
        f"The notebook's whole fit: {fit_iterations} iterations on uint8 "
        "pixels, binary 4-detector",
        f"  notebook's code: {_ms(notebook['per_iteration_s'])} ms per iteration "
        f"(median of {notebook['iterations_timed']}) x {fit_iterations} = "
        f"{notebook['fit_s']:.1f} s",
    ]
    for kernel, fit in results["notebook_fit"].items():
        lines.append(
            f"  skdigit, {kernel} kernel: {fit['fit_s']:.2f} s, "
            f"{fit['speedup']:.1f}x faster"
        )
    return lines


def _memory_lines(results):
    if not results["memory"]:
        return []
    lines = [
        "",
        "Peak memory of a 2-iteration fit on uint8 pixels, above the input "
        "(traced by tracemalloc), MiB:",
    ]
    for name, memory in results["memory"].items():
        lines.append(
            f"  {name:22}{memory['traced_peak_bytes'] / MiB:7.1f}   "
            f"(limit {memory['limit_bytes'] / MiB:.1f})"
        )
    return lines


def _fresh_lines(results):
    fresh = results["fresh_process"]
    if not fresh:
        return []
    imports = [figures["import_s"] for figures in fresh.values()]
    loaded = sorted(
        {name for f in fresh.values() for name in f["heavy_modules_loaded_by_import"]}
    )
    loaded = ", ".join(loaded) or "none of numba, dask, torch"
    iterations = next(iter(fresh.values()))["iterations"]
    lines = [
        "",
        f"Fresh processes: import skdigit {min(imports):.2f} s (min of "
        f"{len(imports)}); it loads {loaded}",
        f"  first and second fit (binary uint8, {iterations} iterations), s:"
        "      first  second  first-second",
    ]
    for name, figures in fresh.items():
        lines.append(
            f"  {name:52}{figures['first_fit_s']:7.2f}{figures['second_fit_s']:8.2f}"
            f"{figures['once_per_process_s']:10.2f}"
        )
    return lines


def _dask_lines(results):
    dask = results.get("dask")
    if not dask:
        return []
    if "skipped" in dask:
        return ["", f"Dask: skipped ({dask['skipped']})"]
    lines = [
        "",
        f"Dask: {dask['workers']} local worker processes, 1 thread each, binary uint8, "
        f"numpy kernel on both sides, {dask['iterations']}-iteration fits, ms per "
        "iteration:",
        f"  {'rows':>8}{'chunk rows':>12}{'chunks':>8}{'dask':>10}{'in memory':>11}"
        f"{'overhead':>10}{'ratio':>7}",
    ]

    def line(figures):
        return (
            f"  {figures['rows']:8d}{figures['chunk_rows']:12d}{figures['chunks']:8d}"
            f"{_ms(figures['dask_per_iteration_s']):>10}"
            f"{_ms(figures['numpy_per_iteration_s']):>11}"
            f"{_ms(figures['overhead_s']):>10}{figures['ratio']:7.2f}"
        )

    lines += [line(figures) for figures in dask["sizes"].values()]
    lines.append("  chunk sweep:")
    lines += [line(figures) for figures in dask["chunk_sweep"].values()]
    cores = max(
        (f["other_processes_cores"] or 0 for f in dask["sizes"].values()), default=0
    )
    lines.append(f"  {_quiet_line(cores)}")
    return lines


def _sklearn_lines(results):
    if not results["sklearn"]:
        return []
    lines = ["", "scikit-learn peers, binary 4-detector on float64 pixels, one fit:"]
    for name, figures in results["sklearn"].items():
        lines.append(
            f"  {name:32}{figures['fit_s']:8.2f} s, n_iter_={figures['n_iter']:<5}"
            f"train accuracy {figures['train_accuracy']:.4f}"
        )
    return lines


def _target_lines(results):
    lines = ["", "Targets:"]
    for target in results["targets"]:
        if target["met"] is None:
            lines.append(f"  [skipped] {target['target']}: {target['skipped']}")
            continue
        verdict = "met    " if target["met"] else "MISSED "
        lines.append(
            f"  [{verdict}] {target['target']}: {target['value']:.2f} "
            f"(limit {target['limit']:.2f})"
        )
    return lines


def _failure_lines(results):
    return [
        f"FAILED section {name}: {failure.strip().splitlines()[-1]}"
        for name, failure in results["failures"].items()
    ]


def format_report(results):
    sections = (
        _header,
        _per_iteration_lines,
        _notebook_lines,
        _memory_lines,
        _fresh_lines,
        _dask_lines,
        _sklearn_lines,
        _target_lines,
        _failure_lines,
    )
    return "\n".join(line for section in sections for line in section(results))
