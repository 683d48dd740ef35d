"""Run a service with --migrate-only in its own process and list the tables of its schema."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg


def run_migrate_only(
    service: str, database_url: str, **addresses: str
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -m services.<service> --migrate-only` and return the process result and the schema's tables.

    Each keyword names a downstream address setting, such as catalogue="127.0.0.1:1". Callers pass a closed
    port, so a migration that tried to call another service would fail.
    """
    environment = {
        **os.environ,
        "MEDIACENTER_DATABASE_URL": database_url,
        **{f"MEDIACENTER_{name.upper()}_ADDRESS": address for name, address in addresses.items()},
    }
    result = subprocess.run(  # noqa: PLW1510 - the caller reads the return code itself
        [sys.executable, "-m", f"services.{service}", "--migrate-only"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (service,)
        ).fetchall()
    return result, {row[0] for row in rows}
