"""`python -m services.listing --migrate-only` brings the schema up to date and exits."""

from __future__ import annotations

from tests.support.migrate_only import run_migrate_only


def test_migrate_only_creates_schema_and_exits(database_url):
    result, tables = run_migrate_only("listing", database_url, catalogue="127.0.0.1:1")

    assert result.returncode == 0, result.stderr
    assert {"listings", "listing_media", "schema_migrations"} <= tables
