"""Errors the catalogue raises in several places, worded once.

A foreign id and an unknown id produce the same error, so a seller learns
nothing about another seller's data.
"""

from __future__ import annotations

import uuid

from services.runtime.errors import InvalidArgument, NotFound


def parse_id(value: str, *, field: str, not_found: NotFound | None = None) -> uuid.UUID:
    """Parse a UUID; a malformed value raises ``not_found`` when given, else INVALID_ARGUMENT naming the field."""
    try:
        return uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        if not_found is not None:
            raise not_found from None
        raise InvalidArgument(
            "invalid_id",
            f"{field} {value!r} is not a valid id: send the UUID returned when the item was created.",
            field_violations=[(field, "must be a UUID such as 7f1c0a9e-3b1d-4c55-9a57-2f3b9c7d1e42")],
        ) from None


def seller_not_found(seller_id: object) -> NotFound:
    return NotFound(
        "seller_not_found",
        f"Seller {seller_id} not found: check the seller id.",
        metadata={"seller_id": str(seller_id)},
    )


def folder_not_found(folder_id: object) -> NotFound:
    return NotFound(
        "folder_not_found",
        f"Folder {folder_id} not found: list the folders to get a current id.",
        metadata={"folder_id": str(folder_id)},
    )


def media_not_found(media_id: object) -> NotFound:
    return NotFound(
        "media_not_found",
        f"Media item {media_id} not found: it may have been deleted; search the library for a current id.",
        metadata={"media_id": str(media_id)},
    )


def seller_id_of(value: str) -> uuid.UUID:
    """Parse the seller id of a request; a malformed id is reported like an unknown seller."""
    return parse_id(value, field="seller_id", not_found=seller_not_found(value))
