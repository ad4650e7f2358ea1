"""What the command prints: results on stdout, one-line errors and warnings on
stderr, and the exit statuses."""

import sys

PROG = "skdigit"
# Exit statuses: 2 for errors the user can fix (bad paths, corrupt files, bad
# arguments: argparse uses 2 too), 130 after Ctrl-C (128 + SIGINT), 143 after
# SIGTERM (128 + SIGTERM), 1 for bugs.
EXIT_OK = 0
EXIT_BUG = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
# 128 + SIGPIPE, what a shell reports for a writer whose reader went away.
EXIT_BROKEN_PIPE = 141


class CommandError(Exception):
    """An error the user can fix, reported as one line with exit status 2."""


def say(*parts, **kwargs):
    """Print a line of results on stdout, at once (a progress bar may follow)."""
    print(*parts, **kwargs, flush=True)


def stderr_is_a_terminal():
    """Whether a person may be watching stderr: progress bars only help then."""
    return sys.stderr is not None and sys.stderr.isatty()


def error_line(message):
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def show_warning(message, category, filename, lineno, file=None, line=None):
    """``warnings.showwarning`` for the command: one line, no source location."""
    print(f"{PROG}: warning: {one_line(message)}", file=sys.stderr, flush=True)


def one_line(exc):
    """The message of ``exc`` on one line, with the file name for OS errors."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    text = str(exc) or type(exc).__name__
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def bug_line(exc, *, during=None):
    """The one line for an exception nobody expected (exit status EXIT_BUG)."""
    during = f" while {during}" if during else ""
    return (
        f"unexpected {type(exc).__name__}{during}: {one_line(exc)} (this is a bug; "
        "run with --debug for the traceback and please report it)"
    )
