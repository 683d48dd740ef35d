"""The connection pool, schema migrations and the translation of database errors to domain errors."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Iterator
from importlib import resources

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from services.runtime.errors import Unavailable

logger = logging.getLogger(__name__)

SCHEMA = "listing"

# Key of the transaction lock that lets one replica at a time apply migrations.
# It is the first 8 bytes of sha256("mediacenter.listing.migrations") as a signed integer.
MIGRATION_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"mediacenter.listing.migrations").digest()[:8], "big", signed=True
)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def open_pool(database_url: str, *, max_size: int, lock_timeout_seconds: float) -> ConnectionPool:
    """Open a pool whose sessions give up waiting for a lock after `lock_timeout_seconds`."""
    lock_timeout_ms = max(1, int(lock_timeout_seconds * 1000))
    pool = ConnectionPool(
        database_url,
        min_size=1,
        max_size=max_size,
        kwargs={"options": f"-c lock_timeout={lock_timeout_ms}"},
        name="listing",
        open=False,
    )
    pool.open(wait=True, timeout=30)
    return pool


def migration_files() -> list[tuple[int, str, str]]:
    """Return (version, file name, SQL) of every migration shipped with the package, in version order."""
    found = []
    for entry in resources.files("services.listing").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _name, _sql in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"Two migration files share a version number: {[name for _v, name, _s in found]}.")
    return found


def apply_migrations(pool: ConnectionPool) -> list[str]:
    """Apply the migrations not applied yet, all in one transaction; return the names applied.

    A transaction-level advisory lock makes replicas that start together wait
    for each other, so each migration runs exactly once.
    """
    started = time.perf_counter()
    applied_now = []
    with pool.connection() as connection, connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        connection.execute(
            f"""
            CREATE TABLE IF NOT EXISTS {SCHEMA}.schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        rows = connection.execute(f"SELECT version FROM {SCHEMA}.schema_migrations").fetchall()
        done = {version for (version,) in rows}
        for version, name, sql in migration_files():
            if version in done:
                continue
            connection.execute(sql)
            connection.execute(
                f"INSERT INTO {SCHEMA}.schema_migrations (version, name) VALUES (%s, %s)", (version, name)
            )
            applied_now.append(name)
    logger.info(
        "database schema up to date",
        extra={"applied": applied_now, "elapsed_ms": round((time.perf_counter() - started) * 1000, 1)},
    )
    return applied_now


def media_lock_key(media_id: str) -> int:
    """Return the advisory lock key that serialises attaching and deleting one media item.

    The key is a 64-bit hash of the id inside a namespace of its own, so it
    does not collide with the keys of other lock users by design.
    """
    digest = hashlib.blake2b(media_id.encode("utf-8"), digest_size=8, person=b"mc.listing.media").digest()
    return int.from_bytes(digest, "big", signed=True)


@contextlib.contextmanager
def translated_errors(action: str) -> Iterator[None]:
    """Turn the database failures a caller can retry into domain errors with a clear message."""
    try:
        yield
    except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected, pg_errors.UniqueViolation) as error:
        logger.warning("%s conflicted with a concurrent change: %s", action, error.sqlstate)
        # Not ABORTED: that code means a stale expected_version to callers of this service.
        raise Unavailable(
            "concurrent_change",
            f"Could not {action} because another request changed the same data at the same time; retry.",
        ) from error
    except pg_errors.LockNotAvailable as error:
        logger.warning("%s timed out waiting for a lock", action)
        raise Unavailable(
            "lock_timeout",
            f"Could not {action} because the data is locked by another request; retry in a moment.",
        ) from error
    except PoolTimeout as error:
        logger.warning("%s found no free database connection", action)
        raise Unavailable(
            "database_busy", f"Could not {action}: every database connection is busy; retry in a moment."
        ) from error
    except psycopg.OperationalError as error:
        logger.error("%s failed to reach the database: %s", action, error)
        raise Unavailable(
            "database_unavailable", f"Could not {action}: the database is unreachable; retry in a moment."
        ) from error
