"""The notebook's training code, as the notebook runs it: the reference to beat.

One copy serves the tests and the benchmarks: ``tests/notebook.py`` keeps the
notebook's cells (uint8 pixels with a bias column of ones, predictions computed twice
per iteration, NumPy converting the uint8 matrix to float64 inside every matrix
product); this module loads it from there.
"""

import importlib.util
from pathlib import Path

NOTEBOOK_CODE = Path(__file__).resolve().parents[1] / "tests" / "notebook.py"


def _load():
    spec = importlib.util.spec_from_file_location("skdigit_notebook", NOTEBOOK_CODE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_code = _load()
add_bias_column = _code.add_bias_column
train = _code.train
