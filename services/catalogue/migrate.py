"""Versioned SQL migrations, applied at start-up.

Files in migrations/ are named NNNN_name.sql and applied in version order. All
pending files run in one transaction under a transaction-scoped advisory lock,
so replicas that start at the same time apply each version once: the others
wait for the lock, then find nothing left to do.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SCHEMA = "catalogue"
# Advisory lock key of the catalogue's migrations (any fixed 64-bit number; this is "catalog" in ASCII).
MIGRATION_LOCK_KEY = 0x636174616C6F67
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def find_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Return the migration files in version order; raise on a badly named file or a repeated version."""
    migrations = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise ValueError(f"Migration file {path.name} is badly named: use NNNN_name.sql (lowercase).")
        migrations.append(Migration(int(match.group(1)), match.group(2), path))
    versions = [migration.version for migration in migrations]
    if len(set(versions)) != len(versions):
        raise ValueError(f"Migration versions repeat in {folder}: each NNNN prefix must be unique.")
    return migrations


def apply_migrations(database_url: str, folder: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply every pending migration in one transaction and return the versions applied."""
    migrations = find_migrations(folder)
    started = time.perf_counter()
    with psycopg.connect(database_url) as connection, connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        connection.execute(f"SET LOCAL search_path TO {SCHEMA}, public")
        connection.execute(
            f"""
                CREATE TABLE IF NOT EXISTS {SCHEMA}.schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """
        )
        applied = {row[0] for row in connection.execute(f"SELECT version FROM {SCHEMA}.schema_migrations")}
        done = []
        for migration in migrations:
            if migration.version in applied:
                continue
            connection.execute(migration.path.read_text(encoding="utf-8"))
            connection.execute(
                f"INSERT INTO {SCHEMA}.schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            done.append(migration.version)
    logger.info(
        "database schema is current",
        extra={"applied_versions": done, "elapsed_ms": round((time.perf_counter() - started) * 1000)},
    )
    return done
