"""Receiving an upload stream into a temporary file, with its size limit and its SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from mediacenter.validation.v1 import validation_pb2

from services.runtime.errors import InvalidArgument, ResourceExhausted
from services.validation import messages
from services.validation.convert import violation_to_proto


@dataclass(frozen=True)
class SpooledUpload:
    """An upload received in full: its header, where its bytes are, and their size and digest."""

    header: validation_pb2.InspectHeader
    path: str
    byte_size: int
    sha256: str


@contextmanager
def spool_upload(
    requests: Iterable[validation_pb2.InspectMediaRequest], *, max_bytes: int, policy_version: str, folder: str | None
) -> Iterator[SpooledUpload]:
    """Write the stream's chunks to a temporary file that is removed on exit.

    Raises InvalidArgument when the stream does not start with exactly one header, and
    ResourceExhausted as soon as more than max_bytes arrive, without reading the rest.
    """
    descriptor, path = tempfile.mkstemp(prefix="upload-", suffix=".bin", dir=folder or None)
    try:
        with os.fdopen(descriptor, "wb") as file:
            header, byte_size, digest = _receive(requests, file, max_bytes, policy_version)
        yield SpooledUpload(header, path, byte_size, digest)
    finally:
        os.unlink(path)


def _receive(requests, file, max_bytes: int, policy_version: str) -> tuple[validation_pb2.InspectHeader, int, str]:
    header = None
    byte_size = 0
    digest = hashlib.sha256()
    for request in requests:
        part = request.WhichOneof("part")
        if part == "header":
            if header is not None or byte_size:
                raise InvalidArgument(
                    "header_out_of_order",
                    "The stream sent a header after the first message. Send one header first, then only chunks.",
                    field_violations=[("header", "must be the first message and sent only once")],
                )
            header = request.header
        elif part == "chunk":
            if header is None:
                raise InvalidArgument(
                    "missing_header",
                    "The stream started with a chunk. Send the header first, then the file bytes.",
                    field_violations=[("header", "missing from the first message")],
                )
            # Each read of a bytes field builds a new bytes object, so the chunk is read once.
            chunk = request.chunk
            byte_size += len(chunk)
            if byte_size > max_bytes:
                violation = messages.upload_too_large(byte_size, max_bytes)
                raise ResourceExhausted(
                    "file_too_large",
                    violation.message,
                    violations=[violation_to_proto(violation)],
                    metadata={"limit_bytes": str(max_bytes)},
                    policy_version=policy_version,
                )
            digest.update(chunk)
            file.write(chunk)
    if header is None:
        raise InvalidArgument(
            "missing_header",
            "The stream ended without a header. Send the header first, then the file bytes.",
            field_violations=[("header", "missing")],
        )
    return header, byte_size, digest.hexdigest()
