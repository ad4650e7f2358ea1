"""Optional libraries, imported where they are used, with one install hint each."""

import importlib

# Top-level module -> (the name users know it by, the extra that brings it).
_OPTIONAL = {
    "PIL": ("Pillow", "cli"),
    "matplotlib": ("matplotlib", "cli"),
    "skops": ("skops", "cli"),
    "tqdm": ("tqdm", "cli"),
    "numba": ("numba", "fast"),
    "dask": ("dask", "dask"),
}


def install_hint(module_name):
    """The pip command that installs ``module_name`` with skdigit.

    Examples
    --------
    >>> from skdigit._optional import install_hint
    >>> install_hint("matplotlib.figure")
    'pip install "skdigit[cli]"'
    """
    _, extra = _OPTIONAL[module_name.partition(".")[0]]
    return f'pip install "skdigit[{extra}]"'


def import_optional(module_name, *, needed_for):
    """Import an optional library, or say in one line what needs it and how to
    install it.

    Parameters
    ----------
    module_name : str
        For example ``"skops.io"`` or ``"matplotlib.figure"``; its top-level package
        must be one of the optional libraries listed in this module.
    needed_for : str
        What needs the library, to end the message ("model files").

    Returns
    -------
    module

    Raises
    ------
    ImportError
        ``"skops is needed for model files: pip install "skdigit[cli]""``.

    Examples
    --------
    >>> from skdigit._optional import import_optional
    >>> import_optional("tqdm", needed_for="progress bars").__name__
    'tqdm'
    """
    name, _ = _OPTIONAL[module_name.partition(".")[0]]
    hint = install_hint(module_name)
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(f"{name} is needed for {needed_for}: {hint}") from exc
