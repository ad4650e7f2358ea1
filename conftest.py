"""pytest's collection settings for the whole repository."""

import importlib.util

# The compiled kernel's modules need numba (the optional "fast" extra) for their
# doctests; without it they are left out, as the kernel itself is.
collect_ignore = []
if importlib.util.find_spec("numba") is None:
    collect_ignore += [
        "skdigit/_kernels/_compiled.py",
        "skdigit/_kernels/_numba_sweep.py",
    ]
