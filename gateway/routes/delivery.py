"""Public media delivery: /media/{id}/{file name} and /media/{id}/preview.webp, with ranges and caching.

The id is the secret, so these routes need no API key. The file name segment
is not checked against the item's current name: a rename must not break URLs
that were already exported to marketplaces.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote

import grpc
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from mediacenter.catalogue.v1 import catalogue_pb2
from mediacenter.storage.v1 import storage_pb2

from gateway import schemas
from gateway.errors import ApiError, problem_response
from gateway.ranges import ByteRange, RangeNotSatisfiable, etag_matches, parse_range_header

logger = logging.getLogger(__name__)

router = APIRouter(tags=["delivery"])

PREVIEW_FILE_NAME = "preview.webp"
PREVIEW_CONTENT_TYPE = "image/webp"
# The bytes behind an id never change, so caches need not revalidate them. Caches keep them for a day only,
# because a marketplace copies an image when it imports a listing and a deleted item should leave caches soon.
CACHE_CONTROL = "public, max-age=86400, immutable"
# Deadline of a whole blob stream. The stream moves at the client's pace, and a 10 MB video takes
# about 80 s at 1 Mbit/s, so the usual call deadline would cut slow downloads short.
BLOB_STREAM_SECONDS = 600.0
_DELIVERY_RESPONSES = {
    200: {"description": "The bytes.", "content": {"image/jpeg": {}, "image/png": {}, "video/mp4": {}}},
    206: {"description": "One range, or several as multipart/byteranges."},
    304: {"description": "The cached copy named in If-None-Match is current."},
    404: schemas.PROBLEM_RESPONSE,
    416: {"description": "No requested range starts inside the file; Content-Range gives the size."},
    503: schemas.PROBLEM_RESPONSE,
}


@dataclass(frozen=True)
class Blob:
    key: str
    size: int
    content_type: str
    etag: str
    download_name: str


@router.head("/media/{media_id}/preview.webp", include_in_schema=False)
@router.get(
    "/media/{media_id}/preview.webp",
    summary="The WebP preview of a media item",
    responses=_DELIVERY_RESPONSES,
)
async def get_preview(request: Request, media_id: str) -> Response:
    media = await _resolve(request, media_id)
    if media is None or not media.preview_blob_key:
        return _not_found(media_id)
    cached = request.app.state.blobs.get(media.preview_blob_key)
    if cached is not None:
        size = len(cached)
    else:
        stat = await request.app.state.backends.storage.StatBlob(
            storage_pb2.StatBlobRequest(key=media.preview_blob_key)
        )
        size = stat.byte_size
    blob = Blob(
        key=media.preview_blob_key,
        size=size,
        content_type=PREVIEW_CONTENT_TYPE,
        etag=f'"{media.sha256}-preview"',
        download_name=PREVIEW_FILE_NAME,
    )
    return await _deliver(request, blob)


@router.head("/media/{media_id}/{file_name}", include_in_schema=False)
@router.get(
    "/media/{media_id}/{file_name}",
    summary="The bytes of a media item",
    description=(
        "Public: the unguessable id is the access token. Supports Range (up to 16 non-overlapping ranges; "
        "more, or overlapping ones, get the whole file), ETag with If-None-Match, If-Range, and HEAD."
    ),
    responses=_DELIVERY_RESPONSES,
)
async def get_media_file(request: Request, media_id: str, file_name: str) -> Response:
    media = await _resolve(request, media_id)
    if media is None:
        return _not_found(media_id)
    blob = Blob(
        key=media.blob_key,
        size=media.metadata.byte_size,
        content_type=media.metadata.mime_type or "application/octet-stream",
        etag=f'"{media.sha256}"',
        download_name=media.name or media.file_name or file_name,
    )
    return await _deliver(request, blob)


async def _resolve(request: Request, media_id: str):
    resolutions = request.app.state.resolutions
    media = resolutions.get(media_id)
    if media is not None:
        return media
    try:
        media = await request.app.state.backends.catalogue.ResolvePublicMedia(
            catalogue_pb2.ResolvePublicMediaRequest(media_id=media_id)
        )
    except grpc.aio.AioRpcError as error:
        if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
            return None
        raise
    resolutions.put(media_id, media)
    return media


def _not_found(media_id: str) -> Response:
    return problem_response(
        404, "not_found", "Not found", f"No media item has the id {media_id[:100]!r}; it may have been deleted."
    )


async def _deliver(request: Request, blob: Blob) -> Response:
    headers = {
        "ETag": blob.etag,
        "Cache-Control": CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        "Accept-Ranges": "bytes",
    }
    if etag_matches(request.headers.get("if-none-match"), blob.etag):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = content_disposition(blob.download_name)

    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range.strip() != blob.etag:
        range_header = None
    try:
        ranges = parse_range_header(range_header, blob.size)
    except RangeNotSatisfiable:
        headers["Content-Range"] = f"bytes */{blob.size}"
        return Response(status_code=416, headers=headers)

    head_only = request.method == "HEAD"
    storage = request.app.state.backends.storage
    first_message_seconds = request.app.state.settings.call_timeout_seconds
    blobs = request.app.state.blobs
    if not head_only and blobs.accepts(blob.size):
        data = await blobs.load(blob.key, lambda: _read_whole(storage, blob, first_message_seconds))
        return _from_memory(data, blob, ranges, headers)
    if ranges is None:
        headers["Content-Length"] = str(blob.size)
        return await _single_part(storage, blob, 0, blob.size, 200, headers, head_only, first_message_seconds)
    if len(ranges) == 1:
        byte_range = ranges[0]
        headers["Content-Range"] = byte_range.content_range(blob.size)
        headers["Content-Length"] = str(byte_range.length)
        return await _single_part(
            storage, blob, byte_range.start, byte_range.length, 206, headers, head_only, first_message_seconds
        )
    return _multipart(storage, blob, ranges, headers, head_only, first_message_seconds)


async def _read_whole(storage, blob: Blob, first_message_seconds: float) -> bytes:
    """Read a whole blob from storage into memory, checking that its size is the one on record."""
    parts = [chunk async for chunk in await _open_blob(storage, blob.key, 0, blob.size, first_message_seconds)]
    data = b"".join(parts)
    if len(data) != blob.size:
        logger.error("blob %s size mismatch: storage sent %d bytes, the record expects %d", blob.key, len(data), blob.size)
        raise ApiError(
            500,
            "internal",
            "Internal error",
            "The stored file of this item does not match its record. Report the request id to the operator.",
        )
    return data


def _from_memory(data: bytes, blob: Blob, ranges: list[ByteRange] | None, headers: dict) -> Response:
    if ranges is None:
        return Response(data, status_code=200, headers=headers, media_type=blob.content_type)
    view = memoryview(data)
    if len(ranges) == 1:
        byte_range = ranges[0]
        headers["Content-Range"] = byte_range.content_range(blob.size)
        body = bytes(view[byte_range.start : byte_range.start + byte_range.length])
        return Response(body, status_code=206, headers=headers, media_type=blob.content_type)
    boundary = secrets.token_hex(16)
    parts = []
    for byte_range in ranges:
        parts.append(_part_header(boundary, blob, byte_range))
        parts.append(view[byte_range.start : byte_range.start + byte_range.length])
        parts.append(b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode("latin-1"))
    return Response(
        b"".join(parts), status_code=206, headers=headers, media_type=f"multipart/byteranges; boundary={boundary}"
    )


def _part_header(boundary: str, blob: Blob, byte_range: ByteRange) -> bytes:
    return (
        f"--{boundary}\r\nContent-Type: {blob.content_type}\r\n"
        f"Content-Range: {byte_range.content_range(blob.size)}\r\n\r\n"
    ).encode("latin-1")


async def _single_part(
    storage, blob: Blob, offset: int, length: int, status: int, headers: dict, head_only: bool, first_message_seconds: float
) -> Response:
    if head_only or length == 0:
        return Response(status_code=status, headers=headers, media_type=blob.content_type)
    # The first message is read before the status goes out, so a missing blob is a 404, not a cut stream.
    body = await _open_blob(storage, blob.key, offset, length, first_message_seconds)
    return StreamingResponse(body, status_code=status, headers=headers, media_type=blob.content_type)


async def _open_blob(storage, key: str, offset: int, length: int, first_message_seconds: float) -> AsyncIterator[bytes]:
    """Start streaming a blob and wait for its first message, at most the usual call deadline."""
    call = storage.GetBlob(
        storage_pb2.GetBlobRequest(key=key, offset=offset, length=length), timeout=BLOB_STREAM_SECONDS
    )
    messages = call.__aiter__()
    try:
        first = await asyncio.wait_for(messages.__anext__(), first_message_seconds)
    except StopAsyncIteration:
        first = None
    except TimeoutError:
        call.cancel()
        logger.warning("storage sent nothing for blob %s within %.1f s", key, first_message_seconds)
        raise ApiError(
            504, "timeout", "Gateway timeout", "The storage service did not respond in time. Try again later."
        ) from None
    except BaseException:
        call.cancel()
        raise
    return _stream(call, messages, first)


async def _stream(call, messages, first) -> AsyncIterator[bytes]:
    try:
        if first is None:
            return
        chunk = first.chunk
        if chunk:
            yield chunk
        async for message in messages:
            yield message.chunk
    except grpc.aio.AioRpcError as error:
        # The status line is already sent, so the client sees a short body; the log records why.
        logger.error("streaming blob %s failed with %s: %s", call, error.code().name, error.details())
        raise
    finally:
        call.cancel()


def _multipart(
    storage, blob: Blob, ranges: list[ByteRange], headers: dict, head_only: bool, first_message_seconds: float
) -> Response:
    boundary = secrets.token_hex(16)
    part_headers = [_part_header(boundary, blob, byte_range) for byte_range in ranges]
    closing = f"--{boundary}--\r\n".encode("latin-1")
    length = sum(len(part) + byte_range.length + 2 for part, byte_range in zip(part_headers, ranges)) + len(closing)
    headers["Content-Length"] = str(length)
    media_type = f"multipart/byteranges; boundary={boundary}"
    if head_only:
        return Response(status_code=206, headers=headers, media_type=media_type)

    async def body() -> AsyncIterator[bytes]:
        for part_header, byte_range in zip(part_headers, ranges):
            yield part_header
            part = await _open_blob(storage, blob.key, byte_range.start, byte_range.length, first_message_seconds)
            async for chunk in part:
                yield chunk
            yield b"\r\n"
        yield closing

    return StreamingResponse(body(), status_code=206, headers=headers, media_type=media_type)


def content_disposition(name: str) -> str:
    """Return an inline Content-Disposition with an ASCII file name and, when needed, the RFC 8187 UTF-8 one."""
    cleaned = "".join(char for char in name if char.isprintable()) or "download"
    ascii_name = unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join("_" if char in '"\\;' else char for char in ascii_name).strip() or "download"
    if ascii_name == cleaned:
        return f'inline; filename="{ascii_name}"'
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(cleaned, safe='')}"
