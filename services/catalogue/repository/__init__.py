"""SQL of the catalogue, one module per table group. Functions take an open connection.

Every query that reads or changes a seller's data is scoped by seller_id.
Parameters always go through placeholders.
"""

from __future__ import annotations

from psycopg_pool import ConnectionPool


def open_pool(database_url: str, max_size: int) -> ConnectionPool:
    """Open a connection pool and wait until its first connection works."""
    pool = ConnectionPool(
        database_url,
        min_size=1,
        max_size=max(1, max_size),
        name="catalogue",
        open=False,
        # Discard connections that broke while idle, for example after a database restart.
        check=ConnectionPool.check_connection,
        # A connection serves many requests, so each request keeps its work in its own transaction.
        kwargs={"autocommit": False},
    )
    pool.open(wait=True, timeout=30.0)
    return pool


def constraint_of(error: Exception) -> str:
    """Return the name of the constraint a psycopg integrity error names, or ""."""
    diagnostic = getattr(error, "diag", None)
    return (getattr(diagnostic, "constraint_name", None) or "") if diagnostic is not None else ""
