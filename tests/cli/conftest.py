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


@dataclass
class ProductStack:
    """Where the running product listens, whatever shape the shared stack fixture has."""

    base_url: str
    var_dir: Path
    catalogue_address: str
    storage_address: str
    stack: object

    def create_seller(self, name: str, quota_bytes: int | None = None) -> tuple[str, str]:
        return self.stack.create_seller(name, quota_bytes=quota_bytes)


def _address(stack: object, part: str) -> str:
    return getattr(stack, f"{part}_address", None) or stack.address(part)


@pytest.fixture(scope="session")
def product_stack(request: pytest.FixtureRequest) -> ProductStack:
    """The whole product from the shared `running_stack` fixture; the test is skipped without it."""
    try:
        stack = request.getfixturevalue("running_stack")
    except pytest.FixtureLookupError:
        pytest.skip("the shared running_stack fixture is not defined")
    return ProductStack(
        base_url=getattr(stack, "base_url", None) or stack.gateway_url,
        var_dir=Path(stack.var_dir),
        catalogue_address=_address(stack, "catalogue"),
        storage_address=_address(stack, "storage"),
        stack=stack,
    )
