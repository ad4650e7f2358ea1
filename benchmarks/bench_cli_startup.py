"""Benchmark of ``skdigit predict`` on one picture, in a fresh process.

The claim measured (issue 11): ``skdigit predict MODEL IMAGE`` takes at most 1.5
times as long as ``python -c "import sklearn.base"``, the least any process that
uses a scikit-learn estimator pays. The two commands run in turn, round after
round, so that a busy spell of the machine weighs on both alike; the figures are
medians of the wall-clock time and of the CPU time (user + system) of the child.

Usage::

    python benchmarks/bench_cli_startup.py [--rounds N] [--json PATH]

The model is a 28x28, 10-class pipeline (PixelScaler, GDLogisticRegression)
trained on random pixels: what is timed is starting, importing, loading the model
file and reading one picture, not the quality of the model.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_RATIO = 1.5


def _make_model_and_picture(folder):
    from PIL import Image
    from sklearn.pipeline import make_pipeline

    from skdigit import GDLogisticRegression, PixelScaler, save_model

    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(500, 784), dtype=np.uint8)
    y = rng.integers(0, 10, size=500)
    model = make_pipeline(PixelScaler(), GDLogisticRegression(max_iter=5)).fit(X, y)
    metadata = {"image_shape": [28, 28], "digit": None}
    model_path = save_model(model, folder / "model.skops", metadata=metadata)
    paper = np.full((120, 90), 255, dtype=np.uint8)
    paper[20:100, 40:52] = 0  # a dark "1" on white paper
    picture = folder / "one.png"
    Image.fromarray(paper).save(picture)
    return model_path, picture


def _timed(command):
    """(wall seconds, CPU seconds) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run(rounds=10):
    """Time both commands ``rounds`` times each, in turn; return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        model, picture = _make_model_and_picture(Path(tmp))
        commands = {
            "import sklearn.base": [sys.executable, "-c", "import sklearn.base"],
            "skdigit predict": [
                sys.executable,
                "-m",
                "skdigit",
                "predict",
                str(model),
                str(picture),
            ],
        }
        for command in commands.values():
            _timed(command)  # warm the file cache
        times = {name: [] for name in commands}
        for _ in range(rounds):
            for name, command in commands.items():
                times[name].append(_timed(command))
    figures = {
        name: {
            "wall_s": statistics.median(wall for wall, _ in runs),
            "cpu_s": statistics.median(cpu for _, cpu in runs),
        }
        for name, runs in times.items()
    }
    base, predict = figures["import sklearn.base"], figures["skdigit predict"]
    figures["ratio_wall"] = predict["wall_s"] / base["wall_s"]
    figures["ratio_cpu"] = predict["cpu_s"] / base["cpu_s"]
    figures["target_ratio"] = TARGET_RATIO
    figures["rounds"] = rounds
    figures["load_average"] = os.getloadavg()[0]
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = run(args.rounds)
    for name in ["import sklearn.base", "skdigit predict"]:
        row = figures[name]
        print(f"{name:<20} wall {row['wall_s']:.2f} s   CPU {row['cpu_s']:.2f} s")
    print(
        f"predict / import: wall {figures['ratio_wall']:.2f}x, CPU "
        f"{figures['ratio_cpu']:.2f}x (target <= {TARGET_RATIO}x); load average "
        f"{figures['load_average']:.1f} on {os.cpu_count()} cores"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
