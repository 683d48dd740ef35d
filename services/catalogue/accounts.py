"""Sellers, their quotas and their API keys."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from dataclasses import dataclass

from psycopg_pool import ConnectionPool

from services.catalogue.errors import parse_id, seller_id_of, seller_not_found
from services.catalogue.records import IMAGE, VIDEO, SellerRecord
from services.catalogue.repository import folders as folder_rows
from services.catalogue.repository import sellers as seller_rows
from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound, Unauthenticated

logger = logging.getLogger(__name__)

# Every key starts with this prefix, so a key pasted in the wrong place is easy to recognise.
API_KEY_PREFIX = "mc_"
# 32 random bytes, URL-safe base64 without padding: 43 characters.
_API_KEY_PATTERN = re.compile(r"^mc_[A-Za-z0-9_-]{43}$")
# Characters of the key stored in clear next to its hash, so an operator can tell keys apart.
_STORED_PREFIX_CHARS = 7
MAX_SELLER_NAME_CHARS = 200
DEFAULT_FOLDER_NAMES = {IMAGE: "Images", VIDEO: "Videos"}


@dataclass(frozen=True)
class NewKey:
    key_id: uuid.UUID
    api_key: str


def _hash_key(api_key: str) -> bytes:
    return hashlib.sha256(api_key.encode("ascii")).digest()


def _new_key() -> tuple[str, bytes]:
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return api_key, _hash_key(api_key)


class Accounts:
    """Creates sellers and keys, authenticates keys and reads or sets capacity."""

    def __init__(self, pool: ConnectionPool, default_quota_bytes: int) -> None:
        self._pool = pool
        self._default_quota_bytes = default_quota_bytes

    def create_seller(self, name: str, quota_bytes: int) -> tuple[SellerRecord, NewKey]:
        """Create a seller with a default image folder, a default video folder and a first key."""
        clean_name = name.strip()
        if not clean_name or len(clean_name) > MAX_SELLER_NAME_CHARS:
            raise InvalidArgument(
                "invalid_seller_name",
                f"The seller name must have 1 to {MAX_SELLER_NAME_CHARS} characters; it has {len(clean_name)}.",
                field_violations=[("name", f"must contain 1 to {MAX_SELLER_NAME_CHARS} characters")],
            )
        if quota_bytes < 0:
            raise InvalidArgument(
                "invalid_quota",
                f"The quota {quota_bytes} is negative: give a number of bytes, or 0 for the default.",
                field_violations=[("quota_bytes", "must be 0 (the default) or a positive number of bytes")],
            )
        seller_id = uuid.uuid4()
        key_id = uuid.uuid4()
        api_key, key_hash = _new_key()
        with self._pool.connection() as connection, connection.transaction():
            seller = seller_rows.insert_seller(connection, seller_id, clean_name, quota_bytes or self._default_quota_bytes)
            for kind, folder_name in DEFAULT_FOLDER_NAMES.items():
                folder_rows.insert_folder(connection, uuid.uuid4(), seller_id, folder_name, kind, is_default=True)
            seller_rows.insert_api_key(connection, key_id, seller_id, key_hash, api_key[:_STORED_PREFIX_CHARS])
        logger.info("seller created", extra={"seller_id": str(seller_id), "quota_bytes": seller.quota_bytes})
        return seller, NewKey(key_id, api_key)

    def set_quota(self, seller_id_text: str, quota_bytes: int) -> SellerRecord:
        """Change a seller's quota; FAILED_PRECONDITION when it would be below the bytes in use."""
        seller_id = seller_id_of(seller_id_text)
        if quota_bytes < 1:
            raise InvalidArgument(
                "invalid_quota",
                f"The quota {quota_bytes} is too small: give at least 1 byte.",
                field_violations=[("quota_bytes", "must be at least 1")],
            )
        with self._pool.connection() as connection, connection.transaction():
            seller = seller_rows.get_seller(connection, seller_id, for_update=True)
            if seller is None:
                raise seller_not_found(seller_id_text)
            if quota_bytes < seller.used_bytes:
                raise FailedPrecondition(
                    "quota_below_usage",
                    f"The new quota of {quota_bytes} bytes is below the {seller.used_bytes} bytes already used:"
                    " delete media first or choose a larger quota.",
                    metadata={"used_bytes": str(seller.used_bytes), "quota_bytes": str(quota_bytes)},
                )
            updated = seller_rows.set_quota(connection, seller_id, quota_bytes)
        logger.info("quota changed", extra={"seller_id": str(seller_id), "quota_bytes": quota_bytes})
        return updated

    def create_api_key(self, seller_id_text: str) -> NewKey:
        seller_id = seller_id_of(seller_id_text)
        key_id = uuid.uuid4()
        api_key, key_hash = _new_key()
        with self._pool.connection() as connection, connection.transaction():
            if seller_rows.get_seller(connection, seller_id) is None:
                raise seller_not_found(seller_id_text)
            seller_rows.insert_api_key(connection, key_id, seller_id, key_hash, api_key[:_STORED_PREFIX_CHARS])
        logger.info("API key created", extra={"seller_id": str(seller_id), "api_key_id": str(key_id)})
        return NewKey(key_id, api_key)

    def revoke_api_key(self, key_id_text: str) -> None:
        not_found = NotFound(
            "api_key_not_found",
            f"API key {key_id_text} not found: give the key id returned when the key was created.",
            metadata={"api_key_id": key_id_text},
        )
        key_id = parse_id(key_id_text, field="api_key_id", not_found=not_found)
        with self._pool.connection() as connection:
            if not seller_rows.revoke_api_key(connection, key_id):
                raise not_found
        logger.info("API key revoked", extra={"api_key_id": str(key_id)})

    def authenticate(self, api_key: str) -> tuple[uuid.UUID, uuid.UUID]:
        """Return (seller id, key id) for an active key; UNAUTHENTICATED otherwise."""
        if not _API_KEY_PATTERN.match(api_key.strip()):
            raise Unauthenticated(
                "malformed_api_key",
                'The API key is malformed: a key starts with "mc_" followed by 43 characters.'
                " Send it as `Authorization: Bearer <key>`, exactly as it was printed.",
            )
        with self._pool.connection() as connection:
            found = seller_rows.find_active_key(connection, _hash_key(api_key.strip()))
        if found is None:
            raise Unauthenticated(
                "invalid_api_key",
                "The API key is unknown or has been revoked: create a new key for the seller and use that.",
            )
        key_id, seller_id = found
        return seller_id, key_id

    def capacity(self, seller_id_text: str) -> tuple[int, int]:
        """Return (used_bytes, quota_bytes)."""
        seller_id = seller_id_of(seller_id_text)
        with self._pool.connection() as connection:
            capacity = seller_rows.get_capacity(connection, seller_id)
        if capacity is None:
            raise seller_not_found(seller_id_text)
        return capacity
