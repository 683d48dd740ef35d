"""Calls to the validation and storage services."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import grpc
from mediacenter.common.v1 import common_pb2
from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc
from mediacenter.validation.v1 import validation_pb2, validation_pb2_grpc

# Chunk size of the streams this service sends; the contracts allow at most 1 MiB per message.
CHUNK_BYTES = 1024 * 1024
# How long the upload policy is reused before it is fetched again.
POLICY_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class SizeLimits:
    """Largest accepted file per kind, in bytes, from the upload policy."""

    image_max_bytes: int
    video_max_bytes: int
    policy_version: str

    def max_bytes(self, kind: str | None) -> int:
        if kind == "image":
            return self.image_max_bytes
        if kind == "video":
            return self.video_max_bytes
        return max(self.image_max_bytes, self.video_max_bytes)


def _chunks(spooled: BinaryIO) -> Iterator[bytes]:
    spooled.seek(0)
    while chunk := spooled.read(CHUNK_BYTES):
        yield chunk


class Validation:
    """Inspects files and reads the upload policy, kept for POLICY_CACHE_SECONDS."""

    def __init__(self, channel: grpc.Channel) -> None:
        self._stub = validation_pb2_grpc.ValidationServiceStub(channel)
        self._lock = threading.Lock()
        self._limits: SizeLimits | None = None
        self._fetched_at = 0.0

    def size_limits(self) -> SizeLimits:
        with self._lock:
            if self._limits is not None and time.monotonic() - self._fetched_at < POLICY_CACHE_SECONDS:
                return self._limits
        policy = self._stub.GetPolicy(validation_pb2.GetPolicyRequest())
        limits = SizeLimits(policy.image.max_bytes, policy.video.max_bytes, policy.version)
        with self._lock:
            self._limits = limits
            self._fetched_at = time.monotonic()
        return limits

    def inspect(self, spooled: BinaryIO, *, expected_kind: int, file_name: str) -> validation_pb2.InspectMediaResponse:
        def requests() -> Iterator[validation_pb2.InspectMediaRequest]:
            header = validation_pb2.InspectHeader(expected_kind=expected_kind, file_name=file_name)
            yield validation_pb2.InspectMediaRequest(header=header)
            for chunk in _chunks(spooled):
                yield validation_pb2.InspectMediaRequest(chunk=chunk)

        return self._stub.InspectMedia(requests())


class Storage:
    """Stores blobs under "<namespace>/<sha256><suffix>"."""

    def __init__(self, channel: grpc.Channel) -> None:
        self._stub = storage_pb2_grpc.StorageServiceStub(channel)

    def put_file(
        self, spooled: BinaryIO, *, namespace: str, suffix: str, content_type: str, sha256: str
    ) -> storage_pb2.PutBlobResponse:
        return self._stub.PutBlob(self._requests(_chunks(spooled), namespace, suffix, content_type, sha256))

    def put_bytes(self, data: bytes, *, namespace: str, suffix: str, content_type: str) -> storage_pb2.PutBlobResponse:
        chunks = (data[start : start + CHUNK_BYTES] for start in range(0, len(data), CHUNK_BYTES))
        return self._stub.PutBlob(self._requests(chunks, namespace, suffix, content_type, ""))

    @staticmethod
    def _requests(
        chunks: Iterator[bytes], namespace: str, suffix: str, content_type: str, sha256: str
    ) -> Iterator[storage_pb2.PutBlobRequest]:
        header = storage_pb2.PutBlobHeader(
            namespace=namespace, suffix=suffix, content_type=content_type, expected_sha256=sha256
        )
        yield storage_pb2.PutBlobRequest(header=header)
        for chunk in chunks:
            yield storage_pb2.PutBlobRequest(chunk=chunk)


def kind_name(kind: int) -> str | None:
    return {common_pb2.MEDIA_KIND_IMAGE: "image", common_pb2.MEDIA_KIND_VIDEO: "video"}.get(kind)
