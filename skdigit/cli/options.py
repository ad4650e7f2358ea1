"""Argument parsing shared by the subcommands: the parser class, value types and
the data and debug options."""

import argparse
import math
import textwrap
from pathlib import Path

from skdigit._mnist import DEFAULT_TIMEOUT, MAX_TIMEOUT

__all__ = [
    "ArgumentParser",
    "HelpFormatter",
    "add_data_options",
    "add_debug_option",
    "non_negative_float",
    "positive_float",
    "positive_int",
    "timeout_seconds",
    "wrap",
]

DATA_DIR_HELP = (
    "folder of the MNIST files, where downloads go too; it must exist (default: "
    "$SKDIGIT_DATA, else ~/skdigit_data, created for a download)"
)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keep the description's and examples' line breaks; a wider option column."""

    def __init__(self, prog, **kwargs):
        kwargs.setdefault("max_help_position", 32)
        super().__init__(prog, **kwargs)


class ArgumentParser(argparse.ArgumentParser):
    """An argument parser whose errors take one line, and one more for help.

    argparse prints the whole usage (seven lines for ``skdigit train``) before
    the error; the error is what matters, and ``--help`` has the rest.
    """

    def error(self, message):
        self.exit(
            2,
            f"{self.prog}: error: {message}\n"
            f'Run "{self.prog} --help" to see the options.\n',
        )


def wrap(text):
    return textwrap.fill(text, width=79)


def positive_int(text):
    value = _parse(int, text, "an integer")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def positive_float(text):
    value = _parse(float, text, "a number")
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def non_negative_float(text):
    value = _parse(float, text, "a number")
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text}")
    return value


def timeout_seconds(text):
    value = _parse(float, text, "a number of seconds")
    if not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"must be more than 0 and at most {MAX_TIMEOUT:g} seconds, got {text}"
        )
    return value


def _parse(kind, text, what):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None


def add_debug_option(parser, *, default):
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="show the full traceback of an error instead of one line",
    )


def add_data_options(parser, *, evaluate=False):
    """--data-dir, --no-download, --split-test-set and --timeout."""
    group = parser.add_argument_group("data")
    group.add_argument("--data-dir", metavar="DIR", type=Path, help=DATA_DIR_HELP)
    group.add_argument(
        "--no-download",
        action="store_true",
        help="never download MNIST, use only the files in the data folder"
        + ("" if evaluate else " (or the bundled digits when they are missing)"),
    )
    group.add_argument(
        "--split-test-set",
        metavar="N",
        type=positive_int,
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
        type=timeout_seconds,
        default=DEFAULT_TIMEOUT,
        help="give up on a download mirror after this long without an answer, at "
        f"most {MAX_TIMEOUT:g} (default: %(default)s, as in Python)",
    )
    return group
