"""Peak memory of a fit above its input, traced by ``tracemalloc``.

NumPy reports its array buffers to ``tracemalloc``, so the traced peak counts every
array a fit makes, and nothing of the input, made before. It does not see memory
allocated outside Python's and NumPy's allocators: numba's own (the compiled
kernel's per-thread tiles, a few KiB) and thread stacks.
"""

import gc
import tracemalloc

from _kernel_choice import use_kernel
from _per_iteration import estimator

MiB = 2**20
# The target: a fixed allowance plus one float64 per sample and output.
ALLOWANCE_BYTES = 16 * MiB
PROBLEMS = {"binary": 1, "10-class": 10}


def peak_traced_bytes(function):
    """Peak memory traced while ``function()`` runs, above what was traced before."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        function()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def memory_rows(X8, targets, kernels, iterations=2):
    """Peaks of short fits on uint8 X for each kernel and problem, with the limit."""
    results = {}
    for kernel in kernels:
        for problem, n_outputs in PROBLEMS.items():

            def fit(kernel=kernel, problem=problem):
                with use_kernel(kernel):
                    estimator(problem, iterations).fit(X8, targets[problem])

            fit()  # compiled code and threads ready: only the fit's own memory counts
            limit = ALLOWANCE_BYTES + len(X8) * n_outputs * 8
            traced = peak_traced_bytes(fit)
            results[f"{kernel} {problem}"] = {
                "kernel": kernel,
                "problem": problem,
                "traced_peak_bytes": traced,
                "limit_bytes": limit,
                "within_target": traced <= limit,
            }
    return results


def anonymous_bytes(pid="self"):
    """The anonymous resident memory of a process (``RssAnon`` in
    ``/proc/PID/status``): what it allocated, not the pages of files it maps. None
    where ``/proc`` cannot be read (not Linux, the process gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


class AnonymousPeaks:
    """Samples the anonymous resident memory of processes while a block runs.

    ``pids()`` lists the processes to watch (sampled again at each tick, so that
    workers started meanwhile are seen); ``peaks`` maps each pid to the largest
    value seen, ``baseline`` to the first. A sampled peak can miss a spike shorter
    than the interval.
    """

    def __init__(self, pids, interval=0.05):
        import threading

        self._pids, self._interval = pids, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.peaks, self.baseline = {}, {}

    def _sample(self):
        while True:
            for pid in self._pids():
                value = anonymous_bytes(pid)
                if value is None:
                    continue
                self.baseline.setdefault(pid, value)
                self.peaks[pid] = max(self.peaks.get(pid, 0), value)
            if self._stop.wait(self._interval):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def above_baseline(self):
        """Each pid's peak above its first sample, in bytes."""
        return {pid: self.peaks[pid] - self.baseline[pid] for pid in self.peaks}
