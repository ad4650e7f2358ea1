"""Which fit kernel a row runs: ``SKDIGIT_KERNEL``, and whether the kernel is there.

skdigit reads ``SKDIGIT_KERNEL`` (``numpy`` or ``compiled``) each time a fit makes
its kernel, so a row sets it around its fits. Whether a setting is honoured is asked
of skdigit itself: a tiny kernel is made under it and its class looked at, so that a
compiled row is never a NumPy row in disguise.
"""

import os
from contextlib import contextmanager

import numpy as np

KERNELS = ("numpy", "compiled")
# The class each setting must give.
KERNEL_CLASSES = {"numpy": "BlockKernel", "compiled": "CompiledKernel"}
VARIABLE = "SKDIGIT_KERNEL"


@contextmanager
def use_kernel(name):
    """Set ``SKDIGIT_KERNEL=name`` (None: unset it) for the fits in the block."""
    previous = os.environ.get(VARIABLE)
    if name is None:
        os.environ.pop(VARIABLE, None)
    else:
        os.environ[VARIABLE] = name
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(VARIABLE, None)
        else:
            os.environ[VARIABLE] = previous


def kernel_class(name, shape=(64, 4), max_iter=200):
    """The class name of the kernel a fit of ``max_iter`` iterations on uint8 X of
    ``shape`` makes under ``SKDIGIT_KERNEL=name`` (None: the default, which decides
    by the size of the work)."""
    from skdigit._kernels import make_kernel

    X = np.zeros(shape, dtype=np.uint8)
    Y = (np.arange(shape[0]) % 2).astype(np.float64).reshape(-1, 1)
    with use_kernel(name):
        kernel = make_kernel(X, Y, np.ones(shape[0]), link="sigmoid", max_iter=max_iter)
    kernel.close()
    return type(kernel).__name__


def missing_reason(name):
    """None when fits under ``SKDIGIT_KERNEL=name`` run that kernel, else why not."""
    if name == "compiled":
        from skdigit._kernels import _compiled

        if not _compiled.available():
            return "numba is not importable (pip install 'skdigit[fast]')"
    try:
        found = kernel_class(name)
    except Exception as error:  # whatever make_kernel says of the setting
        return f"{VARIABLE}={name}: make_kernel failed: {error}"
    if found != KERNEL_CLASSES[name]:
        return f"{VARIABLE}={name} makes a {found}: make_kernel does not honour it yet"
    return None


def available_kernels():
    """``(kernels, notes)``: the kernels whose rows can run, and why the others can
    not (name -> reason)."""
    notes = {name: missing_reason(name) for name in KERNELS}
    return [name for name in KERNELS if notes[name] is None], {
        name: note for name, note in notes.items() if note is not None
    }


def default_kernel(shape, max_iter=200):
    """The name of the kernel a fit of uint8 X of ``shape`` picks when
    ``SKDIGIT_KERNEL`` is not set."""
    found = kernel_class(None, shape, max_iter)
    return next((name for name, cls in KERNEL_CLASSES.items() if cls == found), found)
