"""Benchmark of the catalogue's read queries on a large library, with and without its indexes.

Fills a private PostgreSQL with generated media records (generate_series SQL,
no uploads), then times the service's own SQL for a name search, a one-day
filter, a deep page and the capacity read. The same queries run again after
the catalogue's secondary indexes are dropped, and the ratio is printed. The
name search is also timed at 10,000 items of the seller, before the rest is
loaded, to show how it grows with the library. That small library is timed
twice: alone in the database, and after the other sellers' items are loaded.

    .venv/bin/python -m bench.catalogue_bench --items 1000000 --other-sellers 1000

Figures go to docs/benchmarks.md under "Catalogue".
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from services.catalogue.migrate import apply_migrations
from services.catalogue.repository import media as media_rows
from services.catalogue.repository import sellers as seller_rows
from services.devstack.postgres import EmbeddedPostgres

SMALL_LIBRARY = 10_000
PAGE = 51  # the service asks for one row more than the default page of 50
# Indexes the service adds for reads; the primary keys stay when they are dropped.
READ_INDEXES = (
    "media_live_newest",
    "media_live_folder_newest",
    "media_live_name_trgm",
    "media_live_sha256",
    "media_live_blob_key",
    "media_live_preview_blob_key",
)
# Names are built from these words, so a query word matches a known share of the items.
COLOURS = ["red", "blue", "green", "black", "white", "beige", "navy", "olive", "coral", "grey"]
PRODUCTS = ["sneaker", "boot", "sandal", "loafer", "jacket", "scarf", "bag", "belt", "hat", "sock", "glove", "dress"]
VIEWS = ["front", "side", "back", "detail", "top", "sole", "label"]
START = datetime(2025, 1, 1, tzinfo=UTC)
# One item every 30 seconds: a million items span about 347 days.
SPACING_SECONDS = 30

_INSERT_ITEMS = """
INSERT INTO catalogue.media (id, seller_id, folder_id, name, name_folded, file_name, kind, format, mime_type,
    byte_size, width, height, sha256, blob_key, preview_blob_key, created_at)
SELECT gen_random_uuid(), s.id, f.id, n.name, lower(n.name), replace(n.name, ' ', '-'), 'image', 'jpeg',
    'image/jpeg', 100000 + (i %% 900000), 1200, 1200, n.sha, s.id || '/' || n.sha || '.jpg',
    s.id || '/' || n.sha || '.webp', %(start)s + make_interval(secs => i * %(spacing)s::int)
FROM catalogue.sellers s
JOIN catalogue.folders f ON f.seller_id = s.id AND f.kind = 'image' AND f.is_default
CROSS JOIN generate_series(%(first)s::bigint, %(last)s::bigint) AS i
CROSS JOIN LATERAL (SELECT
    (%(colours)s::text[])[1 + i %% 10] || '-' || (%(products)s::text[])[1 + (i / 10) %% 12] || '_'
        || (%(views)s::text[])[1 + (i / 120) %% 7] || ' ' || i || '.jpg' AS name,
    encode(sha256((s.id::text || ':' || i)::bytea), 'hex') AS sha) AS n
WHERE s.id = ANY(%(sellers)s)
"""


def _add_sellers(connection: psycopg.Connection, count: int) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO catalogue.sellers (id, name, quota_bytes) VALUES (%s, %s, %s)",
            [(seller_id, f"seller {n}", 1 << 50) for n, seller_id in enumerate(ids)],
        )
        cursor.executemany(
            "INSERT INTO catalogue.folders (id, seller_id, name, kind, is_default) VALUES (%s, %s, 'Images', 'image', true)",
            [(uuid.uuid4(), seller_id) for seller_id in ids],
        )
    return ids


def _add_items(connection: psycopg.Connection, sellers: list[uuid.UUID], first: int, last: int) -> None:
    """Give each seller items numbered first..last, then bring used_bytes and item counts up to date."""
    connection.execute(
        _INSERT_ITEMS,
        {
            "start": START,
            "spacing": SPACING_SECONDS,
            "first": first,
            "last": last,
            "colours": COLOURS,
            "products": PRODUCTS,
            "views": VIEWS,
            "sellers": sellers,
        },
    )
    connection.execute(
        "UPDATE catalogue.sellers s SET used_bytes = t.total FROM"
        " (SELECT seller_id, sum(byte_size) AS total FROM catalogue.media WHERE deleted_at IS NULL GROUP BY seller_id) t"
        " WHERE s.id = t.seller_id AND s.id = ANY(%s)",
        (sellers,),
    )
    connection.execute(
        "UPDATE catalogue.folders f SET item_count = t.items FROM"
        " (SELECT folder_id, count(*) AS items FROM catalogue.media WHERE deleted_at IS NULL GROUP BY folder_id) t"
        " WHERE f.id = t.folder_id AND f.seller_id = ANY(%s)",
        (sellers,),
    )
    connection.execute("ANALYZE catalogue.sellers")


def _time(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Run once to warm the cache, then ``repeat`` times; return (p50, p95) in milliseconds."""
    run()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def _queries(connection: psycopg.Connection, seller_id: uuid.UUID, items: int) -> dict[str, Callable[[], object]]:
    """Return the measured queries, each as the service runs it (the repository's SQL)."""
    middle_day = (START + timedelta(seconds=SPACING_SECONDS * items // 2)).replace(hour=0, minute=0, second=0)
    deep = connection.execute(
        "SELECT created_at, id FROM catalogue.media WHERE seller_id = %s AND deleted_at IS NULL"
        " ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1",
        (seller_id, items // 2),
    ).fetchone()

    def search(**conditions):
        return lambda: media_rows.search_media(
            connection, media_rows.SearchFilter(seller_id=seller_id, **conditions), PAGE
        )

    return {
        'name "sneak side"': search(name_tokens=["sneak", "side"]),
        'name "olive-boot_label 4"': search(name_tokens=["olive", "boot", "label", "4"]),
        "one day": search(created_from=middle_day, created_before=middle_day + timedelta(days=1)),
        "deep page": search(after=(deep[0], deep[1])),
        "capacity": lambda: seller_rows.get_capacity(connection, seller_id),
    }


def _measure(connection, seller_id, items, repeat) -> dict[str, tuple[float, float]]:
    return {name: _time(run, repeat) for name, run in _queries(connection, seller_id, items).items()}


def _read_index_definitions(connection: psycopg.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'catalogue' AND indexname = ANY(%s)",
        (list(READ_INDEXES),),
    ).fetchall()
    return [row[0] for row in rows]


def _drop_read_indexes(connection: psycopg.Connection) -> None:
    for index in READ_INDEXES:
        connection.execute(f"DROP INDEX IF EXISTS catalogue.{index}")
    connection.execute("ANALYZE catalogue.media")


def _create_indexes(connection: psycopg.Connection, definitions: list[str]) -> None:
    for definition in definitions:
        connection.execute(definition)
    connection.execute("ANALYZE catalogue.media")


def run(database_url: str, items: int, other_sellers: int, other_items: int, repeat: int, slow_repeat: int) -> None:
    apply_migrations(database_url)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("SET maintenance_work_mem = '1GB'")
        # The generated rows are consistent by construction, so the load skips the per-row
        # foreign key triggers (a superuser setting of this session only).
        connection.execute("SET session_replication_role = replica")
        # Bulk loads run without the read indexes, which are then built in one pass each.
        definitions = _read_index_definitions(connection)
        _drop_read_indexes(connection)
        started = time.perf_counter()
        main_seller = _add_sellers(connection, 1)[0]
        small = min(SMALL_LIBRARY, items)
        _add_items(connection, [main_seller], 1, small)
        _create_indexes(connection, definitions)
        at_small_alone = _time(_queries(connection, main_seller, small)['name "sneak side"'], repeat)

        # The same small library again once the other sellers' items are in the database, as a
        # seller's library grows in a shared database.
        _drop_read_indexes(connection)
        per_other = other_items // other_sellers if other_sellers else 0
        if per_other:
            others = _add_sellers(connection, other_sellers)
            _add_items(connection, others, 1, per_other)
        _create_indexes(connection, definitions)
        at_small_shared = _time(_queries(connection, main_seller, small)['name "sneak side"'], repeat)

        _drop_read_indexes(connection)
        if items > small:
            _add_items(connection, [main_seller], small + 1, items)
        loaded = time.perf_counter()
        _create_indexes(connection, definitions)
        total = connection.execute("SELECT count(*) FROM catalogue.media").fetchone()[0]
        print(f"loaded {total} records ({items} for the measured seller, {per_other} for each of"
              f" {other_sellers} others) in {loaded - started:.0f} s, indexes built in"
              f" {time.perf_counter() - loaded:.0f} s")

        connection.execute("SET session_replication_role = DEFAULT")
        indexed = _measure(connection, main_seller, items, repeat)
        _drop_read_indexes(connection)
        bare = _measure(connection, main_seller, items, slow_repeat)

    print(f"\n{'query':28} {'p50 ms':>9} {'p95 ms':>9} {'no-index p50':>13} {'no-index p95':>13} {'p95 ratio':>10}")
    for name, (p50, p95) in indexed.items():
        bare_p50, bare_p95 = bare[name]
        print(f"{name:28} {p50:9.2f} {p95:9.2f} {bare_p50:13.2f} {bare_p95:13.2f} {bare_p95 / p95:9.1f}x")
    name_p95 = indexed['name "sneak side"'][1]
    print(f'\nname "sneak side" p95 at {small} items of the seller, then at {items}:')
    for label, (_p50, p95) in (
        ("with the other sellers' items in the database", at_small_shared),
        ("alone in the database", at_small_alone),
    ):
        print(f"  {label}: {p95:.2f} ms, then {name_p95:.2f} ms ({name_p95 / p95:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000, help="media records of the measured seller")
    parser.add_argument("--other-sellers", type=int, default=1000, help="number of other sellers")
    parser.add_argument("--other-items", type=int, default=None,
                        help="media records spread over the other sellers (default: the same as --items)")
    parser.add_argument("--repeat", type=int, default=50, help="timed runs of each query with indexes")
    parser.add_argument("--slow-repeat", type=int, default=7, help="timed runs of each query without indexes")
    parser.add_argument("--database-url", default="",
                        help="an empty database to fill (default: a private PostgreSQL in a temporary folder)")
    arguments = parser.parse_args()
    other_items = arguments.items if arguments.other_items is None else arguments.other_items
    if arguments.database_url:
        run(arguments.database_url, arguments.items, arguments.other_sellers, other_items,
            arguments.repeat, arguments.slow_repeat)
        return
    with tempfile.TemporaryDirectory(prefix="catalogue-bench-") as folder:
        server = EmbeddedPostgres(Path(folder) / "data")
        server.start()
        try:
            run(server.url, arguments.items, arguments.other_sellers, other_items,
                arguments.repeat, arguments.slow_repeat)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
