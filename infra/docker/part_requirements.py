"""Print the requirements of one part of the project, one per line, for `pip install -r`.

Usage: python part_requirements.py PART [PYPROJECT]

The list is the project's base dependencies plus the PART extra, read from
pyproject.toml. The image build installs it with `-c requirements/lock.txt`
before copying the source, so the dependency layer is rebuilt only when
pyproject.toml or the lock changes.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path


def part_requirements(pyproject: Path, part: str) -> list[str]:
    """Return the base dependencies followed by the dependencies of the extra named `part`."""
    project = tomllib.loads(pyproject.read_text())["project"]
    extras = project.get("optional-dependencies", {})
    if part not in extras:
        known = ", ".join(sorted(extras))
        raise SystemExit(f"Unknown part {part!r}: pyproject.toml has the extras {known}.")
    return [*project["dependencies"], *extras[part]]


def main(arguments: list[str]) -> int:
    if len(arguments) not in (1, 2):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    pyproject = Path(arguments[1]) if len(arguments) == 2 else Path("pyproject.toml")
    print("\n".join(part_requirements(pyproject, arguments[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
