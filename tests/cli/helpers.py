"""Running the command as a user would, and checking what it printed and wrote."""

import contextlib
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

PICTURES = ["loss_curve.png", "weights.png", "misclassified.png"]
OUTPUTS = ["model.skops", *PICTURES, "metrics.json"]


def cli_env(data_home):
    env = dict(os.environ)
    env["SKDIGIT_DATA"] = str(data_home)
    env["MPLBACKEND"] = "Agg"
    return env


def run_cli(*args, data_home, timeout=120):
    """Run ``python -m skdigit ARGS`` with an empty (or given) data folder."""
    return subprocess.run(
        [sys.executable, "-m", "skdigit", *map(str, args)],
        env=cli_env(data_home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_error_line(result, *fragments):
    """Exit status 2 and one 'skdigit: error: ...' line on stderr, no traceback."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("skdigit: error: ")
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0]


def assert_valid_png(path, min_size=(200, 100)):
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.verify()
    with Image.open(path) as image:
        width, height = image.size
        assert width >= min_size[0] and height >= min_size[1]
        # Not a blank canvas: something was drawn.
        assert np.unique(np.asarray(image.convert("L"))).size > 10


@contextlib.contextmanager
def accepted_as_official(folder):
    """Let the MNIST loader accept the MNIST-shaped files in ``folder``.

    The loader checks every file's content against the official MD5s; small
    stand-ins written by a test take the official entries' place meanwhile.
    """
    from skdigit import _mnist

    with pytest.MonkeyPatch.context() as patch:
        for name in _mnist.MNIST_FILES:
            path = Path(folder) / name.removesuffix(".gz")
            if path.is_file():
                content = path.read_bytes()
                md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
                entry = _mnist.OfficialFile(md5, len(content), md5, len(content))
                patch.setitem(_mnist.MNIST_FILES, name, entry)
        yield
