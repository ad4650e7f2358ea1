"""Fixtures shared by the test modules.

Real MNIST files are never part of the repository. ``.ci/run`` points the
``SKDIGIT_TEST_DATA`` environment variable at a folder holding some of them; tests
that need a file which is not there skip and say which file and variable to set.
"""

import os
from pathlib import Path

import pytest

MNIST_ENV_VAR = "SKDIGIT_TEST_DATA"


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder of real MNIST files named by ``$SKDIGIT_TEST_DATA``."""
    folder = os.environ.get(MNIST_ENV_VAR)
    if not folder:
        pytest.skip(f"real MNIST files not configured: set {MNIST_ENV_VAR} to a folder")
    path = Path(folder)
    if not path.is_dir():
        pytest.skip(f"{MNIST_ENV_VAR}={folder} is not a folder")
    return path


@pytest.fixture(scope="session")
def mnist_file(mnist_dir):
    """Return a function that gives the path of one real MNIST file, or skips."""

    def locate(name):
        path = mnist_dir / name
        if not path.is_file():
            pytest.skip(f"{name} is not in {mnist_dir} (${MNIST_ENV_VAR})")
        return path

    return locate
