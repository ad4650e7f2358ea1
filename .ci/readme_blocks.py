"""Run every Python block and shell command of README.md as a newcomer would.

Each ```python block runs on its own, with a fresh interpreter: a block that needs an
import or data of an earlier block fails here as it would for someone who copies that
block alone. Each ```sh block runs as one bash script (``set -e``). Both run from the
checkout's root, where the README says its commands are run. Output examples
(```text) are not run.

A block preceded by ``<!-- ci: skip (why) -->`` is left out, with the reason printed
(CI runs the install-and-test and docs commands itself); one preceded by
``<!-- ci: run as: COMMAND -->`` runs COMMAND instead, which must be a variant that
the README mentions next to it (a smaller ``--max-iter``, a ``--quick`` run).

Usage::

    python .ci/readme_blocks.py [README.md] [--timeout SECONDS] [--list]

Exits with 1 when any block fails, naming each failure and its output.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\s*$")
DIRECTIVE = re.compile(r"^<!--\s*ci:\s*(skip|run as:)\s*(.*?)\s*-->\s*$")
RUN_LANGUAGES = {"python", "sh", "bash"}


@dataclass
class Block:
    language: str
    line: int
    code: str
    directive: str = ""
    argument: str = ""


def blocks(text):
    """The fenced blocks of a Markdown text, with the ci directive before each."""
    found, lines = [], text.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        start, body = index, []
        index += 1
        while index < len(lines) and not FENCE.match(lines[index]):
            body.append(lines[index])
            index += 1
        directive = _directive_before(lines, start)
        found.append(
            Block(match.group(1), start + 1, "\n".join(body) + "\n", *directive)
        )
        index += 1
    return found


def _directive_before(lines, start):
    for previous in reversed(lines[max(0, start - 3) : start]):
        match = DIRECTIVE.match(previous)
        if match:
            return match.group(1).rstrip(":"), match.group(2)
    return "", ""


def run_block(block, repo, timeout):
    """Run one block; return (ok, seconds, output)."""
    code = block.argument + "\n" if block.directive == "run as" else block.code
    if block.language == "python":
        command = [sys.executable, "-c", code]
    else:
        command = ["bash", "-e", "-o", "pipefail", "-c", code]
    started = time.perf_counter()
    try:
        completed = subprocess.run(
            command,
            cwd=repo,
            env=dict(os.environ, MPLBACKEND="Agg"),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        output = "".join(_text(part) for part in (exc.stdout, exc.stderr))
        return False, time.perf_counter() - started, f"timed out\n{output}"
    seconds = time.perf_counter() - started
    return completed.returncode == 0, seconds, completed.stdout + completed.stderr


def _text(output):
    # A timed-out run's output may come back as bytes even in text mode.
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output or ""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("readme", nargs="?", default="README.md")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--list", action="store_true", help="only list the blocks")
    args = parser.parse_args(argv)
    readme = Path(args.readme).resolve()
    repo = readme.parent
    failures = []
    for block in blocks(readme.read_text(encoding="utf-8")):
        if block.language not in RUN_LANGUAGES:
            continue
        where = f"README.md line {block.line} ({block.language})"
        if block.directive == "skip":
            print(f"-- {where}: skipped, {block.argument}")
            continue
        if args.list:
            print(f"-- {where}: {block.directive or 'verbatim'}")
            continue
        ok, seconds, output = run_block(block, repo, args.timeout)
        print(f"-- {where}: {'ok' if ok else 'FAILED'} in {seconds:.0f} s", flush=True)
        if not ok:
            failures.append(where)
            print(output[-4000:], flush=True)
    if failures:
        print(f"{len(failures)} README block(s) failed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
