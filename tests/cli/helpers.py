"""Running the command as a user would, and checking what it printed and wrote."""

import os
import subprocess
import sys

import numpy as np
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
