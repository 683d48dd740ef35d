"""SQL for sellers and API keys."""

from __future__ import annotations

import uuid

import psycopg
from psycopg.rows import class_row

from services.catalogue.records import SellerRecord

_SELLER_COLUMNS = "id, name, quota_bytes, used_bytes, created_at"


def insert_seller(connection: psycopg.Connection, seller_id: uuid.UUID, name: str, quota_bytes: int) -> SellerRecord:
    with connection.cursor(row_factory=class_row(SellerRecord)) as cursor:
        cursor.execute(
            f"INSERT INTO catalogue.sellers (id, name, quota_bytes) VALUES (%s, %s, %s) RETURNING {_SELLER_COLUMNS}",
            (seller_id, name, quota_bytes),
        )
        return cursor.fetchone()


def get_seller(connection: psycopg.Connection, seller_id: uuid.UUID, *, for_update: bool = False) -> SellerRecord | None:
    """Return a seller; with ``for_update`` the row stays locked until the transaction ends."""
    lock = " FOR UPDATE" if for_update else ""
    with connection.cursor(row_factory=class_row(SellerRecord)) as cursor:
        cursor.execute(f"SELECT {_SELLER_COLUMNS} FROM catalogue.sellers WHERE id = %s{lock}", (seller_id,))
        return cursor.fetchone()


def get_capacity(connection: psycopg.Connection, seller_id: uuid.UUID) -> tuple[int, int] | None:
    """Return (used_bytes, quota_bytes) of a seller."""
    row = connection.execute(
        "SELECT used_bytes, quota_bytes FROM catalogue.sellers WHERE id = %s", (seller_id,)
    ).fetchone()
    return (row[0], row[1]) if row else None


def set_quota(connection: psycopg.Connection, seller_id: uuid.UUID, quota_bytes: int) -> SellerRecord:
    with connection.cursor(row_factory=class_row(SellerRecord)) as cursor:
        cursor.execute(
            f"UPDATE catalogue.sellers SET quota_bytes = %s WHERE id = %s RETURNING {_SELLER_COLUMNS}",
            (quota_bytes, seller_id),
        )
        return cursor.fetchone()


def add_used_bytes(connection: psycopg.Connection, seller_id: uuid.UUID, delta: int) -> None:
    connection.execute(
        "UPDATE catalogue.sellers SET used_bytes = used_bytes + %s WHERE id = %s", (delta, seller_id)
    )


def insert_api_key(
    connection: psycopg.Connection, key_id: uuid.UUID, seller_id: uuid.UUID, key_hash: bytes, key_prefix: str
) -> None:
    connection.execute(
        "INSERT INTO catalogue.api_keys (id, seller_id, key_hash, key_prefix) VALUES (%s, %s, %s, %s)",
        (key_id, seller_id, key_hash, key_prefix),
    )


def find_active_key(connection: psycopg.Connection, key_hash: bytes) -> tuple[uuid.UUID, uuid.UUID] | None:
    """Return (key id, seller id) of a key that is not revoked."""
    row = connection.execute(
        "SELECT id, seller_id FROM catalogue.api_keys WHERE key_hash = %s AND revoked_at IS NULL", (key_hash,)
    ).fetchone()
    return (row[0], row[1]) if row else None


def revoke_api_key(connection: psycopg.Connection, key_id: uuid.UUID) -> bool:
    """Mark a key revoked (keeping the first revocation time); return False for an unknown key."""
    row = connection.execute(
        "UPDATE catalogue.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = %s RETURNING id",
        (key_id,),
    ).fetchone()
    return row is not None
