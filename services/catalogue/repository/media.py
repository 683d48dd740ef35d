"""SQL for media records."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import RowMaker

from services.catalogue.records import MEDIA_COLUMNS, MediaRecord

LIVE_SHA256_CONSTRAINT = "media_live_sha256"


def media_row(_cursor: psycopg.Cursor) -> RowMaker[MediaRecord]:
    """Make MediaRecords from rows that select MEDIA_COLUMNS, in that order."""
    return MediaRecord._make


@dataclass(frozen=True)
class NewMedia:
    """Values of a media record about to be inserted."""

    id: uuid.UUID
    seller_id: uuid.UUID
    # None until the upload transaction picks the default folder of the kind.
    folder_id: uuid.UUID | None
    name: str
    name_folded: str
    file_name: str
    kind: str
    format: str
    mime_type: str
    byte_size: int
    width: int
    height: int
    duration_ms: int
    frame_rate: float
    video_codec: str
    audio_codec: str
    rotation_degrees: int
    has_audio: bool
    sha256: str
    blob_key: str
    preview_blob_key: str


@dataclass(frozen=True)
class SearchFilter:
    """A search over one seller's live media; None means "no condition"."""

    seller_id: uuid.UUID
    name_tokens: Sequence[str] = ()
    kind: str | None = None
    folder_id: uuid.UUID | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None
    after: tuple[datetime, uuid.UUID] | None = None


def insert_media(connection: psycopg.Connection, media: NewMedia) -> MediaRecord:
    """Insert a record; raises psycopg.errors.UniqueViolation on LIVE_SHA256_CONSTRAINT for live duplicates."""
    columns = list(NewMedia.__dataclass_fields__)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor(row_factory=media_row) as cursor:
        cursor.execute(
            f"INSERT INTO catalogue.media ({', '.join(columns)}) VALUES ({placeholders}) RETURNING {MEDIA_COLUMNS}",
            [getattr(media, column) for column in columns],
        )
        return cursor.fetchone()


def get_live_media(connection: psycopg.Connection, seller_id: uuid.UUID, media_id: uuid.UUID) -> MediaRecord | None:
    with connection.cursor(row_factory=media_row) as cursor:
        cursor.execute(
            f"SELECT {MEDIA_COLUMNS} FROM catalogue.media WHERE seller_id = %s AND id = %s AND deleted_at IS NULL",
            (seller_id, media_id),
        )
        return cursor.fetchone()


def get_media_even_deleted(
    connection: psycopg.Connection, seller_id: uuid.UUID, media_id: uuid.UUID
) -> MediaRecord | None:
    with connection.cursor(row_factory=media_row) as cursor:
        cursor.execute(
            f"SELECT {MEDIA_COLUMNS} FROM catalogue.media WHERE seller_id = %s AND id = %s", (seller_id, media_id)
        )
        return cursor.fetchone()


def find_live_by_sha256(connection: psycopg.Connection, seller_id: uuid.UUID, sha256: str) -> MediaRecord | None:
    with connection.cursor(row_factory=media_row) as cursor:
        cursor.execute(
            f"SELECT {MEDIA_COLUMNS} FROM catalogue.media"
            " WHERE seller_id = %s AND sha256 = %s AND deleted_at IS NULL",
            (seller_id, sha256),
        )
        return cursor.fetchone()


def get_live_media_many(
    connection: psycopg.Connection, seller_id: uuid.UUID, media_ids: Sequence[uuid.UUID]
) -> list[MediaRecord]:
    """Return the live records among the ids, in no particular order."""
    with connection.cursor(row_factory=media_row) as cursor:
        cursor.execute(
            f"SELECT {MEDIA_COLUMNS} FROM catalogue.media"
            " WHERE seller_id = %s AND id = ANY(%s) AND deleted_at IS NULL",
            (seller_id, list(media_ids)),
        )
        return cursor.fetchall()


def get_public_media(connection: psycopg.Connection, media_id: uuid.UUID) -> MediaRecord | None:
    """Return a live record by id alone, for public URLs, where the unguessable id is the secret."""
    with connection.cursor(row_factory=media_row) as cursor:
        cursor.execute(
            f"SELECT {MEDIA_COLUMNS} FROM catalogue.media WHERE id = %s AND deleted_at IS NULL", (media_id,)
        )
        return cursor.fetchone()


def update_media(
    connection: psycopg.Connection,
    seller_id: uuid.UUID,
    media_id: uuid.UUID,
    *,
    name: tuple[str, str, str] | None,
    folder_id: uuid.UUID | None,
) -> MediaRecord | None:
    """Set (name, folded name, file name) and/or the folder of a live record; None keeps a value."""
    name_value, folded_value, file_name_value = name if name is not None else (None, None, None)
    with connection.cursor(row_factory=media_row) as cursor:
        cursor.execute(
            "UPDATE catalogue.media SET"
            " name = coalesce(%s, name), name_folded = coalesce(%s, name_folded),"
            " file_name = coalesce(%s, file_name), folder_id = coalesce(%s, folder_id)"
            f" WHERE seller_id = %s AND id = %s AND deleted_at IS NULL RETURNING {MEDIA_COLUMNS}",
            (name_value, folded_value, file_name_value, folder_id, seller_id, media_id),
        )
        return cursor.fetchone()


def soft_delete_media(
    connection: psycopg.Connection, seller_id: uuid.UUID, media_id: uuid.UUID
) -> tuple[int, uuid.UUID] | None:
    """Mark a live record deleted and return its (byte_size, folder_id), or None when there is none."""
    row = connection.execute(
        "UPDATE catalogue.media SET deleted_at = clock_timestamp()"
        " WHERE seller_id = %s AND id = %s AND deleted_at IS NULL RETURNING byte_size, folder_id",
        (seller_id, media_id),
    ).fetchone()
    return (row[0], row[1]) if row else None


def referenced_blob_keys(connection: psycopg.Connection, keys: Sequence[str]) -> set[str]:
    """Return the keys among ``keys`` that a live record uses as its original or its preview."""
    rows = connection.execute(
        "SELECT blob_key FROM catalogue.media WHERE blob_key = ANY(%(keys)s) AND deleted_at IS NULL"
        " UNION"
        " SELECT preview_blob_key FROM catalogue.media"
        " WHERE preview_blob_key = ANY(%(keys)s) AND deleted_at IS NULL",
        {"keys": list(keys)},
    ).fetchall()
    return {row[0] for row in rows}


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so the text matches literally (the escape character is a backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_media(connection: psycopg.Connection, search: SearchFilter, limit: int) -> list[MediaRecord]:
    """Return up to ``limit`` live records matching every condition, newest first, after the keyset position."""
    conditions = ["seller_id = %s", "deleted_at IS NULL"]
    parameters: list[object] = [search.seller_id]
    for token in search.name_tokens:
        conditions.append("name_folded LIKE %s")
        parameters.append(f"%{escape_like(token)}%")
    if search.kind is not None:
        conditions.append("kind = %s")
        parameters.append(search.kind)
    if search.folder_id is not None:
        conditions.append("folder_id = %s")
        parameters.append(search.folder_id)
    if search.created_from is not None:
        conditions.append("created_at >= %s")
        parameters.append(search.created_from)
    if search.created_before is not None:
        conditions.append("created_at < %s")
        parameters.append(search.created_before)
    if search.after is not None:
        conditions.append("(created_at, id) < (%s, %s)")
        parameters.extend(search.after)
    parameters.append(limit)
    with connection.cursor(row_factory=media_row) as cursor:
        # A name search is never a prepared statement, because its best plan depends on the words. A
        # common word is found fastest through the newest-first index and a rare one through the trigram
        # index. The generic plan that PostgreSQL picks after a few runs of a prepared statement cannot
        # tell them apart. Without words the plan is always the newest-first index, so it is prepared.
        cursor.execute(
            f"SELECT {MEDIA_COLUMNS} FROM catalogue.media WHERE {' AND '.join(conditions)}"
            " ORDER BY created_at DESC, id DESC LIMIT %s",
            parameters,
            prepare=False if search.name_tokens else None,
        )
        return cursor.fetchall()
