"""``skdigit train``: the notebook's experiment end to end.

Load the digits (see :mod:`skdigit.cli.data`), train one pipeline (optional
deskewing, optional pixel scaling, the gradient-descent logistic regression) with
a progress bar, evaluate it on the test split, and save the outputs.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from skdigit import (
    DigitDeskewer,
    FitInterruptedWarning,
    GDLogisticRegression,
    PixelScaler,
    StepTooSmallWarning,
)
from skdigit._kernels import compiling_ahead

from .console import EXIT_INTERRUPTED, EXIT_OK, say, stderr_is_a_terminal
from .data import load_data
from .model import MODEL_FILE, Task
from .options import (
    HelpFormatter,
    add_data_options,
    add_debug_option,
    non_negative_float,
    positive_float,
    positive_int,
    wrap,
)
from .outputs import PICTURES, check_output_folder, save_training_outputs
from .report import compute_metrics, format_report

DATA_EPILOG = """\
data: --data-dir (else $SKDIGIT_DATA, else ~/skdigit_data) is searched for the
MNIST files, which are downloaded there when missing (unless --no-download). A
--data-dir must exist: a mistyped one is an error. Without --data-dir, when MNIST
cannot be had (missing files, no network), one line says so and scikit-learn's
bundled 8x8 digits are used instead (split 75/25, always the same way). A corrupt
or unreadable MNIST file is an error (exit status 2), not a reason to fall back.
--split-test-set N uses only MNIST's 10,000 test images: the first N to train,
the rest to test (for when the 60,000 training images are not at hand)."""


def add_parser(commands):
    parser = commands.add_parser(
        "train",
        help="train the notebook's detector (or a 10-class model) and evaluate it",
        description=wrap(
            "Load MNIST, train a logistic regression by plain gradient "
            "descent, then evaluate it on the test split: accuracy, precision, recall, "
            "F1, confusion matrix and the notebook's first ten predictions vs labels."
        ),
        epilog="examples:\n"
        "  skdigit train                          # the notebook, end to end\n"
        "  skdigit train --digit 7 --output out   # a 7 detector, saved with plots\n"
        "  skdigit train --all-digits --scale --learning-rate 0.5\n"
        "  skdigit train --all-digits --deskew --scale --center \\\n"
        "      --multiclass multinomial --solver nesterov --learning-rate 2 \\\n"
        "      --alpha 2e-4 --max-iter 120\n"
        "  skdigit train --split-test-set 8000    # only the t10k files at hand\n\n"
        + DATA_EPILOG,
        formatter_class=HelpFormatter,
    )
    parser.set_defaults(run=run)
    model = parser.add_argument_group("model (defaults: the notebook's)")
    target = model.add_mutually_exclusive_group()
    target.add_argument(
        "--digit",
        type=int,
        choices=range(10),
        default=4,
        metavar="{0-9}",
        help="the digit to detect (default: %(default)s)",
    )
    target.add_argument(
        "--all-digits",
        action="store_true",
        help="train one model for the ten digits instead of a one-digit detector",
    )
    model.add_argument(
        "--learning-rate",
        type=_learning_rate,
        default=1e-5,
        metavar="LR",
        help="gradient-descent step size, or 'auto': computed from the data "
        "(default: %(default)s)",
    )
    model.add_argument(
        "--solver",
        choices=["gd", "nesterov"],
        default="gd",
        help="gd: the notebook's plain gradient descent; nesterov: accelerated "
        "(with momentum), reaching in about 100 iterations what plain descent "
        "reaches in 2000 (default: %(default)s)",
    )
    model.add_argument(
        "--max-iter",
        type=positive_int,
        default=200,
        metavar="N",
        help="number of gradient-descent iterations (default: %(default)s)",
    )
    model.add_argument(
        "--alpha",
        type=non_negative_float,
        default=0.0,
        help="L2 penalty strength (default: %(default)s)",
    )
    model.add_argument(
        "--class-weight",
        choices=["balanced"],
        help="balanced: weigh each class inversely to its frequency, so that a "
        "detector's 1 positive in 10 counts as much as the 9 negatives",
    )
    model.add_argument(
        "--scale",
        action="store_true",
        help="divide pixels by 255; then use a larger --learning-rate, e.g. 0.5",
    )
    model.add_argument(
        "--center",
        action="store_true",
        help="subtract each pixel's mean over the training images (after "
        "--scale): gradient descent then takes a learning rate about seven "
        "times larger, e.g. --scale --center --learning-rate 2 with "
        "--multiclass multinomial",
    )
    model.add_argument(
        "--deskew",
        action="store_true",
        help="straighten each digit by its moments first (skdigit.DigitDeskewer)",
    )
    model.add_argument(
        "--multiclass",
        choices=["ovr", "multinomial"],
        default="ovr",
        help="with --all-digits: ten one-vs-rest detectors or one softmax model "
        "(default: %(default)s)",
    )
    data = add_data_options(parser)
    data.add_argument(
        "--dataset",
        choices=["auto", "mnist", "digits"],
        default="auto",
        help="auto: MNIST, else the bundled 8x8 digits; mnist: MNIST or an error; "
        "digits: the bundled digits (default: %(default)s)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--output",
        "-o",
        metavar="DIR",
        type=Path,
        help=f"save {MODEL_FILE}, {', '.join(PICTURES)} and metrics.json in this "
        "folder (created if needed)",
    )
    output.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="print the notebook's 'Iteration    i => Loss: ...' line at every "
        "iteration instead of a progress bar",
    )
    add_debug_option(parser, default=argparse.SUPPRESS)


SOLVER_NAMES = {
    "gd": "gradient descent",
    "nesterov": "accelerated gradient descent",
}


def _learning_rate(text):
    return "auto" if text == "auto" else positive_float(text)


def run(args):
    check_output_folder(args.output, "--output")
    data, fallback = load_data(args, dataset=args.dataset, need_train=True)
    _say_where_the_data_came_from(data, fallback, args)
    task = Task(None if args.all_digits else args.digit)
    model = build_model(args)
    n_train, n_pixels = data.X_train.shape
    say(
        f"Training a {task.name} on {n_train} images of {n_pixels} pixels"
        f"{_preparation(args)}: {args.max_iter} iterations of "
        f"{SOLVER_NAMES[args.solver]}, learning rate {_number(args.learning_rate)}"
        + (f", alpha {args.alpha:g}" if args.alpha else "")
        + (", balanced classes" if args.class_weight else "")
    )
    y_train = task.target(data.y_train)
    start = time.perf_counter()
    interrupted = fit_with_progress(model, data.X_train, y_train, args)
    elapsed = time.perf_counter() - start
    classifier = model[-1]
    if not classifier.n_iter_:
        say("Interrupted before the first iteration finished: nothing to evaluate.")
        return EXIT_INTERRUPTED
    _say_how_training_went(classifier, args, elapsed, interrupted)

    y_pred = model.predict(data.X_test)
    metrics = compute_metrics(task.target(data.y_test), y_pred, task)
    written = []
    if args.output is not None:
        # Saved before the report is printed: a closed pipe must not lose the model.
        saved_metrics = dict(
            metrics,
            data=data.summary,
            n_train=int(n_train),
            n_iter=int(classifier.n_iter_),
            final_loss=float(classifier.loss_curve_[-1]),
            interrupted=interrupted,
        )
        metadata = _model_metadata(args, data, task, model, interrupted)
        written = save_training_outputs(
            args.output, model, data, task, y_pred, saved_metrics, metadata
        )
    say(format_report(metrics, task))
    if written:
        say()
        say(f"Saved in {args.output}: " + ", ".join(written))
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def _say_where_the_data_came_from(data, fallback, args):
    if fallback is not None:
        say(
            f"MNIST could not be loaded ({fallback}); using scikit-learn's bundled "
            "8x8 digits instead"
        )
        if args.split_test_set is not None:
            say("(--split-test-set applies to MNIST only; ignored)")
    say(f"Data: {data.summary}")


def _say_how_training_went(classifier, args, elapsed, interrupted):
    curve = classifier.loss_curve_
    if interrupted:
        say(
            f"Interrupted (Ctrl-C) after {classifier.n_iter_} of {args.max_iter} "
            "iterations: evaluating and saving the model trained so far."
        )
    computed = ""
    if args.learning_rate == "auto":
        computed = f" (learning rate {classifier.learning_rate_:.6g}, from the data)"
    say(
        f"Trained {classifier.n_iter_} iterations in {elapsed:.1f} s{computed}: loss "
        f"{curve[0]:.6f} at the start, {curve[-1]:.6f} at the last iteration"
    )


def _number(value):
    return value if isinstance(value, str) else f"{value:g}"


def _preparation(args):
    done = ["deskewed"] if args.deskew else []
    done += ["scaled to 0-1"] if args.scale else []
    done += ["centred"] if args.center else []
    return f" ({', '.join(done)})" if done else ""


def build_model(args):
    """The pipeline ``train`` fits: it predicts from raw 0-255 pixels."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    steps = []
    if args.deskew:
        steps.append(("deskew", DigitDeskewer()))
    if args.scale:
        steps.append(("scale", PixelScaler()))
    if args.center:
        steps.append(("center", StandardScaler(with_std=False)))
    classifier = GDLogisticRegression(
        learning_rate=args.learning_rate,
        max_iter=args.max_iter,
        solver=args.solver,
        alpha=args.alpha,
        class_weight=args.class_weight,
        multiclass=args.multiclass,
    )
    return Pipeline([*steps, ("classifier", classifier)])


def _model_metadata(args, data, task, model, interrupted):
    return {
        "digit": task.digit,
        "all_digits": task.digit is None,
        "image_shape": list(data.image_shape),
        "dataset": data.dataset,
        "data": data.summary,
        "split_test_set": data.split_test_set,
        "n_train": len(data.y_train),
        "learning_rate": args.learning_rate,
        "learning_rate_used": float(model[-1].learning_rate_),
        "max_iter": args.max_iter,
        "solver": args.solver,
        "alpha": args.alpha,
        "class_weight": args.class_weight,
        "multiclass": args.multiclass,
        "scale": args.scale,
        "deskew": args.deskew,
        "center": args.center,
        "interrupted": interrupted,
    }


def fit_with_progress(model, X, y, args):
    """Fit the pipeline, showing the classifier's iterations; True after Ctrl-C.

    The steps before the classifier are fitted once; then ONE fit of the
    classifier, whose iterations move a progress bar through a scikit-learn
    callback (1.9+; older versions fit without a bar). Ctrl-C during the fit
    keeps the weights of the last finished iteration.
    """
    if len(model) > 1:
        X = model[:-1].fit_transform(X, y)
    classifier = model[-1].set_params(verbose=int(args.verbose))
    n_classes = len(np.unique(y))
    seconds = compiling_ahead(
        X, n_outputs=1 if n_classes == 2 else n_classes, max_iter=args.max_iter
    )
    if seconds:
        say(f"compiling the fast kernel, once: about {seconds:.0f} s")
    can_show = (
        hasattr(classifier, "set_callbacks")
        and not args.verbose
        and stderr_is_a_terminal()
    )
    if can_show:
        classifier.set_callbacks(_ProgressBar(args.max_iter))
    try:
        with warnings.catch_warnings(record=True) as caught:
            # The command says so itself, with what it does next.
            warnings.simplefilter("ignore", FitInterruptedWarning)
            classifier.fit(X, y)
        for warning in caught:
            _show_fit_warning(warning, classifier, args)
    finally:
        # The saved model holds no callback (and no verbosity).
        if can_show:
            classifier.set_callbacks()
        classifier.set_params(verbose=0)
    # Without tol, only Ctrl-C ends the descent before max_iter.
    return classifier.n_iter_ < args.max_iter


def _show_fit_warning(warning, classifier, args):
    """Show a warning of the fit, the step's in the command's own words."""
    message, category = warning.message, warning.category
    if issubclass(category, StepTooSmallWarning):
        curve = classifier.loss_curve_
        message = (
            f"the loss barely moved ({curve[0]:.6f} to {curve[-1]:.6f} in "
            f"{len(curve)} iterations): --learning-rate {args.learning_rate:g} is "
            "far too small for these pixels; use --learning-rate auto (the "
            "notebook's 1e-5 suits raw 0-255 pixels, without --scale)"
        )
    warnings.showwarning(message, category, warning.filename, warning.lineno)


class _ProgressBar:
    """A tqdm bar over the fit's iterations, as a scikit-learn fit callback."""

    def __init__(self, total):
        self.total = total
        self.bar = None

    def setup(self, estimator, context):
        from tqdm import tqdm

        self.bar = tqdm(
            total=self.total,
            desc="training",
            unit="it",
            file=sys.stderr,
            dynamic_ncols=True,
        )

    def teardown(self, estimator, context):
        self.bar.close()

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "iteration" and fitted_estimator is not None:
            loss = fitted_estimator.loss_curve_[-1]
            self.bar.set_postfix(loss=f"{loss:.6f}", refresh=False)
            self.bar.update(1)
        return False
