"""Print the oldest versions pyproject.toml allows, pinned exactly, one a line.

    python .ci/oldest_requirements.py [EXTRA ...] > oldest.txt
    pip install -c oldest.txt ".[EXTRA,...]"

Every requirement of the project's dependencies and of the named extras (following
"skdigit[...]" references between extras) that has a lower bound ("name>=X") becomes
"name==X", so CI tests the versions the project declares, not just the newest.
"""

import re
import sys
from pathlib import Path

import tomllib  # Python 3.11+: CI runs this with the newest job's Python

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
# name, optional [extras], then a lower bound, possibly followed by ",<upper".
LOWER_BOUND = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(?:\[([^\]]*)\])?\s*>=\s*([^,;\s]+)")
SELF_REFERENCE = re.compile(r"^\s*skdigit\s*\[([^\]]*)\]\s*$")


def requirements(project, extras):
    """The project's requirements and those of ``extras``, each extra read once."""
    found = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    pending, seen = list(extras), set()
    while pending:
        extra = pending.pop()
        if extra in seen:
            continue
        if extra not in optional:
            sys.exit(f"pyproject.toml has no extra {extra!r}: {sorted(optional)}")
        seen.add(extra)
        for requirement in optional[extra]:
            nested = SELF_REFERENCE.match(requirement)
            if nested:
                pending += [name.strip() for name in nested.group(1).split(",")]
            else:
                found.append(requirement)
    return found


def _release(version):
    """``"3.8.4"`` -> ``(3, 8, 4)``, to compare the plain releases used here."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


def oldest_pins(project, extras):
    """``name==X`` for each requirement with a lower bound X, sorted. A package
    required in several places gets the highest of its lower bounds."""
    bounds = {}
    for requirement in requirements(project, extras):
        match = LOWER_BOUND.match(requirement)
        if match is None:
            print(f"no lower bound, left free: {requirement}", file=sys.stderr)
            continue
        name, _, version = match.groups()
        key = name.lower()
        if key not in bounds or _release(version) > _release(bounds[key][1]):
            bounds[key] = (name, version)
    return [f"{name}=={version}" for name, version in sorted(bounds.values())]


if __name__ == "__main__":
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    print("\n".join(oldest_pins(project, sys.argv[1:])))
