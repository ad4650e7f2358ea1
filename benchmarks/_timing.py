"""Wall-clock figures with ``time.perf_counter``: jobs timed in turn, iteration clocks.

Every figure of the harness is a median: of the calls in a row within one job (the
passes over X), or of the intervals between the iterations of one fit, then of the
rounds. Jobs are timed in turn, round after round, so that a busy spell of a shared
machine weighs on all of them alike and their ratios hold.
"""

import gc
import itertools
import os
import statistics
import time
from dataclasses import dataclass

# OpenBLAS (and OpenMP) threads keep spinning for a moment after a threaded call,
# stealing a core from whatever runs next: pause this long before each timed job.
SETTLE_SECONDS = 0.3


def other_processes_cpu_seconds():
    """CPU seconds used so far by the processes of the machine that are not this
    harness or its children (Linux), or None where ``/proc/stat`` cannot be read."""
    try:
        with open("/proc/stat") as stat:
            jiffies = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    busy = (sum(jiffies) - jiffies[3] - jiffies[4]) / os.sysconf("SC_CLK_TCK")
    return busy - _own_cpu_seconds()


def _own_cpu_seconds():
    """CPU seconds of this process, its finished children and its running ones
    (dask's workers): those of the running ones need psutil (a dependency of
    dask.distributed)."""
    own = os.times()
    seconds = own.user + own.system + own.children_user + own.children_system
    try:
        import psutil
    except ImportError:
        return seconds
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # it ended meanwhile: counted once reaped
            continue
        seconds += times.user + times.system
    return seconds


def settle():
    gc.collect()
    time.sleep(SETTLE_SECONDS)


def median_call_seconds(function, calls, clock=time.perf_counter):
    """Median seconds of ``calls`` calls of ``function()`` in a row, by ``clock``
    (wall-clock time; ``time.thread_time`` for one thread's CPU time)."""
    times = []
    for _ in range(calls):
        start = clock()
        function()
        times.append(clock() - start)
    return statistics.median(times)


class IterationClock:
    """A scikit-learn callback (1.9+) noting when each iteration of a fit ends.

    The median interval between consecutive iteration ends is the time of an
    iteration: the fit's set-up (validation, the kernel's buffers, dask's persisting
    of the chunks) and its first iteration (threads starting) are left out.
    """

    def __init__(self):
        self.ends = []

    def setup(self, estimator, context):
        self.ends = []

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.task_name == "iteration":
            self.ends.append(time.perf_counter())

    def per_iteration_seconds(self):
        gaps = [later - earlier for earlier, later in itertools.pairwise(self.ends)]
        return statistics.median(gaps) if gaps else None


def timed_fit(estimator, X, y):
    """Fit ``estimator`` on ``(X, y)``: its figures and the fitted estimator.

    Returns ``({"fit_s", "per_iteration_s", "iterations", "final_loss"}, estimator)``.
    Without scikit-learn's callbacks (before 1.9) the time of an iteration is that
    of the whole fit divided by its iterations, set-up included.
    """
    clock = IterationClock()
    with_clock = hasattr(estimator, "set_callbacks")
    if with_clock:
        estimator.set_callbacks(clock)
    start = time.perf_counter()
    estimator.fit(X, y)
    seconds = time.perf_counter() - start
    per_iteration = clock.per_iteration_seconds() if with_clock else None
    if per_iteration is None:
        per_iteration = seconds / estimator.n_iter_
    return {
        "fit_s": seconds,
        "per_iteration_s": per_iteration,
        "iterations": estimator.n_iter_,
        "final_loss": estimator.loss_curve_[-1],
    }, estimator


@dataclass
class Job:
    """A timed job: ``run()`` returns a dict of figures (seconds); ``warmup()``, run
    once before the rounds and untimed, brings caches, threads and compiled code to
    their steady state (None: nothing to warm up)."""

    run: object
    warmup: object = None


def in_turn(jobs, repeats, *, warmup=True, on_round=None):
    """Run ``jobs`` (name -> :class:`Job`) in turn ``repeats`` times, after their
    warm-ups unless ``warmup`` is False (a smoke run).

    Returns, for each job, the median of each of its figures over the rounds, the
    figures of every round (``"rounds"``), and the average number of cores that
    other processes kept busy while it ran (``"other_processes_cores"``, None where
    that cannot be read): the figures are those of a quiet machine only when it is
    close to 0.
    """
    for job in jobs.values():
        if warmup and job.warmup is not None:
            job.warmup()
    rounds = {name: [] for name in jobs}
    others = dict.fromkeys(jobs, 0.0)
    wall = dict.fromkeys(jobs, 0.0)
    for round_ in range(repeats):
        if on_round is not None:
            on_round(round_)
        for name, job in jobs.items():
            settle()
            before = other_processes_cpu_seconds()
            start = time.perf_counter()
            rounds[name].append(job.run())
            wall[name] += time.perf_counter() - start
            if before is None or others[name] is None:
                others[name] = None
            else:
                others[name] += other_processes_cpu_seconds() - before
    results = {}
    for name, figures in rounds.items():
        results[name] = {
            key: statistics.median(figure[key] for figure in figures)
            for key in figures[0]
        }
        results[name]["rounds"] = figures
        results[name]["other_processes_cores"] = (
            None if others[name] is None else max(0.0, others[name]) / wall[name]
        )
    return results


def busiest(results):
    """The most cores other processes kept busy during any job of ``results``."""
    known = [
        figures["other_processes_cores"]
        for figures in results.values()
        if figures.get("other_processes_cores") is not None
    ]
    return max(known) if known else None
