"""`python -m services.catalogue --migrate-only` brings the schema up to date and exits."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg


def test_migrate_only_creates_schema_and_exits(database_url):
    environment = {
        **os.environ,
        "MEDIACENTER_DATABASE_URL": database_url,
        "MEDIACENTER_VALIDATION_ADDRESS": "127.0.0.1:1",
        "MEDIACENTER_STORAGE_ADDRESS": "127.0.0.1:1",
    }

    result = subprocess.run(  # noqa: PLW1510 - the test reads the return code itself
        [sys.executable, "-m", "services.catalogue", "--migrate-only"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    with psycopg.connect(database_url) as connection:
        tables = {row[0] for row in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'catalogue'"
        )}

    assert result.returncode == 0, result.stderr
    assert {"sellers", "api_keys", "folders", "media", "schema_migrations"} <= tables
