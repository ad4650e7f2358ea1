"""The notebook's 4-detector: plain against accelerated gradient descent, and peers.

Trains "is it a 4?" on the 60000 official MNIST training images and tests it on the
10000 official test images:

* the notebook's run, ``GDLogisticRegression()``: plain gradient descent, 200
  iterations at a learning rate of 1e-5 on the raw 0-255 uint8 pixels (bit for bit
  the notebook's losses);
* ``GDLogisticRegression(solver="nesterov", learning_rate="auto")`` on the same raw
  pixels, for several numbers of iterations: the fewest that beat the notebook's
  test accuracy is reported;
* scikit-learn's peers on the pixels divided by 255 (they are not made for raw
  pixels): ``LogisticRegression`` (lbfgs, unpenalised as the notebook is, to its
  default tolerance) and ``SGDClassifier(loss="log_loss")``.

Every fit is timed in this one run; the report gives each one's seconds and its ratio
to the notebook's run. Not run in CI (about 3 minutes on 2 cores).

Usage::

    python benchmarks/convergence_table.py [--data-dir DIR]
        [--iterations N [N ...]] [--json PATH]

``DIR`` defaults to where skdigit looks for MNIST (``$SKDIGIT_DATA``, else
``~/skdigit_data``) and must hold the four MNIST files.
"""

import json
import time
import warnings
from pathlib import Path

import numpy as np
from _data import argument_parser
from deskew_table import load
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier

from skdigit import GDLogisticRegression

DIGIT = 4


def timed_fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        model.fit(X, y)
    return time.perf_counter() - started


def row(name, model, seconds, X_test, y_test):
    return {
        "model": name,
        "iterations": int(np.max(model.n_iter_)),
        "fit_seconds": seconds,
        "test_accuracy": float(model.score(X_test, y_test)),
    }


def run(args):
    data = load(args.data_dir)
    print(f"data: the official MNIST train and test files in {args.data_dir}")
    (X_train, labels_train), (X_test, labels_test) = data["train"], data["test"]
    y_train, y_test = labels_train == DIGIT, labels_test == DIGIT
    rows = []
    notebook = GDLogisticRegression()
    seconds = timed_fit(notebook, X_train, y_train)
    rows.append(row("notebook: plain GD, 1e-5, raw", notebook, seconds, X_test, y_test))
    for iterations in args.iterations:
        model = GDLogisticRegression(
            solver="nesterov", learning_rate="auto", max_iter=iterations
        )
        seconds = timed_fit(model, X_train, y_train)
        rows.append(row("accelerated GD, auto, raw", model, seconds, X_test, y_test))
    scaled_train, scaled_test = X_train / 255, X_test / 255
    peers = {
        "scikit-learn lbfgs, /255": LogisticRegression(C=np.inf, max_iter=1000),
        "scikit-learn SGD, /255": SGDClassifier(loss="log_loss", random_state=0),
    }
    for name, model in peers.items():
        seconds = timed_fit(model, scaled_train, y_train)
        rows.append(row(name, model, seconds, scaled_test, y_test))
    return rows


def markdown(rows):
    reference = rows[0]
    lines = [
        "| model | iterations | test accuracy | fit time | x notebook's fit |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for entry in rows:
        ratio = entry["fit_seconds"] / reference["fit_seconds"]
        lines.append(
            f"| {entry['model']} | {entry['iterations']} | "
            f"{100 * entry['test_accuracy']:.2f}% | {entry['fit_seconds']:.1f} s | "
            f"{ratio:.2f} |"
        )
    beating = [
        entry
        for entry in rows[1:]
        if entry["model"].startswith("accelerated")
        and entry["test_accuracy"] > reference["test_accuracy"]
    ]
    lines.append("")
    if beating:
        fewest = min(beating, key=lambda entry: entry["iterations"])
        lines.append(
            f"Accelerated GD beats the notebook's 200 iterations "
            f"({100 * reference['test_accuracy']:.2f}%) from "
            f"{fewest['iterations']} iterations on "
            f"({100 * fewest['test_accuracy']:.2f}%)."
        )
    else:
        lines.append("Accelerated GD did not beat the notebook at these iterations.")
    return "\n".join(lines)


def main(argv=None):
    parser = argument_parser(__doc__)
    parser.add_argument(
        "--iterations", type=int, nargs="+", default=[25, 50, 75, 100, 150, 200]
    )
    parser.add_argument(
        "--json",
        default=str(Path(__file__).parent / "results" / "convergence_table.json"),
    )
    args = parser.parse_args(argv)
    rows = run(args)
    table = markdown(rows)
    print(table)
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"settings": vars(args), "rows": rows}, indent=2) + "\n")
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
