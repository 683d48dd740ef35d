"""SQL for folders."""

from __future__ import annotations

import uuid

import psycopg
from psycopg.rows import class_row

from services.catalogue.records import FolderRecord

_COLUMNS = "id, seller_id, name, kind, is_default, item_count"
FOLDER_NAME_CONSTRAINT = "folders_name_unique"


def insert_folder(
    connection: psycopg.Connection,
    folder_id: uuid.UUID,
    seller_id: uuid.UUID,
    name: str,
    kind: str,
    *,
    is_default: bool = False,
) -> FolderRecord:
    """Insert a folder; raises psycopg.errors.UniqueViolation on FOLDER_NAME_CONSTRAINT for a taken name."""
    with connection.cursor(row_factory=class_row(FolderRecord)) as cursor:
        cursor.execute(
            f"INSERT INTO catalogue.folders (id, seller_id, name, kind, is_default)"
            f" VALUES (%s, %s, %s, %s, %s) RETURNING {_COLUMNS}",
            (folder_id, seller_id, name, kind, is_default),
        )
        return cursor.fetchone()


def get_folder(
    connection: psycopg.Connection, seller_id: uuid.UUID, folder_id: uuid.UUID, *, for_update: bool = False
) -> FolderRecord | None:
    lock = " FOR UPDATE" if for_update else ""
    with connection.cursor(row_factory=class_row(FolderRecord)) as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM catalogue.folders WHERE seller_id = %s AND id = %s{lock}",
            (seller_id, folder_id),
        )
        return cursor.fetchone()


def get_default_folder(connection: psycopg.Connection, seller_id: uuid.UUID, kind: str) -> FolderRecord | None:
    with connection.cursor(row_factory=class_row(FolderRecord)) as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM catalogue.folders WHERE seller_id = %s AND kind = %s AND is_default",
            (seller_id, kind),
        )
        return cursor.fetchone()


def list_folders(connection: psycopg.Connection, seller_id: uuid.UUID, kind: str | None) -> list[FolderRecord]:
    """Return a seller's folders: default folders first (images before videos), then by name."""
    with connection.cursor(row_factory=class_row(FolderRecord)) as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM catalogue.folders"
            " WHERE seller_id = %s AND (%s::text IS NULL OR kind = %s)"
            " ORDER BY is_default DESC, kind, lower(name), name, id",
            (seller_id, kind, kind),
        )
        return cursor.fetchall()


def rename_folder(
    connection: psycopg.Connection, seller_id: uuid.UUID, folder_id: uuid.UUID, name: str
) -> FolderRecord | None:
    """Rename a folder; raises psycopg.errors.UniqueViolation on FOLDER_NAME_CONSTRAINT for a taken name."""
    with connection.cursor(row_factory=class_row(FolderRecord)) as cursor:
        cursor.execute(
            f"UPDATE catalogue.folders SET name = %s WHERE seller_id = %s AND id = %s RETURNING {_COLUMNS}",
            (name, seller_id, folder_id),
        )
        return cursor.fetchone()


def delete_folder(connection: psycopg.Connection, seller_id: uuid.UUID, folder_id: uuid.UUID) -> None:
    connection.execute("DELETE FROM catalogue.folders WHERE seller_id = %s AND id = %s", (seller_id, folder_id))


def add_item_count(connection: psycopg.Connection, folder_id: uuid.UUID, delta: int) -> None:
    connection.execute(
        "UPDATE catalogue.folders SET item_count = item_count + %s WHERE id = %s", (delta, folder_id)
    )
