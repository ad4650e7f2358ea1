"""A benchmark module run as a script in a child process, for the figures it prints."""

import json
import subprocess
import sys


def json_from_child(script, arguments, *, env, timeout, what=None):
    """Run ``python script *arguments`` with ``env``; the JSON of its last output line.

    A failing child raises RuntimeError with the end of its standard error, named
    ``what`` (by default the command line).
    """
    command = [sys.executable, str(script), *(str(argument) for argument in arguments)]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        what = what or " ".join(command)
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
