"""Ctrl-C and SIGTERM while the command runs.

Python turns Ctrl-C into a ``KeyboardInterrupt``, but one that lands in a
finalizer (``__del__``, a weakref callback) is printed as "Exception ignored"
and lost: the command would then finish and exit 0 although the user pressed
Ctrl-C. So every Ctrl-C is also remembered, and the command exits with 130
whenever there was one.

SIGTERM kills a Python process at once by default, skipping ``finally`` blocks:
a run killed while saving left its hidden staging folder behind. Here it raises
:class:`Terminated` instead, so the files being written are removed and an
earlier run's outputs are put back, then the command exits with 143 (128 +
SIGTERM). A second SIGTERM during that cleanup is ignored; SIGKILL still kills,
and the next run removes what such a run left (see :mod:`~skdigit.cli.outputs`).
"""

import contextlib
import signal
import threading
from dataclasses import dataclass


class Terminated(BaseException):
    """SIGTERM arrived: stop what is being done, clean up, exit 143.

    A BaseException, as KeyboardInterrupt is, so that ``except Exception``
    blocks never swallow it.
    """


@dataclass
class Signals:
    """What arrived while the block ran."""

    interrupted: bool = False  # at least one Ctrl-C


@contextlib.contextmanager
def handled_signals():
    """Within the block, remember every Ctrl-C and turn SIGTERM into Terminated.

    Handlers are only set from the main thread, and only over Python's defaults:
    a SIGINT ignored by the shell (a background job) stays ignored. The previous
    handlers are restored afterwards.

    Examples
    --------
    >>> from skdigit.cli.signals import handled_signals
    >>> with handled_signals() as signals:
    ...     pass
    >>> signals.interrupted
    False
    """
    signals = Signals()
    if threading.current_thread() is not threading.main_thread():
        yield signals
        return

    def on_interrupt(signum, frame):
        signals.interrupted = True
        raise KeyboardInterrupt

    def on_terminate(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the cleanup finish
        raise Terminated

    previous = {
        signal.SIGINT: signal.getsignal(signal.SIGINT),
        signal.SIGTERM: signal.getsignal(signal.SIGTERM),
    }
    if previous[signal.SIGINT] is signal.default_int_handler:
        signal.signal(signal.SIGINT, on_interrupt)
    if previous[signal.SIGTERM] == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, on_terminate)
    try:
        yield signals
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
