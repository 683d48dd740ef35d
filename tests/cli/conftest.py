"""Fixtures for the CLI tests: the fake gateway and a runner of the real `mediacenter` command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.fake_gateway import FakeGateway

MEDIACENTER = Path(sys.executable).with_name("mediacenter")
# Seconds any one command may run before the test fails instead of hanging.
COMMAND_TIMEOUT_SECONDS = 120


@dataclass
class CommandResult:
    exit_code: int
    stdout: str
    stderr: str


def command_environment(var_dir: Path, **variables: str) -> dict[str, str]:
    """Return an environment that points the command at `var_dir` and at nothing else by default."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MEDIACENTER_") and key not in ("COLUMNS", "LINES")
    }
    environment["MEDIACENTER_VAR_DIR"] = str(var_dir)
    # A wide table keeps each result on one line, so tests can find it.
    environment["COLUMNS"] = "250"
    environment.update(variables)
    return environment


def run_command(arguments: list[str], environment: dict[str, str]) -> CommandResult:
    completed = subprocess.run(
        [str(MEDIACENTER), *arguments],
        env=environment,
        check=False,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
    )
    return CommandResult(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def fake_gateway() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    gateway.start()
    try:
        yield gateway
    finally:
        gateway.stop()
