"""Reading, renaming, moving and deleting media records."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from psycopg_pool import ConnectionPool

from services.catalogue.errors import folder_not_found, media_not_found, parse_id, seller_id_of
from services.catalogue.folders import folder_id_of
from services.catalogue.names import clean_display_name, fold_for_search, url_file_name
from services.catalogue.records import MediaRecord
from services.catalogue.repository import folders as folder_rows
from services.catalogue.repository import media as media_rows
from services.catalogue.repository import sellers as seller_rows
from services.catalogue.violations import with_article
from services.runtime.errors import FailedPrecondition, InvalidArgument

logger = logging.getLogger(__name__)

MAX_BATCH_IDS = 1000
MAX_BLOB_KEYS = 1000


def media_id_of(value: str) -> uuid.UUID:
    """Parse a media id; a malformed id is reported like an unknown item."""
    return parse_id(value, field="media_id", not_found=media_not_found(value))


def _parse_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


class MediaLibrary:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def get(self, seller_id_text: str, media_id_text: str) -> MediaRecord:
        seller_id = seller_id_of(seller_id_text)
        media_id = media_id_of(media_id_text)
        with self._pool.connection() as connection:
            media = media_rows.get_live_media(connection, seller_id, media_id)
        if media is None:
            raise media_not_found(media_id_text)
        return media

    def batch_get(self, seller_id_text: str, media_ids: Sequence[str]) -> tuple[list[MediaRecord], list[str]]:
        """Return the live items in the order asked (each once) and the ids that are missing."""
        if len(media_ids) > MAX_BATCH_IDS:
            raise InvalidArgument(
                "too_many_ids",
                f"{len(media_ids)} ids were requested; ask for at most {MAX_BATCH_IDS} per call.",
                field_violations=[("media_ids", f"must contain at most {MAX_BATCH_IDS} ids")],
            )
        seller_id = seller_id_of(seller_id_text)
        parsed = {text: _parse_or_none(text) for text in media_ids}
        wanted = [value for value in parsed.values() if value is not None]
        found: dict[uuid.UUID, MediaRecord] = {}
        if wanted:
            with self._pool.connection() as connection:
                found = {media.id: media for media in media_rows.get_live_media_many(connection, seller_id, wanted)}
        items: list[MediaRecord] = []
        missing: list[str] = []
        seen: set[uuid.UUID] = set()
        for text in media_ids:
            media = found.get(parsed[text]) if parsed[text] is not None else None
            if media is None:
                if text not in missing:
                    missing.append(text)
            elif media.id not in seen:
                seen.add(media.id)
                items.append(media)
        return items, missing

    def update(
        self, seller_id_text: str, media_id_text: str, *, name: str | None, folder_id_text: str | None
    ) -> MediaRecord:
        """Rename and/or move an item to another folder of its kind."""
        seller_id = seller_id_of(seller_id_text)
        media_id = media_id_of(media_id_text)
        folder_id = folder_id_of(folder_id_text) if folder_id_text is not None else None
        clean_name = None
        if name is not None:
            clean_name = clean_display_name(name)
            if not clean_name:
                raise InvalidArgument(
                    "invalid_media_name",
                    "The new name is empty: give a name with at least one visible character.",
                    field_violations=[("name", "must contain at least one visible character")],
                )
        with self._pool.connection() as connection, connection.transaction():
            # The seller lock orders this move against uploads and folder deletes.
            seller_rows.get_seller(connection, seller_id, for_update=True)
            media = media_rows.get_live_media(connection, seller_id, media_id)
            if media is None:
                raise media_not_found(media_id_text)
            if folder_id is not None and folder_id != media.folder_id:
                target = folder_rows.get_folder(connection, seller_id, folder_id)
                if target is None:
                    raise folder_not_found(folder_id_text)
                if target.kind != media.kind:
                    raise FailedPrecondition(
                        "wrong_kind",
                        f'"{media.name}" is {with_article(media.kind)} and folder "{target.name}"'
                        f" contains {target.kind}s: move it to {with_article(media.kind)} folder.",
                        metadata={"media_kind": media.kind, "folder_kind": target.kind, "folder_id": str(folder_id)},
                    )
                folder_rows.add_item_count(connection, media.folder_id, -1)
                folder_rows.add_item_count(connection, folder_id, 1)
            else:
                folder_id = None
            names = None
            if clean_name is not None:
                names = (clean_name, fold_for_search(clean_name), url_file_name(clean_name, media.format))
            updated = media_rows.update_media(connection, seller_id, media_id, name=names, folder_id=folder_id)
        logger.info("media updated", extra={"seller_id": str(seller_id), "media_id": str(media_id)})
        return updated

    def delete(self, seller_id_text: str, media_id_text: str) -> int:
        """Soft-delete an item and free its bytes in the same transaction; return the bytes freed."""
        seller_id = seller_id_of(seller_id_text)
        media_id = media_id_of(media_id_text)
        with self._pool.connection() as connection, connection.transaction():
            if seller_rows.get_seller(connection, seller_id, for_update=True) is None:
                raise media_not_found(media_id_text)
            deleted = media_rows.soft_delete_media(connection, seller_id, media_id)
            if deleted is None:
                raise media_not_found(media_id_text)
            byte_size, folder_id = deleted
            seller_rows.add_used_bytes(connection, seller_id, -byte_size)
            folder_rows.add_item_count(connection, folder_id, -1)
        logger.info(
            "media deleted", extra={"seller_id": str(seller_id), "media_id": str(media_id), "freed_bytes": byte_size}
        )
        return byte_size

    def resolve_public(self, media_id_text: str) -> MediaRecord:
        media_id = media_id_of(media_id_text)
        with self._pool.connection() as connection:
            media = media_rows.get_public_media(connection, media_id)
        if media is None:
            raise media_not_found(media_id_text)
        return media

    def referenced_blob_keys(self, keys: Sequence[str]) -> list[str]:
        """Return the given keys that a live record points at, in the order given."""
        if len(keys) > MAX_BLOB_KEYS:
            raise InvalidArgument(
                "too_many_keys",
                f"{len(keys)} keys were sent; send at most {MAX_BLOB_KEYS} per call.",
                field_violations=[("keys", f"must contain at most {MAX_BLOB_KEYS} keys")],
            )
        if not keys:
            return []
        with self._pool.connection() as connection:
            referenced = media_rows.referenced_blob_keys(connection, keys)
        return [key for key in dict.fromkeys(keys) if key in referenced]
