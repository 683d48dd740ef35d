"""Folders: each contains media of one kind, and names are unique per seller and kind, ignoring case."""

from __future__ import annotations

import logging
import uuid

import psycopg
from psycopg_pool import ConnectionPool

from services.catalogue.errors import folder_not_found, parse_id, seller_id_of, seller_not_found
from services.catalogue.names import clean_folder_name
from services.catalogue.records import FolderRecord
from services.catalogue.repository import constraint_of
from services.catalogue.repository import folders as folder_rows
from services.catalogue.repository import sellers as seller_rows
from services.runtime.errors import AlreadyExists, FailedPrecondition

logger = logging.getLogger(__name__)


def folder_id_of(value: str) -> uuid.UUID:
    """Parse a folder id; a malformed id is reported like an unknown folder."""
    return parse_id(value, field="folder_id", not_found=folder_not_found(value))


def _name_taken(name: str, kind: str) -> AlreadyExists:
    return AlreadyExists(
        "folder_name_taken",
        f'You already have {"an" if kind == "image" else "a"} {kind} folder named "{name}" '
        "(names ignore case and surrounding spaces): choose another name.",
        field_violations=[("name", f"is already used by another {kind} folder")],
        metadata={"name": name, "kind": kind},
    )


class Folders:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def list(self, seller_id_text: str, kind: str | None) -> list[FolderRecord]:
        seller_id = seller_id_of(seller_id_text)
        with self._pool.connection() as connection:
            folders = folder_rows.list_folders(connection, seller_id, kind)
            if not folders and seller_rows.get_seller(connection, seller_id) is None:
                raise seller_not_found(seller_id_text)
        return folders

    def create(self, seller_id_text: str, name: str, kind: str) -> FolderRecord:
        seller_id = seller_id_of(seller_id_text)
        clean_name = clean_folder_name(name)
        try:
            with self._pool.connection() as connection, connection.transaction():
                if seller_rows.get_seller(connection, seller_id) is None:
                    raise seller_not_found(seller_id_text)
                folder = folder_rows.insert_folder(connection, uuid.uuid4(), seller_id, clean_name, kind)
        except psycopg.errors.UniqueViolation as error:
            if constraint_of(error) != folder_rows.FOLDER_NAME_CONSTRAINT:
                raise
            raise _name_taken(clean_name, kind) from None
        logger.info("folder created", extra={"seller_id": str(seller_id), "folder_id": str(folder.id)})
        return folder

    def rename(self, seller_id_text: str, folder_id_text: str, name: str) -> FolderRecord:
        seller_id = seller_id_of(seller_id_text)
        folder_id = folder_id_of(folder_id_text)
        clean_name = clean_folder_name(name)
        try:
            with self._pool.connection() as connection, connection.transaction():
                folder = folder_rows.rename_folder(connection, seller_id, folder_id, clean_name)
                if folder is None:
                    raise folder_not_found(folder_id_text)
        except psycopg.errors.UniqueViolation as error:
            if constraint_of(error) != folder_rows.FOLDER_NAME_CONSTRAINT:
                raise
            with self._pool.connection() as connection:
                existing = folder_rows.get_folder(connection, seller_id, folder_id)
            raise _name_taken(clean_name, existing.kind if existing else "media") from None
        logger.info("folder renamed", extra={"seller_id": str(seller_id), "folder_id": str(folder_id)})
        return folder

    def delete(self, seller_id_text: str, folder_id_text: str) -> None:
        """Delete an empty folder that is not a default folder."""
        seller_id = seller_id_of(seller_id_text)
        folder_id = folder_id_of(folder_id_text)
        with self._pool.connection() as connection, connection.transaction():
            # Uploads and moves lock the seller row before they add to a folder, so this lock keeps
            # the folder empty until it is gone.
            if seller_rows.get_seller(connection, seller_id, for_update=True) is None:
                raise folder_not_found(folder_id_text)
            folder = folder_rows.get_folder(connection, seller_id, folder_id, for_update=True)
            if folder is None:
                raise folder_not_found(folder_id_text)
            if folder.is_default:
                raise FailedPrecondition(
                    "default_folder",
                    f'"{folder.name}" is the default {folder.kind} folder and cannot be deleted:'
                    " rename it instead if you want another name.",
                    metadata={"folder_id": str(folder_id)},
                )
            if folder.item_count > 0:
                raise FailedPrecondition(
                    "folder_not_empty",
                    f'Folder "{folder.name}" contains {folder.item_count} media '
                    f"{'item' if folder.item_count == 1 else 'items'}: move or delete them, then delete the folder.",
                    metadata={"folder_id": str(folder_id), "item_count": str(folder.item_count)},
                )
            folder_rows.delete_folder(connection, seller_id, folder_id)
        logger.info("folder deleted", extra={"seller_id": str(seller_id), "folder_id": str(folder_id)})
