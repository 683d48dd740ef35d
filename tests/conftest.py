"""Fixtures shared by every test folder: a real PostgreSQL and free ports."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from services.devstack.postgres import EmbeddedPostgres

# Set this to run the database tests against an external server instead of the embedded one.
EXTERNAL_DATABASE_VARIABLE = "MEDIACENTER_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yield the URL of a PostgreSQL server for the whole test session (embedded unless configured)."""
    external = os.environ.get(EXTERNAL_DATABASE_VARIABLE)
    if external:
        yield external
        return
    server = EmbeddedPostgres(Path(tmp_path_factory.mktemp("postgres")) / "data")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def database_url(postgres_server: str) -> Iterator[str]:
    """Yield the URL of a new, empty database, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = postgres_server.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def running_stack(tmp_path_factory: pytest.TempPathFactory):
    """Yield the whole product (every process, started as the embedded run does) for the session."""
    from tests.support.stack import stack_fixture

    yield from stack_fixture(tmp_path_factory)
