"""Test error on MNIST: raw or deskewed pixels, one-vs-rest or multinomial.

Trains on the 60000 official training images and tests on the 10000 official test
images, for each of raw pixels and pixels straightened by ``DigitDeskewer`` (its
default: sheared upright and centred by the centre of mass):

* ``GDLogisticRegression`` one-vs-rest and multinomial, the notebook's plain
  full-batch gradient descent from zero weights;
* ``GDLogisticRegression(solver="nesterov")`` multinomial: the same objective, step
  and zero start, with Nesterov's momentum (adaptive restart), for far fewer
  iterations (``--accelerated-max-iter``, default 120);
* scikit-learn's ``LogisticRegression`` (lbfgs, multinomial) on the same features
  with the same L2 penalty (``C = 1 / (alpha * n_samples)``), fitted to convergence
  (``tol=1e-6``): what a linear model on these features can reach.

Every model reads ``[DigitDeskewer ->] scaling -> classifier``, the scaling being
pixels divided by 255, then centred (each pixel's mean over the training images
subtracted). Centring leaves the model and its optimum as they are (the intercept
takes the means up) but removes the one direction of very large curvature (all
pixels rising together): the largest eigenvalue of ``X.T @ X / n`` drops from
about 42 to about 6. Gradient descent is stable while the learning rate stays under
2 / (curvature); at the zero start the curvature is that eigenvalue times 1/10 for
the softmax (10 classes) and 1/4 for a sigmoid, so the multinomial model takes a
learning rate of 2 and one-vs-rest 1 (uncentred, about 0.3 and 0.15). Dividing by
each pixel's standard deviation instead would converge faster still, but it
multiplies pixels that are almost always black by up to several hundred, and tests
worse (5.05% against 4.67% validation error, 50000/10000 split, lbfgs).

Prints a Markdown table (and writes it, with every figure, to ``--json``). Not run
in CI: the default settings take about 15 minutes on 2 cores.

Usage::

    python benchmarks/deskew_table.py [--data-dir DIR] [--max-iter N]
        [--accelerated-max-iter N] [--learning-rate LR] [--learning-rate-ovr LR]
        [--alpha A] [--json PATH]

``DIR`` defaults to where skdigit looks for MNIST (``$SKDIGIT_DATA``, else
``~/skdigit_data``) and must hold the four MNIST files.
"""

import json
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from _data import argument_parser
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

import skdigit
from skdigit import DigitDeskewer, GDLogisticRegression, read_idx

FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
# LeCun's table (http://yann.lecun.com/exdb/mnist/), test error in percent.
LECUN = [
    ("linear classifier (1-layer NN)", 12.0),
    ("linear classifier, deskewed", 8.4),
    ("pairwise linear classifier, deskewed", 7.6),
]


def load(data_dir):
    """Train and test images (n, 784) uint8 and labels, read with ``read_idx``.

    ``read_idx`` reads any copy whose content is valid IDX, such as a training
    images file compressed again, which a loader checking the official .gz
    checksum would refuse.
    """
    data = {}
    for split, (images, labels) in FILES.items():
        X = read_idx(Path(data_dir) / images)
        data[split] = X.reshape(len(X), -1), read_idx(Path(data_dir) / labels)
    return data


def features(data):
    """Raw and deskewed pixels, divided by 255 and centred (float32)."""
    started = time.perf_counter()
    deskewer = DigitDeskewer().fit(data["train"][0])
    deskewed = {split: deskewer.transform(X) for split, (X, _) in data.items()}
    deskew_seconds = time.perf_counter() - started
    out = {}
    for name, pixels in (
        ("raw", {split: X for split, (X, _) in data.items()}),
        ("deskewed", deskewed),
    ):
        mean = pixels["train"].mean(axis=0) / 255
        out[name] = {
            split: (X / 255 - mean).astype(np.float32) for split, X in pixels.items()
        }
    return out, deskew_seconds


def classifiers(args, n_samples):
    gd = {"max_iter": args.max_iter, "alpha": args.alpha}
    C = 1.0 / (args.alpha * n_samples) if args.alpha > 0 else np.inf
    return {
        "GD one-vs-rest": GDLogisticRegression(
            multiclass="ovr", learning_rate=args.learning_rate_ovr, **gd
        ),
        "GD multinomial": GDLogisticRegression(
            multiclass="multinomial", learning_rate=args.learning_rate, **gd
        ),
        "GD multinomial, accelerated": GDLogisticRegression(
            multiclass="multinomial",
            solver="nesterov",
            learning_rate=args.learning_rate,
            alpha=args.alpha,
            max_iter=args.accelerated_max_iter,
        ),
        "scikit-learn lbfgs": LogisticRegression(
            C=C, max_iter=args.lbfgs_max_iter, tol=1e-6
        ),
    }


def run(args):
    data = load(args.data_dir)
    print(f"data: the official MNIST train and test files in {args.data_dir}")
    y_train, y_test = data["train"][1], data["test"][1]
    X, deskew_seconds = features(data)
    print(f"deskewing 70000 images: {deskew_seconds:.1f} s", flush=True)
    rows = []
    for pixels in ("raw", "deskewed"):
        for name, model in classifiers(args, len(y_train)).items():
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X[pixels]["train"], y_train)
            seconds = time.perf_counter() - started
            error = 1.0 - model.score(X[pixels]["test"], y_test)
            iterations = int(np.max(model.n_iter_))
            rows.append(
                {
                    "pixels": pixels,
                    "classifier": name,
                    "test_error": error,
                    "fit_seconds": seconds,
                    "iterations": iterations,
                }
            )
            print(
                f"{pixels:9s} {name:20s} test error {100 * error:5.2f}%  "
                f"{iterations} iterations in {seconds:.0f} s",
                flush=True,
            )
    return rows, deskew_seconds


def markdown(rows, args):
    lines = [
        "| pixels | classifier | test error | fit time |",
        "| --- | --- | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['pixels']} | {row['classifier']} | "
            f"{100 * row['test_error']:.2f}% | "
            f"{row['fit_seconds']:.0f} s ({row['iterations']} iterations) |"
        )
    lines.append("")
    lines.append(
        "Pixels / 255, centred; gradient descent: learning rate "
        f"{args.learning_rate} (one-vs-rest {args.learning_rate_ovr}), "
        f"{args.max_iter} iterations ({args.accelerated_max_iter} accelerated), "
        f"alpha {args.alpha}. LeCun's table: "
        + ", ".join(f"{name} {error}%" for name, error in LECUN)
        + "."
    )
    return "\n".join(lines)


def main(argv=None):
    parser = argument_parser(__doc__)
    parser.add_argument("--max-iter", type=int, default=2000)
    parser.add_argument("--accelerated-max-iter", type=int, default=120)
    parser.add_argument("--learning-rate", type=float, default=2.0)
    parser.add_argument("--learning-rate-ovr", type=float, default=1.0)
    parser.add_argument("--alpha", type=float, default=2e-4)
    parser.add_argument("--lbfgs-max-iter", type=int, default=1000)
    parser.add_argument(
        "--json", default=str(Path(__file__).parent / "results" / "deskew_table.json")
    )
    args = parser.parse_args(argv)
    rows, deskew_seconds = run(args)
    table = markdown(rows, args)
    print()
    print(table)
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "settings": vars(args),
        "deskew_seconds": deskew_seconds,
        "rows": rows,
        "table": table,
        "versions": {
            "skdigit": skdigit.__version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "cpus": os.cpu_count(),
    }
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
