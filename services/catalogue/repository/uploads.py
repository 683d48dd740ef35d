"""SQL for the first results of uploads sent with an idempotency key."""

from __future__ import annotations

import uuid

import psycopg
from psycopg.rows import class_row

from services.catalogue.records import UploadResultRecord


def get_upload_result(
    connection: psycopg.Connection, seller_id: uuid.UUID, idempotency_key: str
) -> UploadResultRecord | None:
    with connection.cursor(row_factory=class_row(UploadResultRecord)) as cursor:
        cursor.execute(
            "SELECT media_id, duplicate, error_code, error_reason, error_message, rejection"
            " FROM catalogue.upload_results WHERE seller_id = %s AND idempotency_key = %s",
            (seller_id, idempotency_key),
        )
        return cursor.fetchone()


def save_upload_result(
    connection: psycopg.Connection, seller_id: uuid.UUID, idempotency_key: str, result: UploadResultRecord
) -> None:
    """Store the first result for a key; a result already stored for it is kept."""
    connection.execute(
        "INSERT INTO catalogue.upload_results"
        " (seller_id, idempotency_key, media_id, duplicate, error_code, error_reason, error_message, rejection)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (seller_id, idempotency_key) DO NOTHING",
        (
            seller_id,
            idempotency_key,
            result.media_id,
            result.duplicate,
            result.error_code,
            result.error_reason,
            result.error_message,
            result.rejection,
        ),
    )
