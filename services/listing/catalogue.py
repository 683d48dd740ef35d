"""The calls this service makes to the catalogue service."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import grpc
from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc
from mediacenter.common.v1 import common_pb2

from services.runtime.errors import ErrorDetails

logger = logging.getLogger(__name__)

# BatchGetMedia accepts at most this many ids per call.
BATCH_GET_LIMIT = 1000

# Catalogue failures that are the caller's to act on, passed on with their code and message.
_PASSED_ON_CODES = frozenset({grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT})


@dataclass(frozen=True)
class MediaLookup:
    """Live media items found by id, and the requested ids the seller has no live item for."""

    found: dict[str, common_pb2.Media]
    missing: frozenset[str]


def is_media_id(value: str) -> bool:
    """Tell whether `value` has the form of a media id: a UUID in canonical lowercase form."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


class CatalogueClient:
    """Looks up and deletes media items of a seller through the catalogue service."""

    def __init__(self, channel: grpc.Channel) -> None:
        self._stub = catalogue_pb2_grpc.CatalogueServiceStub(channel)

    def batch_get_media(self, seller_id: str, media_ids: Iterable[str]) -> MediaLookup:
        """Look up media items; ids that cannot be media ids count as missing without being sent.

        More than 1000 distinct ids are split into several calls, in order. A seller
        the catalogue does not know (NOT_FOUND) has no items, so all its ids are missing.
        """
        requested = list(dict.fromkeys(media_ids))
        missing = {media_id for media_id in requested if not is_media_id(media_id)}
        to_send = [media_id for media_id in requested if media_id not in missing]
        found: dict[str, common_pb2.Media] = {}
        for start in range(0, len(to_send), BATCH_GET_LIMIT):
            chunk = to_send[start : start + BATCH_GET_LIMIT]
            try:
                response = self._stub.BatchGetMedia(
                    catalogue_pb2.BatchGetMediaRequest(seller_id=seller_id, media_ids=chunk)
                )
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.NOT_FOUND:
                    raise
                # The catalogue does not know the seller, so the seller has none of these items.
                logger.info("catalogue does not know seller %r; treating its media ids as missing", seller_id)
                continue
            for media in response.media:
                found[media.id] = media
            missing.update(response.missing_ids)
        missing.update(media_id for media_id in to_send if media_id not in found)
        return MediaLookup(found, frozenset(missing))

    def is_gone(self, seller_id: str, media_id: str) -> bool:
        """Tell whether the catalogue reports the item missing; False when the lookup itself fails."""
        try:
            return media_id in self.batch_get_media(seller_id, [media_id]).missing
        except grpc.RpcError as error:
            logger.warning("could not check whether media %s is gone: %s", media_id, error.code())
            return False

    def delete_media(self, seller_id: str, media_id: str) -> int:
        """Delete a media item and return the bytes freed; NOT_FOUND and INVALID_ARGUMENT pass on unchanged."""
        try:
            response = self._stub.DeleteMedia(
                catalogue_pb2.DeleteMediaRequest(seller_id=seller_id, media_id=media_id)
            )
        except grpc.RpcError as error:
            details = ErrorDetails.from_rpc_error(error)
            if details.code in _PASSED_ON_CODES:
                raise details.to_domain_error() from error
            raise
        return response.freed_bytes
