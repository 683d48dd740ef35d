"""Records to protobuf messages and protobuf enums to record values."""

from __future__ import annotations

import urllib.parse

from google.protobuf import timestamp_pb2
from mediacenter.catalogue.v1 import catalogue_pb2
from mediacenter.common.v1 import common_pb2

from services.catalogue.records import IMAGE, VIDEO, FolderRecord, MediaRecord, SellerRecord
from services.runtime.errors import InvalidArgument

_KIND_TO_PROTO = {IMAGE: common_pb2.MEDIA_KIND_IMAGE, VIDEO: common_pb2.MEDIA_KIND_VIDEO}
_PROTO_TO_KIND = {value: key for key, value in _KIND_TO_PROTO.items()}


def kind_to_proto(kind: str) -> int:
    return _KIND_TO_PROTO[kind]


def kind_from_proto(value: int, *, field: str, required: bool) -> str | None:
    """Return "image", "video", or None for UNSPECIFIED when it is allowed."""
    if value == common_pb2.MEDIA_KIND_UNSPECIFIED and not required:
        return None
    kind = _PROTO_TO_KIND.get(value)
    if kind is None:
        raise InvalidArgument(
            "invalid_kind",
            f"{field} must be MEDIA_KIND_IMAGE or MEDIA_KIND_VIDEO, not {value}.",
            field_violations=[(field, "must be MEDIA_KIND_IMAGE or MEDIA_KIND_VIDEO")],
        )
    return kind


def _timestamp(value) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp


def seller_to_proto(seller: SellerRecord) -> catalogue_pb2.Seller:
    return catalogue_pb2.Seller(
        id=str(seller.id),
        name=seller.name,
        quota_bytes=seller.quota_bytes,
        used_bytes=seller.used_bytes,
        created_at=_timestamp(seller.created_at),
    )


def folder_to_proto(folder: FolderRecord) -> catalogue_pb2.Folder:
    return catalogue_pb2.Folder(
        id=str(folder.id),
        name=folder.name,
        kind=kind_to_proto(folder.kind),
        is_default=folder.is_default,
        item_count=folder.item_count,
    )


def media_urls(public_base_url: str, media: MediaRecord) -> tuple[str, str]:
    """Return (url, preview_url): <base>/media/<id>/<file name> and <base>/media/<id>/preview.webp."""
    base = public_base_url.rstrip("/")
    return (
        f"{base}/media/{media.id}/{urllib.parse.quote(media.file_name, safe='')}",
        f"{base}/media/{media.id}/preview.webp",
    )


def media_to_proto(media: MediaRecord, public_base_url: str) -> common_pb2.Media:
    url, preview_url = media_urls(public_base_url, media)
    return common_pb2.Media(
        id=str(media.id),
        seller_id=str(media.seller_id),
        name=media.name,
        kind=kind_to_proto(media.kind),
        folder_id=str(media.folder_id) if media.folder_id else "",
        metadata=common_pb2.MediaMetadata(
            format=media.format,
            mime_type=media.mime_type,
            byte_size=media.byte_size,
            width=media.width,
            height=media.height,
            duration_ms=media.duration_ms,
            frame_rate=media.frame_rate,
            video_codec=media.video_codec,
            audio_codec=media.audio_codec,
            rotation_degrees=media.rotation_degrees,
            has_audio=media.has_audio,
        ),
        sha256=media.sha256,
        created_at=_timestamp(media.created_at),
        url=url,
        preview_url=preview_url,
        blob_key=media.blob_key,
        preview_blob_key=media.preview_blob_key,
        file_name=media.file_name,
    )
