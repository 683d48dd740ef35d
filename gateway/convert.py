"""Protobuf messages to the JSON shapes of the HTTP API, and back for enums."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from google.protobuf import timestamp_pb2
from mediacenter.catalogue.v1 import catalogue_pb2
from mediacenter.common.v1 import common_pb2
from mediacenter.listing.v1 import listing_pb2

KIND_NAMES = {
    common_pb2.MEDIA_KIND_IMAGE: "image",
    common_pb2.MEDIA_KIND_VIDEO: "video",
}
KINDS_BY_NAME = {name: kind for kind, name in KIND_NAMES.items()}


def kind_name(kind: int) -> str | None:
    return KIND_NAMES.get(kind)


def rfc3339(timestamp: timestamp_pb2.Timestamp) -> str | None:
    """Return a UTC time as RFC 3339 with a trailing Z, or None when the timestamp is unset."""
    if timestamp.seconds == 0 and timestamp.nanos == 0:
        return None
    moment = timestamp.ToDatetime(tzinfo=UTC)
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def media_json(media: common_pb2.Media) -> dict[str, Any]:
    metadata = media.metadata
    is_video = media.kind == common_pb2.MEDIA_KIND_VIDEO
    return {
        "id": media.id,
        "name": media.name,
        "kind": kind_name(media.kind),
        "folder_id": media.folder_id,
        "format": metadata.format,
        "mime_type": metadata.mime_type,
        "byte_size": metadata.byte_size,
        "width": metadata.width,
        "height": metadata.height,
        "duration_ms": metadata.duration_ms if is_video else None,
        "sha256": media.sha256,
        "created_at": rfc3339(media.created_at),
        "url": media.url,
        "preview_url": media.preview_url,
    }


def folder_json(folder: catalogue_pb2.Folder) -> dict[str, Any]:
    return {
        "id": folder.id,
        "name": folder.name,
        "kind": kind_name(folder.kind),
        "is_default": folder.is_default,
        "item_count": folder.item_count,
    }


def listing_json(listing: listing_pb2.ListingMedia) -> dict[str, Any]:
    return {
        "listing_id": listing.listing_id,
        "images": [media_json(image) for image in listing.images],
        "video": media_json(listing.video) if listing.HasField("video") else None,
        "size_chart": media_json(listing.size_chart) if listing.HasField("size_chart") else None,
        "version": listing.version,
    }
