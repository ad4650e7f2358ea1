"""``skdigit evaluate``: score a saved model on the test split it was made for."""

import argparse
import json
from pathlib import Path

from skdigit._image_shape import DIGITS_SHAPE

from .console import EXIT_OK, CommandError, say
from .data import load_data
from .model import read_model
from .options import HelpFormatter, add_data_options, add_debug_option, wrap
from .report import compute_metrics, format_report

DATA_EPILOG = """\
data: an MNIST model is scored on MNIST's test files, from --data-dir (else
$SKDIGIT_DATA, else ~/skdigit_data), downloaded there when missing (unless
--no-download); without them it cannot be scored (exit status 2). A model
trained on the bundled 8x8 digits is scored on the quarter held out for testing."""


def add_parser(commands):
    parser = commands.add_parser(
        "evaluate",
        help="score a saved model on the test split",
        description=wrap(
            "Score a saved model on the test split it was made for: MNIST's "
            "for a 28x28 model (with the --split-test-set it was trained with, unless "
            "given), the bundled digits' held-out quarter for an 8x8 model."
        ),
        epilog="example:\n  skdigit evaluate skdigit_output/model.skops\n\n"
        + DATA_EPILOG,
        formatter_class=HelpFormatter,
    )
    parser.set_defaults(run=run)
    parser.add_argument("model", metavar="MODEL", type=Path, help="a model file")
    add_data_options(parser, evaluate=True)
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    add_debug_option(parser, default=argparse.SUPPRESS)


def run(args):
    model = read_model(args.model)
    dataset = "digits" if model.image_shape == DIGITS_SHAPE else "mnist"
    if dataset == "mnist" and args.split_test_set is None:
        args.split_test_set = model.trained_split()
    elif dataset == "digits" and args.split_test_set is not None:
        raise CommandError(
            "--split-test-set applies to MNIST models; this model was trained on "
            "the bundled 8x8 digits"
        )
    data, _ = load_data(args, dataset=dataset, need_train=False)
    task = model.task
    y_pred = model.estimator.predict(data.X_test)
    metrics = compute_metrics(task.target(data.y_test), y_pred, task)
    if args.json:
        say(
            json.dumps(
                {"model_file": str(args.model), "data": data.summary, **metrics},
                indent=2,
            )
        )
    else:
        say(f"Model: {task.name} from {args.model}")
        say(f"Data: {data.summary}")
        say(format_report(metrics, task))
    return EXIT_OK
