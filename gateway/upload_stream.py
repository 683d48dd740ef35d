"""Streaming an HTTP multipart upload into the catalogue's client-streaming UploadMedia call.

The body is parsed incrementally as it arrives. File bytes pass through a small
bounded queue into the gRPC request stream, so the gateway holds at most a few
chunks of any upload in memory, whatever the file size.

Form fields: `file` (required, exactly one file part) and `name` (optional).
`name` is used only when it comes before `file` in the body, because the
catalogue needs it in the stream's first message; a `name` after the file is
ignored and the item takes the cleaned file name. Browsers send FormData
fields in the order they were appended.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import unquote

from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from gateway.errors import ApiError

# The largest file any kind may have (videos: 10 MB); the catalogue applies the per-kind limit.
MAX_FILE_BYTES = 10 * 1024 * 1024
# Room for the multipart boundaries, part headers and the name field on top of the file.
MAX_FORM_OVERHEAD_BYTES = 64 * 1024
# A text field longer than this is not a display name.
MAX_FIELD_BYTES = 16 * 1024
# gRPC messages carry at most 1 MiB of file bytes.
MAX_CHUNK_BYTES = 1024 * 1024
# Chunks waiting between the body parser and the gRPC stream.
QUEUE_CHUNKS = 8
# Extra seconds the gRPC call gets beyond the body deadline, so a slow client is reported as 408, not 504.
CALL_DEADLINE_MARGIN_SECONDS = 5.0

FILE_FIELD = "file"
NAME_FIELD = "name"
_BOUNDARY = re.compile(r'boundary="?([^";]{1,200})"?', re.IGNORECASE)
_FILENAME_STAR = re.compile(r"filename\*\s*=\s*(?:UTF-8|utf-8)''([^;\s]+)")


def too_large_error() -> ApiError:
    return ApiError(
        413, "file_too_large", "File too large",
        f"The file is larger than {MAX_FILE_BYTES} bytes (10 MB), the largest size any upload may have.",
        errors=[{
            "code": "file_too_large",
            "message": f"The file is larger than 10 MB ({MAX_FILE_BYTES} bytes).",
            "measured": None,
            "limit": MAX_FILE_BYTES,
            "unit": "bytes",
        }],
    )


def malformed(detail: str, **extra: object) -> ApiError:
    return ApiError(400, "malformed_request", "Malformed request", detail, **extra)


def multipart_boundary(content_type: str) -> bytes:
    """Return the boundary of a multipart/form-data Content-Type, or raise 415 or 400."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "multipart/form-data":
        raise ApiError(
            415, "unsupported_media_type", "Unsupported media type",
            f"Uploads must be multipart/form-data with the file in the field 'file', not {media_type or 'no type'!r}.",
        )
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise malformed("The multipart/form-data Content-Type has no boundary parameter.")
    return match.group(1).encode("latin-1")


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    name: str = ""
    is_file: bool = False
    text: bytearray = field(default_factory=bytearray)


class FormReader:
    """Parse a multipart/form-data body fed in pieces, yielding the file's start, bytes and the name field."""

    def __init__(self, boundary: bytes) -> None:
        self._parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )
        self._part = _Part()
        self.name: str = ""
        self.file_name: str | None = None
        self.file_started = False
        self.file_bytes = 0
        self._file_parts = 0
        self.finished = False
        self._pending: list[bytes] = []

    def feed(self, data: bytes) -> list[bytes]:
        """Parse the next piece of the body and return the file bytes it carried."""
        try:
            self._parser.write(data)
        except MultipartParseError as error:
            raise malformed(f"The multipart body is malformed: {error}.") from None
        pending, self._pending = self._pending, []
        return pending

    def check_complete(self) -> None:
        """Raise 400 unless the body ended with its closing boundary and held a file."""
        if not self.finished:
            raise malformed("The multipart body ended before its closing boundary; send the whole form again.")
        if not self.file_started:
            raise malformed(
                "The form has no field 'file'. Send the file as multipart/form-data in the field 'file'.",
                invalid_params=[{"name": FILE_FIELD, "reason": "missing"}],
            )

    def _on_part_begin(self) -> None:
        self._part = _Part()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._part.header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._part.header_value += data[start:end]

    def _on_header_end(self) -> None:
        part = self._part
        part.headers[bytes(part.header_field).lower()] = bytes(part.header_value)
        part.header_field.clear()
        part.header_value.clear()

    def _on_headers_finished(self) -> None:
        part = self._part
        disposition = part.headers.get(b"content-disposition", b"")
        _kind, options = parse_options_header(disposition)
        part.name = options.get(b"name", b"").decode("utf-8", errors="replace")
        file_name = _file_name(disposition, options)
        if part.name != FILE_FIELD and file_name is None:
            return
        if self._file_parts:
            raise malformed("The form holds more than one file. Send one file per request.")
        self._file_parts += 1
        if part.name != FILE_FIELD:
            # A file in another field is only counted, so that a second file is still detected.
            return
        part.is_file = True
        self.file_started = True
        self.file_name = file_name or ""

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        if part.is_file:
            self.file_bytes += end - start
            if self.file_bytes > MAX_FILE_BYTES:
                raise too_large_error()
            if end > start:
                self._pending.append(data[start:end])
        elif part.name == NAME_FIELD:
            part.text += data[start:end]
            if len(part.text) > MAX_FIELD_BYTES:
                raise malformed(f"The field 'name' is longer than {MAX_FIELD_BYTES} bytes; send a shorter name.")

    def _on_part_end(self) -> None:
        part = self._part
        if part.name == NAME_FIELD and not part.is_file and not self.file_started:
            self.name = part.text.decode("utf-8", errors="replace")

    def _on_end(self) -> None:
        self.finished = True


def _file_name(disposition: bytes, options: dict[bytes, bytes]) -> str | None:
    """Return the part's file name, preferring the RFC 5987 filename* form, or None for a text field."""
    extended = _FILENAME_STAR.search(disposition.decode("latin-1"))
    if extended is not None:
        return unquote(extended.group(1), encoding="utf-8", errors="replace")
    if b"filename" not in options:
        return None
    return options[b"filename"].decode("utf-8", errors="replace")


class UploadCall:
    """One UploadMedia call fed through a bounded queue: the header first, then the file bytes as they arrive."""

    def __init__(
        self,
        stub: catalogue_pb2_grpc.CatalogueServiceStub,
        header: catalogue_pb2.UploadHeader,
        timeout_seconds: float,
    ) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=QUEUE_CHUNKS)
        self._call = stub.UploadMedia(self._requests(header), timeout=timeout_seconds)
        self._response: asyncio.Future[catalogue_pb2.UploadMediaResponse] = asyncio.ensure_future(self._wait())

    async def _wait(self) -> catalogue_pb2.UploadMediaResponse:
        return await self._call

    async def _requests(self, header: catalogue_pb2.UploadHeader) -> AsyncIterator[catalogue_pb2.UploadMediaRequest]:
        yield catalogue_pb2.UploadMediaRequest(header=header)
        sent = 0
        while True:
            chunk = await self._queue.get()
            if chunk is None:
                # Only `finish` queues the end, after the whole form arrived, so a cut body never gets one.
                yield catalogue_pb2.UploadMediaRequest(end=catalogue_pb2.UploadEnd(byte_size=sent))
                return
            sent += len(chunk)
            yield catalogue_pb2.UploadMediaRequest(chunk=chunk)

    async def send(self, data: bytes) -> None:
        """Queue file bytes for the stream, waiting while the queue is full; raise if the call already ended."""
        for start in range(0, len(data), MAX_CHUNK_BYTES):
            await self._put(data[start:start + MAX_CHUNK_BYTES])

    async def finish(self) -> catalogue_pb2.UploadMediaResponse:
        """End the stream and return the catalogue's response (a failed call raises its grpc.RpcError)."""
        await self._put(None)
        return await self._response

    def cancel(self) -> None:
        """Cancel the call, so the catalogue records nothing for it."""
        self._call.cancel()
        self._response.cancel()

    async def _put(self, item: bytes | None) -> None:
        if self._response.done():
            self._end_early()
            return
        try:
            self._queue.put_nowait(item)
            return
        except asyncio.QueueFull:
            pass
        put = asyncio.ensure_future(self._queue.put(item))
        try:
            await asyncio.wait({put, self._response}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            # The request itself was cancelled while waiting, so its put task is cancelled too.
            put.cancel()
            raise
        if not put.done():
            put.cancel()
            self._end_early()

    def _end_early(self) -> None:
        """Handle a response that arrived before the whole file was sent.

        A failed call raises its error. A successful one is a replay of an earlier upload with the
        same idempotency key, which the catalogue returns from the header alone, so the rest of the
        file is dropped and ``finish`` returns that answer.
        """
        error = self._response.exception()
        if error is not None:
            raise error
