"""Migrations applied at start-up, also by several replicas at once."""

from concurrent.futures import ThreadPoolExecutor

import psycopg

from services.catalogue.migrate import apply_migrations, find_migrations


def test_migrations_apply_once(database_url):
    first = apply_migrations(database_url)
    second = apply_migrations(database_url)

    assert first == [migration.version for migration in find_migrations()]
    assert second == []


def test_migrations_from_parallel_replicas(database_url):
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: apply_migrations(database_url), range(4)))

    applied = [versions for versions in results if versions]
    assert len(applied) == 1
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT version FROM catalogue.schema_migrations ORDER BY version").fetchall()
    assert [row[0] for row in rows] == applied[0]
