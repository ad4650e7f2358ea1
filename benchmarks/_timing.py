"""Wall-clock medians and peak traced memory, with plain ``time.perf_counter``."""

import gc
import os
import statistics
import time
import tracemalloc

# OpenBLAS threads keep spinning for a moment after a threaded call, stealing a core
# from whatever runs next: pause this long before each timed call.
SETTLE_SECONDS = 0.3


def _other_processes_cpu_seconds():
    """CPU seconds used so far by other processes (Linux), or None elsewhere."""
    try:
        with open("/proc/stat") as stat:
            jiffies = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    busy = (sum(jiffies) - jiffies[3] - jiffies[4]) / os.sysconf("SC_CLK_TCK")
    own = os.times()
    return busy - own.user - own.system


def settle():
    gc.collect()
    time.sleep(SETTLE_SECONDS)


def peak_traced_bytes(function):
    """Peak memory traced by ``tracemalloc`` while ``function()`` runs, above what
    was allocated before it. NumPy reports its array buffers to tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        function()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def interleaved_medians(functions, repeats, *, warmup=True, on_round=None):
    """Median wall time of each of ``functions`` (a dict), timed in turn ``repeats``
    times, so that a slow spell of the machine weighs on all of them alike.

    With ``warmup``, one untimed call of each first; ``on_round(i)`` is called
    before round ``i``. Also returns, for each function, the average number of
    cores that other processes kept busy while it ran (None where that cannot be
    read): the figures are those of a quiet machine only when it is close to 0.
    """
    if warmup:
        for function in functions.values():
            function()
    times = {name: [] for name in functions}
    others = dict.fromkeys(functions, 0.0)
    for round_ in range(repeats):
        if on_round is not None:
            on_round(round_)
        for name, function in functions.items():
            settle()
            others_before = _other_processes_cpu_seconds()
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
            if others_before is None:
                others[name] = None
            elif others[name] is not None:
                others[name] += _other_processes_cpu_seconds() - others_before
    medians = {name: statistics.median(values) for name, values in times.items()}
    busy = {
        name: None if others[name] is None else max(0.0, others[name]) / sum(values)
        for name, values in times.items()
    }
    return medians, busy
