"""The command as a whole: entry points, help, argument errors, --debug."""

import os
import shutil
import subprocess
import sys

import pytest

import skdigit
from skdigit.cli import build_parser, main

from .helpers import run_cli


def test_python_m_and_the_console_script(empty_data_home):
    result = run_cli("--help", data_home=empty_data_home)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: skdigit ")
    for command in ["train", "predict", "evaluate", "examples:"]:
        assert command in result.stdout
    script = shutil.which("skdigit", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the skdigit console script is not installed next to python")
    version = subprocess.run(
        [script, "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.returncode == 0
    assert version.stdout.startswith(f"skdigit {skdigit.__version__}")


@pytest.mark.parametrize(
    "command, expected",
    [
        ("train", ["--learning-rate LR", "(default: 1e-05)", "(default: 200)"]),
        ("train", ["--split-test-set N", "--no-download", "examples:"]),
        ("predict", ["IMAGE [IMAGE ...]", "--invert", "--json"]),
        ("evaluate", ["MODEL", "--data-dir DIR", "example:"]),
    ],
)
def test_help_of_each_command(command, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for text in expected:
        assert text in out


def test_build_parser_defaults_are_the_notebook():
    args = build_parser().parse_args(["train"])
    assert (args.digit, args.learning_rate, args.max_iter) == (4, 1e-5, 200)
    assert (args.alpha, args.scale, args.all_digits) == (0.0, False, False)


@pytest.mark.parametrize(
    "argv, prog, message",
    [
        ([], "skdigit", "the following arguments are required: COMMAND"),
        (["trian"], "skdigit", "argument COMMAND: invalid choice: 'trian'"),
        (["train", "--max-iter", "0"], "skdigit train", "must be at least 1, got 0"),
        (["train", "--digit", "12"], "skdigit train", "argument --digit"),
        (["train", "--learning-rate", "fast"], "skdigit train", "must be a number"),
        (["train", "--timeout", "1e10"], "skdigit train", "at most 3600 seconds"),
        (["evaluate", "m", "--timeout", "0"], "skdigit evaluate", "more than 0"),
        (["predict", "model.skops"], "skdigit predict", "required: IMAGE"),
        (["evaluate", "--bogus", "m"], "skdigit", "unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_take_one_line_and_exit_2(argv, prog, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    error, hint = captured.err.splitlines()
    assert error.startswith(f"{prog}: error: ") and message in error
    assert hint == f'Run "{prog} --help" to see the options.'


def test_usage_errors_of_the_installed_command(empty_data_home):
    result = run_cli("train", "--max-iter", "-3", data_home=empty_data_home)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "skdigit train: error: argument --max-iter: must be at least 1, got -3",
        'Run "skdigit train --help" to see the options.',
    ]


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(FileNotFoundError):
        main(["predict", "--debug", str(tmp_path / "nope.skops"), "x.png"])
    with pytest.raises(FileNotFoundError):
        main(["--debug", "predict", str(tmp_path / "nope.skops"), "x.png"])
