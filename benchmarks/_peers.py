"""scikit-learn's solvers as peers: one fit each of the binary problem on raw pixels.

``LogisticRegression()`` (lbfgs) and ``SGDClassifier(loss="log_loss")`` get the same
``max_iter`` as skdigit's fit, on the same float64 pixels (skdigit with the kernel it
picks by default). They are references, and the slowest fits of the run: one each.
"""

import time
import warnings

import numpy as np
from _per_iteration import DIGIT, estimator
from _timing import settle
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier


def peer_rows(X64, y, max_iter):
    """name -> fit seconds, iterations and train accuracy."""
    target = y == DIGIT
    models = {
        "LogisticRegression(lbfgs)": LogisticRegression(max_iter=max_iter),
        'SGDClassifier(loss="log_loss")': SGDClassifier(
            loss="log_loss", max_iter=max_iter, random_state=0
        ),
        "skdigit GDLogisticRegression": estimator("binary", max_iter),
    }
    results = {}
    for name, model in models.items():
        settle()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X64, target)
            seconds = time.perf_counter() - start
        results[name] = {
            "fit_s": seconds,
            "n_iter": int(np.max(model.n_iter_)),
            "train_accuracy": float(model.score(X64, target)),
        }
        print(f"  {name}: {seconds:.2f} s", flush=True)
    return results
