"""Which kernel a fit gets (``skdigit._kernels.make_kernel``), and the warning of a
first compilation (``compiling_ahead``)."""

import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from skdigit._kernels import (
    COMPILED_MIN_WORK,
    compiled_pays,
    compiling_ahead,
    make_kernel,
)


def kernel_name(X, n_outputs=1, max_iter=None):
    Y = np.zeros((X.shape[0], n_outputs))
    Y[::2] = 1
    kernel = make_kernel(X, Y, np.ones(X.shape[0]), link="sigmoid", max_iter=max_iter)
    kernel.close()
    return type(kernel).__name__


@pytest.fixture
def auto(monkeypatch):
    monkeypatch.delenv("SKDIGIT_KERNEL", raising=False)


def test_the_work_decides(auto):
    assert compiled_pays(1797, 64, 1, 200) is False  # scikit-learn's digits
    assert compiled_pays(1797, 64, 10, 200) is False
    assert compiled_pays(60000, 784, 1, 200) is True  # MNIST
    rows = int(COMPILED_MIN_WORK // (784 * 200)) + 1
    assert compiled_pays(rows, 784, 1, 200) is True
    assert compiled_pays(rows - 2, 784, 1, 200) is False
    assert compiled_pays(rows, 784, 1, None) is True  # 200 iterations assumed


def test_small_work_takes_the_numpy_kernel(auto):
    X = np.zeros((100, 64), dtype=np.uint8)
    assert kernel_name(X, max_iter=200) == "BlockKernel"


def test_small_work_does_not_import_numba():
    code = (
        "import sys\n"
        "from sklearn.datasets import load_digits\n"
        "from skdigit import GDLogisticRegression\n"
        "X, y = load_digits(return_X_y=True)\n"
        "GDLogisticRegression().fit(X, y == 4)\n"
        "GDLogisticRegression(multiclass='multinomial').fit(X, y)\n"
        "print('numba' in sys.modules)\n"
    )
    env = {**os.environ}
    env.pop("SKDIGIT_KERNEL", None)
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False"]


def test_large_work_takes_the_compiled_kernel(auto):
    pytest.importorskip("numba")
    X = np.zeros((1000, 100), dtype=np.uint8)
    assert kernel_name(X, max_iter=100_000) == "CompiledKernel"
    # Rows contiguous in memory, the array not: read in place all the same.
    assert kernel_name(X[:, 1:], max_iter=100_000) == "CompiledKernel"
    assert kernel_name(X[::2], max_iter=100_000) == "CompiledKernel"


def test_fortran_ordered_and_sparse_X_take_the_numpy_kernel(auto):
    pytest.importorskip("numba")
    X = np.asfortranarray(np.zeros((1000, 100)))
    assert kernel_name(X, max_iter=100_000) == "BlockKernel"
    assert kernel_name(sp.csr_matrix(X), max_iter=100_000) == "BlockKernel"


def test_the_environment_variable_overrides_the_work(monkeypatch):
    small = np.zeros((100, 64), dtype=np.uint8)
    large = np.zeros((1000, 100), dtype=np.uint8)
    monkeypatch.setenv("SKDIGIT_KERNEL", "numpy")
    assert kernel_name(large, max_iter=100_000) == "BlockKernel"
    pytest.importorskip("numba")
    monkeypatch.setenv("SKDIGIT_KERNEL", "compiled")
    assert kernel_name(small, max_iter=10) == "CompiledKernel"
    with pytest.raises(ValueError, match="SKDIGIT_KERNEL=compiled needs"):
        kernel_name(np.asfortranarray(large))


def test_an_unknown_setting_is_refused(monkeypatch):
    monkeypatch.setenv("SKDIGIT_KERNEL", "fast")
    with pytest.raises(ValueError, match="SKDIGIT_KERNEL='fast' is not a kernel"):
        kernel_name(np.zeros((10, 2)))


def test_compiling_ahead_is_none_where_the_numpy_kernel_runs(auto):
    assert compiling_ahead(np.zeros((100, 64)), n_outputs=1, max_iter=200) is None
    X = np.zeros((100_000, 100))
    assert compiling_ahead(sp.csr_matrix(X[:10]), n_outputs=1, max_iter=200) is None


def test_compiling_ahead_tells_a_first_compilation(tmp_path):
    pytest.importorskip("numba")
    # A new numba cache folder: the first process compiles, the second loads.
    code = (
        "import numpy as np\n"
        "from skdigit._kernels import compiling_ahead, make_kernel\n"
        "X = np.zeros((3000, 700), dtype=np.int16)\n"
        "print(compiling_ahead(X, n_outputs=1, max_iter=1000))\n"
        "Y = np.zeros((3000, 1))\n"
        "kernel = make_kernel(X, Y, np.ones(3000), link='sigmoid', max_iter=1000)\n"
        "kernel.sums(np.zeros((700, 1)), None, 0.0)\n"
        "print(compiling_ahead(X, n_outputs=1, max_iter=1000))\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    env.pop("SKDIGIT_KERNEL", None)
    outputs = []
    for _ in range(2):
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout.split())
    first, second = outputs
    assert float(first[0]) > 0 and first[1] == "None"
    assert second == ["None", "None"]
