"""The ``skdigit`` command: the notebook's experiment end to end, and your own digits.

``skdigit train`` loads MNIST, trains the notebook's digit-4 detector (or a 10-class
model) by plain gradient descent with a progress bar, evaluates it on the test
split and saves the model and pictures; ``skdigit predict`` recognises digits in
the user's own PNG/JPG images; ``skdigit evaluate`` scores a saved model on the
test split.

One module per subcommand (:mod:`~skdigit.cli.train`, :mod:`~skdigit.cli.predict`,
:mod:`~skdigit.cli.evaluate`), each with its options and its work; the choice of
data (:mod:`~skdigit.cli.data`), model files as the command reads them
(:mod:`~skdigit.cli.model`), the report (:mod:`~skdigit.cli.report`), the files
written (:mod:`~skdigit.cli.outputs`), signals (:mod:`~skdigit.cli.signals`),
shared options and printing each in their own. The command uses skdigit's public
API, its displays for the pictures (drawn off pyplot), and beyond it only
``skdigit._files``, ``skdigit._version``, the download progress hook of
``skdigit._fetch`` and the timeout bounds of ``skdigit._mnist``. Heavy or optional
imports (scikit-learn's metrics, matplotlib, tqdm, skops, Pillow) happen inside the
subcommand that needs them, so ``--help`` is quick and ``skdigit predict`` loads
only what predicting needs.
"""

import argparse
import os
import sys
import warnings

from .._version import __version__
from . import evaluate, predict, train
from .console import (
    EXIT_BROKEN_PIPE,
    EXIT_BUG,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    PROG,
    CommandError,
    bug_line,
    error_line,
    one_line,
    show_warning,
)
from .options import ArgumentParser, HelpFormatter, add_debug_option
from .signals import Terminated, handled_signals

__all__ = ["build_parser", "main"]

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


class _VersionAction(argparse.Action):
    """``--version``, importing scikit-learn for its version only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, help=None):
        super().__init__(
            option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, help=help
        )

    def __call__(self, parser, namespace, values, option_string=None):
        import sklearn

        print(f"{PROG} {__version__} (scikit-learn {sklearn.__version__})")
        parser.exit()


def build_parser():
    """Build the argument parser of the ``skdigit`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser, with one subparser per command (``train``, ``predict``,
        ``evaluate``); documentation tools can render the CLI reference from it.
        Its errors take one line (and one more pointing at ``--help``).

    Examples
    --------
    >>> from skdigit.cli import build_parser
    >>> args = build_parser().parse_args(["train", "--digit", "7"])
    >>> args.command, args.digit, args.learning_rate, args.max_iter
    ('train', 7, 1e-05, 200)
    """
    parser = ArgumentParser(
        prog=PROG,
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction, help="show versions")
    add_debug_option(parser, default=False)
    commands = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", required=True
    )
    for command in (train, predict, evaluate):
        command.add_parser(commands)
    return parser


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
        stderr), 130 whenever Ctrl-C was pressed, 143 after SIGTERM (the files
        being written removed), 1 for an unexpected error (a bug). Wrong
        arguments exit with status 2 (``SystemExit``) after one line, as
        ``--help`` and ``--version`` exit with 0.

    Examples
    --------
    >>> from skdigit.cli import main
    >>> main(["predict", "no-such-model.skops", "digit.png"])
    2
    """
    args = build_parser().parse_args(argv)
    with handled_signals() as signals:
        status = _run(args)
    if signals.interrupted and status != EXIT_INTERRUPTED:
        # A Ctrl-C that Python swallowed (in a finalizer) still counts.
        error_line("interrupted")
        return EXIT_INTERRUPTED
    return status


def _run(args):
    """Run the command; its errors as one line and an exit status."""
    with warnings.catch_warnings():
        warnings.showwarning = show_warning
        try:
            return args.run(args)
        except KeyboardInterrupt:
            if args.debug:
                raise
            error_line("interrupted")
            return EXIT_INTERRUPTED
        except Terminated:
            error_line("terminated (SIGTERM)")
            return EXIT_TERMINATED
        except BrokenPipeError:
            # The reader went away (``skdigit train | head``): stop quietly, and
            # keep Python from complaining again when it flushes stdout at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_BROKEN_PIPE
        except (CommandError, OSError, ValueError, ImportError) as exc:
            if args.debug:
                raise
            error_line(one_line(exc))
            return EXIT_ERROR
        except Exception as exc:
            if args.debug:
                raise
            error_line(bug_line(exc))
            return EXIT_BUG
