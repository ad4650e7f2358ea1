"""The ``skdigit`` command: the notebook's experiment end to end, and your own digits.

``skdigit train`` loads MNIST, trains the notebook's digit-4 detector (or a 10-class
model) by plain gradient descent with a progress bar, evaluates it on the test
split and saves the model and pictures; ``skdigit predict`` recognises digits in
the user's own PNG/JPG images; ``skdigit evaluate`` scores a saved model on the
test split.

The command uses only skdigit's public API (and the figures of
``skdigit._plotting``). Heavy or optional imports (matplotlib, tqdm, skops,
Pillow) happen inside the commands, so ``import skdigit.cli`` and ``--help`` stay
fast.

Data source order, for ``train``: ``--data-dir`` (else ``$SKDIGIT_DATA``, else
``~/skdigit_data``) -> the MNIST files cached there -> a download into that folder
(unless ``--no-download``) -> when MNIST cannot be had (missing and not
downloadable, offline), one line says so and scikit-learn's bundled 8x8 digits
are used instead. A corrupt MNIST file that is present is an error, not a reason
to fall back: it needs fixing, and silently training on other data would hide it.
"""

import argparse
import json
import os
import re
import sys
import textwrap
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import FitInterruptedWarning, __version__

__all__ = ["build_parser", "main"]

PROG = "skdigit"
# Exit statuses: 2 for errors the user can fix (bad paths, corrupt files, bad
# arguments: argparse uses 2 too), 130 after Ctrl-C (128 + SIGINT), 1 for bugs.
EXIT_OK = 0
EXIT_BUG = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
# 128 + SIGPIPE, what a shell reports for a writer whose reader went away.
EXIT_BROKEN_PIPE = 141

MNIST_SHAPE = (28, 28)
DIGITS_SHAPE = (8, 8)
MODEL_FILE = "model.skops"
# The bundled digits are split the same way every time, so ``evaluate`` finds
# the test images ``train`` held out.
DIGITS_TEST_SIZE = 0.25
DIGITS_RANDOM_STATE = 0
DEFAULT_TIMEOUT = 10.0
# Each progress-bar update fits a chunk of iterations taking about this long.
CHUNK_SECONDS = 0.3

_DESCRIPTION = """\
Handwritten-digit recognition by plain gradient-descent logistic regression,
as in the classic "Character Recognition" notebook: 200 iterations at a learning
rate of 1e-5 on raw 0-255 MNIST pixels, detecting the digit 4."""

_EPILOG = """\
examples:
  skdigit train                              # the notebook's digit-4 detector
  skdigit train --output skdigit_output      # ... and save model + pictures
  skdigit train --all-digits --output all10  # one model for the ten digits
  skdigit predict skdigit_output/model.skops my_digit.png
  skdigit evaluate skdigit_output/model.skops

Run "skdigit COMMAND --help" for the options of each command."""

_DATA_EPILOG = """\
data: --data-dir (else $SKDIGIT_DATA, else ~/skdigit_data) is searched for the
MNIST files, which are downloaded there when missing (unless --no-download). When
MNIST cannot be had (missing files, no network), one line says so and
scikit-learn's bundled 8x8 digits are used instead (split 75/25, always the same
way). A corrupt MNIST file is an error (exit status 2), not a reason to fall back.
--split-test-set N uses only MNIST's 10,000 test images: the first N to train,
the rest to test (for when the 60,000 training images are not at hand)."""

_EVALUATE_DATA_EPILOG = """\
data: an MNIST model is scored on MNIST's test files, from --data-dir (else
$SKDIGIT_DATA, else ~/skdigit_data), downloaded there when missing (unless
--no-download); without them it cannot be scored (exit status 2). A model
trained on the bundled 8x8 digits is scored on the quarter held out for testing."""


# --------------------------------------------------------------------- parser


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keep the description's and examples' line breaks; a wider option column."""

    def __init__(self, prog, **kwargs):
        kwargs.setdefault("max_help_position", 32)
        super().__init__(prog, **kwargs)


def _wrap(text):
    return textwrap.fill(text, width=79)


def _positive_int(text):
    value = _parse(int, text, "an integer")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _positive_float(text):
    value = _parse(float, text, "a number")
    if not (np.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _non_negative_float(text):
    value = _parse(float, text, "a number")
    if not (np.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text}")
    return value


def _parse(kind, text, what):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None


def _add_debug_option(parser, *, default):
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="show the full traceback of an error instead of one line",
    )


def _add_data_options(parser, *, evaluate=False):
    group = parser.add_argument_group("data")
    group.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        help="folder of the MNIST files, where downloads go too "
        "(default: $SKDIGIT_DATA, else ~/skdigit_data)",
    )
    group.add_argument(
        "--no-download",
        action="store_true",
        help="never download MNIST, use only the files in the data folder"
        + ("" if evaluate else " (or the bundled digits when they are missing)"),
    )
    group.add_argument(
        "--split-test-set",
        metavar="N",
        type=_positive_int,
        help=(
            "score on MNIST's test images after the first N (default: the N the "
            "model was trained with, else all of them)"
            if evaluate
            else "use only MNIST's test split (the t10k files): train on its first "
            "N images, test on the rest"
        ),
    )
    group.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_float,
        default=DEFAULT_TIMEOUT,
        help="give up on a download mirror after this long without an answer "
        "(default: %(default)s)",
    )
    return group


def build_parser():
    """Build the argument parser of the ``skdigit`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser, with one subparser per command (``train``, ``predict``,
        ``evaluate``); documentation tools can render the CLI reference from it.

    Examples
    --------
    >>> from skdigit.cli import build_parser
    >>> args = build_parser().parse_args(["train", "--digit", "7"])
    >>> args.command, args.digit, args.learning_rate, args.max_iter
    ('train', 7, 1e-05, 200)
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=_version_line(), help="show versions"
    )
    _add_debug_option(parser, default=False)
    commands = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", required=True
    )
    _add_train_parser(commands)
    _add_predict_parser(commands)
    _add_evaluate_parser(commands)
    return parser


def _version_line():
    import sklearn

    return f"{PROG} {__version__} (scikit-learn {sklearn.__version__})"


def _add_train_parser(commands):
    parser = commands.add_parser(
        "train",
        help="train the notebook's detector (or a 10-class model) and evaluate it",
        description=_wrap(
            "Load MNIST, train a logistic regression by plain gradient "
            "descent, then evaluate it on the test split: accuracy, precision, recall, "
            "F1, confusion matrix and the notebook's first ten predictions vs labels."
        ),
        epilog="examples:\n"
        "  skdigit train                          # the notebook, end to end\n"
        "  skdigit train --digit 7 --output out   # a 7 detector, saved with plots\n"
        "  skdigit train --all-digits --scale --learning-rate 0.5\n"
        "  skdigit train --split-test-set 8000    # only the t10k files at hand\n\n"
        + _DATA_EPILOG,
        formatter_class=_HelpFormatter,
    )
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
        type=_positive_float,
        default=1e-5,
        metavar="LR",
        help="gradient-descent step size (default: %(default)s)",
    )
    model.add_argument(
        "--max-iter",
        type=_positive_int,
        default=200,
        metavar="N",
        help="number of gradient-descent iterations (default: %(default)s)",
    )
    model.add_argument(
        "--alpha",
        type=_non_negative_float,
        default=0.0,
        help="L2 penalty strength (default: %(default)s)",
    )
    model.add_argument(
        "--scale",
        action="store_true",
        help="divide pixels by 255; then use a larger --learning-rate, e.g. 0.5",
    )
    model.add_argument(
        "--multiclass",
        choices=["ovr", "multinomial"],
        default="ovr",
        help="with --all-digits: ten one-vs-rest detectors or one softmax model "
        "(default: %(default)s)",
    )
    data = _add_data_options(parser)
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
        help=f"save {MODEL_FILE}, loss_curve.png, weights.png, misclassified.png "
        "and metrics.json in this folder (created if needed)",
    )
    output.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="print the notebook's 'Iteration    i => Loss: ...' line at every "
        "iteration instead of a progress bar",
    )
    _add_debug_option(parser, default=argparse.SUPPRESS)


def _add_predict_parser(commands):
    parser = commands.add_parser(
        "predict",
        help="recognise the digits in your own images (PNG, JPG, ...)",
        description=_wrap(
            "Recognise one digit in each image. Each picture is made to "
            "look like an MNIST digit first: grey levels, dark-on-light inverted, "
            "cropped, fitted in a 20x20 box and centred by its centre of mass in "
            "28x28 (for a model trained on the bundled 8x8 digits, then reduced to "
            "8x8 the way those were made)."
        ),
        epilog="examples:\n"
        "  skdigit predict skdigit_output/model.skops four.png seven.jpg\n"
        "  skdigit predict --json model.skops scans/*.png",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("model", metavar="MODEL", type=Path, help="a model file")
    parser.add_argument(
        "images", metavar="IMAGE", type=Path, nargs="+", help="image files"
    )
    parser.add_argument(
        "--invert",
        choices=["auto", "yes", "no"],
        default="auto",
        help="yes: dark digit on light paper; no: light digit on dark; auto: "
        "decide from the border of each image (default: %(default)s)",
    )
    parser.add_argument(
        "--top",
        type=_positive_int,
        default=3,
        metavar="K",
        help="with a 10-class model, show the K most likely digits "
        "(default: %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    _add_debug_option(parser, default=argparse.SUPPRESS)


def _add_evaluate_parser(commands):
    parser = commands.add_parser(
        "evaluate",
        help="score a saved model on the test split",
        description=_wrap(
            "Score a saved model on the test split it was made for: MNIST's "
            "for a 28x28 model (with the --split-test-set it was trained with, unless "
            "given), the bundled digits' held-out quarter for an 8x8 model."
        ),
        epilog="example:\n  skdigit evaluate skdigit_output/model.skops\n\n"
        + _EVALUATE_DATA_EPILOG,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("model", metavar="MODEL", type=Path, help="a model file")
    _add_data_options(parser, evaluate=True)
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    _add_debug_option(parser, default=argparse.SUPPRESS)


# ------------------------------------------------------------------------ main


class CommandError(Exception):
    """An error the user can fix, reported as one line with exit status 2."""


def main(argv=None):
    """Run the ``skdigit`` command.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; None means ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 2 for an error the user can fix (reported in one line on
        stderr), 130 after Ctrl-C, 1 for an unexpected error (a bug).

    Examples
    --------
    >>> from skdigit.cli import main
    >>> main(["predict", "no-such-model.skops", "digit.png"])
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    commands = {"train": _train, "predict": _predict, "evaluate": _evaluate}
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return commands[args.command](args)
        except KeyboardInterrupt:
            if args.debug:
                raise
            _error_line("interrupted")
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            # The reader went away (``skdigit train | head``): stop quietly, and
            # keep Python from complaining again when it flushes stdout at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_BROKEN_PIPE
        except (CommandError, OSError, ValueError, ImportError) as exc:
            if args.debug:
                raise
            _error_line(_one_line(exc))
            return EXIT_ERROR
        except Exception as exc:
            if args.debug:
                raise
            _error_line(
                f"unexpected {type(exc).__name__}: {_one_line(exc)} (this is a bug; "
                "run with --debug for the traceback and please report it)"
            )
            return EXIT_BUG


def _one_line(exc):
    """The message of ``exc`` on one line, with the file name for OS errors."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    text = str(exc) or type(exc).__name__
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _error_line(message):
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"{PROG}: warning: {_one_line(message)}", file=sys.stderr, flush=True)


def _say(*parts, **kwargs):
    print(*parts, **kwargs, flush=True)


# ------------------------------------------------------------------------ data


@dataclass
class _Data:
    """Digit images as uint8 pixels 0-255 (one row per image) and their labels."""

    X_train: np.ndarray | None
    y_train: np.ndarray | None
    X_test: np.ndarray
    y_test: np.ndarray
    dataset: str  # "mnist" or "digits"
    image_shape: tuple
    summary: str  # the one line that says where the data came from
    split_test_set: int | None = None


def _load_data(args, *, dataset, need_train):
    """Load the data in the documented order; print nothing."""
    if dataset == "digits":
        return _bundled_digits(need_train), None
    try:
        return _mnist(args, need_train), None
    except OSError as exc:  # missing and not downloadable: offline, --no-download
        if dataset == "mnist":
            raise CommandError(f"MNIST could not be loaded: {_why(exc)}") from exc
        return _bundled_digits(need_train), _why(exc)


def _check_data_dir(args):
    data_dir = args.data_dir
    if data_dir is not None and data_dir.exists() and not data_dir.is_dir():
        raise CommandError(f"--data-dir '{data_dir}' is a file, not a folder")


def _mnist(args, need_train):
    from skdigit import MNISTIdxLoader

    _check_data_dir(args)
    loader = MNISTIdxLoader(
        data_home=args.data_dir, download=not args.no_download, timeout=args.timeout
    )
    test = loader.load("test", return_X_y=False)
    folder = os.path.dirname(test.filenames["images"])
    n_test = len(test.target)
    if args.split_test_set is not None:
        n = args.split_test_set
        if n >= n_test:
            raise CommandError(
                f"--split-test-set {n} leaves no test images: MNIST's test split "
                f"has {n_test} images, give N below that"
            )
        X, y = test.data, test.target
        return _Data(
            X[:n] if need_train else None,
            y[:n] if need_train else None,
            X[n:],
            y[n:],
            "mnist",
            MNIST_SHAPE,
            f"MNIST test split from {folder}, split in two: train on its first {n} "
            f"images, test on the other {n_test - n}",
            split_test_set=n,
        )
    X_train = y_train = None
    if need_train:
        X_train, y_train = loader.load("train")
    counts = f"train {len(y_train)}, " if need_train else ""
    return _Data(
        X_train,
        y_train,
        test.data,
        test.target,
        "mnist",
        MNIST_SHAPE,
        f"MNIST from {folder} ({counts}test {n_test})",
    )


def _why(exc):
    """Why MNIST could not be had, in a few words on one line."""
    text = str(exc)
    if isinstance(exc, FileNotFoundError) and "missing from" in text:
        names = re.findall(r"(?<![\w.-])((?:train|t10k)-\w+-idx\d-ubyte\.gz)", text)
        files = ", ".join(dict.fromkeys(names)) or "MNIST files"
        folder = re.search(r"missing from (.+?): ", text)
        where = f" in {folder.group(1)}" if folder else ""
        return f"{files} not found{where}, and downloading is off"
    lines = text.splitlines()
    if len(lines) > 1 and lines[0].startswith("Could not download"):
        answers = [
            m.group(1) for m in map(re.compile(r"^\s+- \S+: (.*)$").match, lines) if m
        ]
        first = lines[0].rstrip(":").replace("Could not", "could not")
        return f"{first}: {answers[0]}" if answers else first
    return _one_line(exc)


def _bundled_digits(need_train):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    # Pixels 0-16 onto MNIST's 0-255 scale, so the notebook's learning rate fits.
    X = np.rint(X * (255 / 16)).astype(np.uint8)
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y.astype(np.uint8),
        test_size=DIGITS_TEST_SIZE,
        random_state=DIGITS_RANDOM_STATE,
        stratify=y,
    )
    counts = f"train {len(y_train)}, " if need_train else ""
    return _Data(
        X_train if need_train else None,
        y_train if need_train else None,
        X_test,
        y_test,
        "digits",
        DIGITS_SHAPE,
        f"scikit-learn's bundled 8x8 digits ({counts}test {len(y_test)})",
    )


# ----------------------------------------------------------------------- tasks


@dataclass
class _Task:
    """What a model recognises: one digit (a detector) or all ten."""

    digit: int | None  # None: all ten digits

    @property
    def name(self):
        if self.digit is None:
            return "10-class model (digits 0-9)"
        return f"digit-{self.digit} detector"

    def target(self, digits):
        """The labels the model predicts: 0/1 for a detector, the digit otherwise."""
        if self.digit is None:
            return digits
        from skdigit import OneDigitBinarizer

        column = np.asarray(digits).reshape(-1, 1)
        return OneDigitBinarizer(digit=self.digit).fit_transform(column).ravel()

    def label_names(self, values):
        """Readable names of target values: "4" / "not 4" for a detector."""
        if self.digit is None:
            return np.asarray([str(value) for value in values])
        return np.where(np.asarray(values) == 1, str(self.digit), f"not {self.digit}")


# ----------------------------------------------------------------------- train


def _train(args):
    from skdigit import GDLogisticRegression

    _check_output_dir(args.output)
    data, fallback = _load_data(args, dataset=args.dataset, need_train=True)
    if fallback is not None:
        _say(
            f"MNIST could not be loaded ({fallback}); using scikit-learn's bundled "
            "8x8 digits instead"
        )
        if args.split_test_set is not None:
            _say("(--split-test-set applies to MNIST only; ignored)")
    _say(f"Data: {data.summary}")

    task = _Task(None if args.all_digits else args.digit)
    pixel_scale = 1 / 255 if args.scale else 1.0
    # One conversion for the whole fit: every chunk below reuses these floats.
    X_train = _features(data.X_train, pixel_scale)
    y_train = task.target(data.y_train)
    estimator = GDLogisticRegression(
        learning_rate=args.learning_rate,
        max_iter=args.max_iter,
        alpha=args.alpha,
        multiclass=args.multiclass,
    )
    _say(
        f"Training a {task.name} on {X_train.shape[0]} images of "
        f"{X_train.shape[1]} pixels{' (scaled to 0-1)' if args.scale else ''}: "
        f"{args.max_iter} iterations of gradient descent, learning rate "
        f"{args.learning_rate:g}" + (f", alpha {args.alpha:g}" if args.alpha else "")
    )
    start = time.perf_counter()
    interrupted = _fit_with_progress(estimator, X_train, y_train, args)
    elapsed = time.perf_counter() - start
    if not hasattr(estimator, "coef_"):
        _say("Interrupted before the first iteration finished: nothing to evaluate.")
        return EXIT_INTERRUPTED
    curve = estimator.loss_curve_
    if interrupted:
        _say(
            f"Interrupted (Ctrl-C) after {estimator.n_iter_} of {args.max_iter} "
            "iterations: evaluating and saving the model trained so far."
        )
    _say(
        f"Trained {estimator.n_iter_} iterations in {elapsed:.1f} s: loss "
        f"{curve[0]:.6f} at the start, {curve[-1]:.6f} at the last iteration"
    )

    y_true = task.target(data.y_test)
    y_pred = estimator.predict(_features(data.X_test, pixel_scale))
    metrics = _metrics(y_true, y_pred, task)
    report = _format_report(metrics, task)
    written = []
    if args.output is not None:
        # Saved before the report is printed: a closed pipe must not lose the model.
        saved_metrics = dict(
            metrics,
            data=data.summary,
            n_train=int(X_train.shape[0]),
            n_iter=int(estimator.n_iter_),
            final_loss=float(curve[-1]),
            interrupted=interrupted,
        )
        metadata = _model_metadata(args, data, task, pixel_scale, interrupted)
        written = _save_outputs(
            args.output, estimator, data, task, y_pred, saved_metrics, metadata
        )
    _say(report)
    if written:
        _say()
        _say(f"Saved in {args.output}: " + ", ".join(path.name for path in written))
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def _features(pixels, pixel_scale):
    """Pixels as the float64 features the model takes (a new array)."""
    return np.multiply(pixels, pixel_scale, dtype=np.float64)


def _fit_with_progress(estimator, X, y, args):
    """Fit by warm-started chunks, updating a progress bar; True if interrupted.

    Warm-started fits continue the same gradient descent, so the chunks give
    exactly the weights and loss curve of one long fit. A Ctrl-C inside a chunk
    loses only that chunk: fitted attributes are set when a fit returns.
    """
    from tqdm import tqdm

    total = args.max_iter
    estimator.set_params(warm_start=True, verbose=int(args.verbose))
    chunk, interrupted = 1, False
    bar = tqdm(
        total=total,
        desc="training",
        unit="it",
        file=sys.stderr,
        # None: a bar only when stderr is a terminal.
        disable=True if args.verbose else None,
        dynamic_ncols=True,
    )
    try:
        while getattr(estimator, "n_iter_", 0) < total:
            step = min(chunk, total - getattr(estimator, "n_iter_", 0))
            began = time.perf_counter()
            with warnings.catch_warnings():
                # The fit keeps what it finished on Ctrl-C, then warns: stop here.
                warnings.simplefilter("error", FitInterruptedWarning)
                estimator.set_params(max_iter=step).fit(X, y)
            seconds = time.perf_counter() - began
            bar.set_postfix(loss=f"{estimator.loss_curve_[-1]:.6f}", refresh=False)
            bar.update(step)
            # Chunks of about CHUNK_SECONDS: a lively bar, little overhead.
            chunk = max(
                1, min(2 * step, int(step * CHUNK_SECONDS / max(seconds, 1e-9)))
            )
    except (KeyboardInterrupt, FitInterruptedWarning):
        interrupted = True
    finally:
        bar.close()
        # The saved model reads like one fit of the requested length.
        estimator.set_params(max_iter=total, warm_start=False, verbose=0)
    return interrupted


# ----------------------------------------------------------------- evaluation


def _metrics(y_true, y_pred, task):
    """The evaluation on the test images, as a JSON-ready dict."""
    from sklearn.metrics import (
        accuracy_score,
        classification_report,
        confusion_matrix,
        f1_score,
        precision_score,
        recall_score,
    )

    metrics = {"model": task.name, "n_test": len(y_true)}
    metrics["accuracy"] = float(accuracy_score(y_true, y_pred))
    if task.digit is not None:
        labels = [0, 1]
        for name, score in [
            ("precision", precision_score),
            ("recall", recall_score),
            ("f1", f1_score),
        ]:
            metrics[name] = float(score(y_true, y_pred, zero_division=0))
        metrics["base_rate"] = float(np.mean(y_true))
    else:
        labels = list(range(10))
        metrics["per_class"] = classification_report(
            y_true, y_pred, labels=labels, output_dict=True, zero_division=0
        )
    metrics["confusion_matrix"] = confusion_matrix(
        y_true, y_pred, labels=labels
    ).tolist()
    metrics["first_ten"] = {
        "predicted": [int(value) for value in y_pred[:10]],
        "label": [int(value) for value in y_true[:10]],
    }
    return metrics


def _format_report(metrics, task):
    """The metrics as the text ``train`` and ``evaluate`` print."""
    lines = ["", f"Test set: {metrics['n_test']} images"]
    if task.digit is not None:
        labels = [0, 1]
        for name, key in [
            ("accuracy", "accuracy"),
            ("precision", "precision"),
            ("recall", "recall"),
            ("F1", "f1"),
        ]:
            lines.append(f"  {name:<10} {metrics[key]:.4f}")
        lines.append(
            f"  (always answering 'not {task.digit}' would score "
            f"{1 - metrics['base_rate']:.4f} accuracy)"
        )
    else:
        labels = list(range(10))
        lines.append(f"  accuracy   {metrics['accuracy']:.4f}")
        lines += ["", "  digit  precision     recall         F1    support"]
        for label in labels:
            row = metrics["per_class"][str(label)]
            lines.append(
                f"  {label:>5} {row['precision']:>10.4f} {row['recall']:>10.4f} "
                f"{row['f1-score']:>10.4f} {int(row['support']):>10}"
            )
    names = [str(name) for name in task.label_names(labels)]
    lines += [
        "",
        "Confusion matrix (rows: true, columns: predicted):",
        _matrix_table(np.asarray(metrics["confusion_matrix"]), names),
        "",
    ]
    if task.digit is not None:
        lines.append(
            f"First ten predictions vs labels (1 = a {task.digit}, 0 = another digit):"
        )
    else:
        lines.append("First ten predictions vs labels:")
    first = metrics["first_ten"]
    lines.append("  predicted  " + " ".join(map(str, first["predicted"])))
    lines.append("  label      " + " ".join(map(str, first["label"])))
    return "\n".join(lines)


def _matrix_table(matrix, names):
    width = max(6, *(len(name) for name in names), len(str(matrix.max())))
    header = " " * (width + 2) + " ".join(f"{name:>{width}}" for name in names)
    rows = [
        f"  {name:<{width}}" + " ".join(f"{value:>{width}}" for value in row)
        for name, row in zip(names, matrix, strict=True)
    ]
    return "\n".join([header, *rows])


# ---------------------------------------------------------------------- output


def _model_metadata(args, data, task, pixel_scale, interrupted):
    return {
        "digit": task.digit,
        "all_digits": task.digit is None,
        "image_shape": list(data.image_shape),
        "pixel_scale": pixel_scale,
        "dataset": data.dataset,
        "data": data.summary,
        "split_test_set": data.split_test_set,
        "n_train": len(data.y_train),
        "learning_rate": args.learning_rate,
        "max_iter": args.max_iter,
        "alpha": args.alpha,
        "multiclass": args.multiclass,
        "interrupted": interrupted,
    }


def _check_output_dir(folder):
    if folder is not None and folder.exists() and not folder.is_dir():
        raise CommandError(f"--output '{folder}' is a file, not a folder")


def _save_outputs(folder, estimator, data, task, y_pred, metrics, metadata):
    from skdigit import save_model
    from skdigit._files import atomic_write
    from skdigit._plotting import (
        plot_loss_curve,
        plot_misclassified,
        plot_weight_images,
        save_figure,
    )

    _check_output_dir(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [save_model(estimator, folder / MODEL_FILE, metadata=metadata)]

    title = f"Training loss: {task.name}, learning rate {metadata['learning_rate']:g}"
    written.append(
        save_figure(
            plot_loss_curve(estimator.loss_curve_, title=title),
            folder / "loss_curve.png",
        )
    )
    classes = (
        task.label_names(estimator.classes_)
        if task.digit is not None
        else estimator.classes_
    )
    written.append(
        save_figure(
            plot_weight_images(estimator.coef_, classes, image_shape=data.image_shape),
            folder / "weights.png",
        )
    )
    written.append(
        save_figure(
            _misclassified_figure(data, task, y_pred, plot_misclassified),
            folder / "misclassified.png",
        )
    )
    with atomic_write(folder / "metrics.json") as file:
        file.write((json.dumps(metrics, indent=2) + "\n").encode())
    written.append(folder / "metrics.json")
    return written


def _misclassified_figure(data, task, y_pred, plot_misclassified):
    """The gallery of wrong test digits, titled with the true digit."""
    max_images = 25
    images = data.X_test.reshape(-1, *data.image_shape)
    y_true = task.target(data.y_test)
    wrong = np.flatnonzero(y_pred != y_true)
    if wrong.size == 0:
        return plot_misclassified(images, y_true, y_pred)
    shown = wrong[:max_images]
    # The true digit says more than "not 4"; the prediction reads "4" / "not 4".
    fig = plot_misclassified(
        images[shown],
        np.asarray([str(digit) for digit in data.y_test[shown]]),
        task.label_names(y_pred[shown]),
        max_images=max_images,
    )
    heading = f"Misclassified test digits: {wrong.size} of {len(y_true)}"
    if shown.size < wrong.size:
        heading += f" (first {shown.size} shown)"
    fig.suptitle(heading, fontsize=12)
    return fig


# --------------------------------------------------------------------- models


def _load(path):
    """Load a model file; return the estimator and what it recognises."""
    from skdigit import load_model

    estimator, info = load_model(path)
    metadata = info["metadata"]
    n_features = estimator.n_features_in_
    shape = metadata.get("image_shape")
    if shape is None:
        shapes = {784: MNIST_SHAPE, 64: DIGITS_SHAPE}
        shape = shapes.get(n_features)
    shape = tuple(shape) if shape is not None else None
    if shape not in (MNIST_SHAPE, DIGITS_SHAPE) or np.prod(shape) != n_features:
        raise CommandError(
            f"{path}: the model takes {n_features} pixels; skdigit knows 28x28 MNIST "
            "images (784 pixels) and 8x8 bundled digits (64)"
        )
    if len(estimator.classes_) == 2:
        digit = metadata.get("digit")
        if digit is None or list(estimator.classes_) != [0, 1]:
            raise CommandError(
                f"{path}: a two-class model without the digit it detects; skdigit "
                "needs a model saved by 'skdigit train'"
            )
        task = _Task(int(digit))
    else:
        task = _Task(None)
    return estimator, task, shape, float(metadata.get("pixel_scale", 1.0)), metadata


# --------------------------------------------------------------------- predict


def _predict(args):
    from skdigit import load_digit_image

    estimator, task, shape, pixel_scale, _ = _load(args.model)
    invert = {"auto": "auto", "yes": True, "no": False}[args.invert]
    names, images, failed = [], [], 0
    for path in args.images:
        try:
            image = load_digit_image(path, invert=invert)
        except (OSError, ValueError) as exc:
            _error_line(_one_line(exc))
            failed += 1
            continue
        if shape == DIGITS_SHAPE:
            image = _as_bundled_digit(image)
        names.append(str(path))
        images.append(image.reshape(-1))
    if shape == DIGITS_SHAPE and images and not args.json:
        _say(
            "note: this model was trained on scikit-learn's 8x8 digits; each image "
            "is reduced to 8x8 as those were made (expect more mistakes than with "
            "an MNIST model)"
        )
    if images:
        X = _features(np.vstack(images), pixel_scale)
        results = _predictions(estimator, task, X, names, args.top)
        if args.json:
            _say(json.dumps([record for _, record in results], indent=2))
        else:
            for text, _ in results:
                _say(text)
    return EXIT_ERROR if failed else EXIT_OK


def _predictions(estimator, task, X, names, top):
    """One (text line, JSON record) pair per image."""
    proba = estimator.predict_proba(X)
    predicted = estimator.predict(X)
    results = []
    for name, row, label in zip(names, proba, predicted, strict=True):
        if task.digit is not None:
            p = float(row[1])
            verdict = f"a {task.digit}" if label == 1 else f"not a {task.digit}"
            text = f"{name}: {verdict} (probability of a {task.digit}: {p:.1%})"
            record = {
                "image": name,
                "digit": task.digit,
                "is_digit": bool(label == 1),
                "probability": p,
            }
        else:
            order = np.argsort(row)[::-1][:top]
            best = ", ".join(f"{estimator.classes_[i]}: {row[i]:.1%}" for i in order)
            text = f"{name}: {label} ({best})"
            record = {
                "image": name,
                "prediction": int(label),
                "probabilities": {
                    str(c): float(p)
                    for c, p in zip(estimator.classes_, row, strict=True)
                },
            }
        results.append((text, record))
    return results


def _as_bundled_digit(image):
    """Reduce an MNIST-style 28x28 digit to an 8x8 digit like the bundled ones.

    scikit-learn's digits (UCI optdigits) are 32x32 bitmaps of size-normalised
    digits, counted in 4x4 blocks (0-16); here the digit is cropped, fitted in
    32x32 (aspect ratio kept, centred), thresholded, counted the same way and put
    on the 0-255 scale the CLI trains on.
    """
    from PIL import Image

    rows = np.flatnonzero((image > 0).any(axis=1))
    cols = np.flatnonzero((image > 0).any(axis=0))
    box = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = box.shape
    scale = 32 / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = np.asarray(
        Image.fromarray(box).resize(size, Image.Resampling.BILINEAR), dtype=np.float64
    )
    field = np.zeros((32, 32))
    top, left = (32 - size[1]) // 2, (32 - size[0]) // 2
    field[top : top + size[1], left : left + size[0]] = resized
    counts = (field >= 128).reshape(8, 4, 8, 4).sum(axis=(1, 3))
    return np.rint(counts * (255 / 16)).astype(np.uint8)


# -------------------------------------------------------------------- evaluate


def _evaluate(args):
    estimator, task, shape, pixel_scale, metadata = _load(args.model)
    dataset = "digits" if shape == DIGITS_SHAPE else "mnist"
    if dataset == "mnist" and args.split_test_set is None:
        args.split_test_set = metadata.get("split_test_set")
    elif dataset == "digits" and args.split_test_set is not None:
        raise CommandError(
            "--split-test-set applies to MNIST models; this model was trained on "
            "the bundled 8x8 digits"
        )
    data, _ = _load_data(args, dataset=dataset, need_train=False)
    y_pred = estimator.predict(_features(data.X_test, pixel_scale))
    metrics = _metrics(task.target(data.y_test), y_pred, task)
    if args.json:
        _say(
            json.dumps(
                {"model_file": str(args.model), "data": data.summary, **metrics},
                indent=2,
            )
        )
    else:
        _say(f"Model: {task.name} from {args.model}")
        _say(f"Data: {data.summary}")
        _say(_format_report(metrics, task))
    return EXIT_OK
