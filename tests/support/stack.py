"""The whole product started the way `make run` starts it, for end-to-end, CLI and browser tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from services.devstack.stack import Stack

EXTERNAL_DATABASE_VARIABLE = "MEDIACENTER_TEST_DATABASE_URL"


def start_stack(var_dir: Path, **environment: str) -> Stack:
    """Start every process on free loopback ports with its data under var_dir."""
    stack = Stack(
        var_dir=var_dir,
        http_port=0,
        database_url=_external_database(var_dir.name),
        extra_environment=environment,
    )
    stack.start()
    return stack


def _external_database(name: str) -> str | None:
    """With an external server configured, give each stack its own database on it."""
    external = os.environ.get(EXTERNAL_DATABASE_VARIABLE)
    if not external:
        return None
    import psycopg

    database = "stack_" + "".join(ch for ch in name.lower() if ch.isalnum())[:40]
    with psycopg.connect(external, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database}"')
    base, _, _ = external.rpartition("/")
    return f"{base}/{database}"


def stack_fixture(tmp_path_factory) -> Iterator[Stack]:
    stack = start_stack(tmp_path_factory.mktemp("stack"))
    try:
        yield stack
    finally:
        stack.stop()
