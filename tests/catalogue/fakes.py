"""In-process fakes of the validation and storage services, served over real gRPC on port 0."""

from __future__ import annotations

import hashlib
import io
import threading
from concurrent import futures
from dataclasses import dataclass

import grpc
from google.protobuf import struct_pb2
from mediacenter.common.v1 import common_pb2
from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc
from mediacenter.validation.v1 import validation_pb2, validation_pb2_grpc
from PIL import Image

IMAGE_MAX_BYTES = 5 * 1024 * 1024
VIDEO_MAX_BYTES = 10 * 1024 * 1024
MIN_SIDE_PX = 300
# Every accepted file gets these bytes as its preview (a RIFF/WEBP header is enough for the catalogue).
FIXED_PREVIEW = b"RIFF\x10\x00\x00\x00WEBPVP8 fake-preview"


def _read_stream(request_iterator) -> tuple[object, bytes]:
    header = None
    data = io.BytesIO()
    for request in request_iterator:
        if request.WhichOneof("part") == "header":
            header = request.header
        else:
            data.write(request.chunk)
    return header, data.getvalue()


def _format_of(data: bytes) -> tuple[str, int]:
    """Return (format, kind) by magic bytes, or ("", UNSPECIFIED)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg", common_pb2.MEDIA_KIND_IMAGE
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", common_pb2.MEDIA_KIND_IMAGE
    if data[4:8] == b"ftyp":
        return "mp4", common_pb2.MEDIA_KIND_VIDEO
    return "", common_pb2.MEDIA_KIND_UNSPECIFIED


class FakeValidation(validation_pb2_grpc.ValidationServiceServicer):
    """Accepts JPEG, PNG (each side at least 300 px) and MP4 by magic bytes; counts inspections."""

    def __init__(self) -> None:
        self.inspect_calls = 0
        self._lock = threading.Lock()

    def GetPolicy(self, request, context):
        return validation_pb2.Policy(
            version="v1",
            image=validation_pb2.ImageRules(formats=["jpeg", "png"], max_bytes=IMAGE_MAX_BYTES, min_side_px=300),
            video=validation_pb2.VideoRules(formats=["mp4"], max_bytes=VIDEO_MAX_BYTES),
        )

    def InspectMedia(self, request_iterator, context):
        header, data = _read_stream(request_iterator)
        with self._lock:
            self.inspect_calls += 1
        media_format, kind = _format_of(data)
        metadata = common_pb2.MediaMetadata(format=media_format, byte_size=len(data))
        violations = []
        if not media_format:
            violations.append(common_pb2.Violation(
                code="unsupported_format", message="The file is not a JPEG, PNG or MP4 file.", unit="format"
            ))
        elif kind == common_pb2.MEDIA_KIND_IMAGE:
            metadata.mime_type = f"image/{media_format}"
            metadata.width, metadata.height = Image.open(io.BytesIO(data)).size
            for side, value in (("width", metadata.width), ("height", metadata.height)):
                if value < MIN_SIDE_PX:
                    violations.append(common_pb2.Violation(
                        code="image_too_small",
                        message=f"The image {side} is {value} px; it must be at least {MIN_SIDE_PX} px.",
                        measured=struct_pb2.Value(number_value=value),
                        limit=struct_pb2.Value(number_value=MIN_SIDE_PX),
                        unit="px",
                    ))
        else:
            metadata.mime_type = "video/mp4"
            metadata.width, metadata.height, metadata.duration_ms = 640, 360, 1000
            metadata.video_codec = "h264"
        if header.expected_kind and kind and header.expected_kind != kind:
            violations.append(common_pb2.Violation(code="wrong_kind", message="The file is of the other kind."))
        accepted = not violations
        return validation_pb2.InspectMediaResponse(
            accepted=accepted,
            kind=kind,
            metadata=metadata,
            violations=violations,
            preview_webp=FIXED_PREVIEW if accepted else b"",
            sha256=hashlib.sha256(data).hexdigest(),
            policy_version="v1",
        )


class FakeStorage(storage_pb2_grpc.StorageServiceServicer):
    """Keeps blobs in a dict under "<namespace>/<sha256 hex><suffix>"; counts puts."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.put_calls = 0
        self._lock = threading.Lock()

    def PutBlob(self, request_iterator, context):
        header, data = _read_stream(request_iterator)
        sha256 = hashlib.sha256(data).hexdigest()
        if header.expected_sha256 and header.expected_sha256 != sha256:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "expected_sha256 does not match the bytes")
        key = f"{header.namespace}/{sha256}{header.suffix}"
        with self._lock:
            self.put_calls += 1
            created = key not in self.blobs
            self.blobs[key] = data
        return storage_pb2.PutBlobResponse(key=key, byte_size=len(data), sha256=sha256, created=created)


def serve(register) -> tuple[grpc.Server, int]:
    """Start a gRPC server on a free loopback port with the given registration; return it and the port."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    register(server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port


@dataclass
class RunningFakes:
    validation: FakeValidation
    storage: FakeStorage
    validation_address: str
    storage_address: str
    servers: list[grpc.Server]

    def stop(self) -> None:
        for server in self.servers:
            server.stop(0).wait()


def start_fakes() -> RunningFakes:
    """Start the fake validation and storage services, each its own server on a free loopback port."""
    validation = FakeValidation()
    storage = FakeStorage()
    validation_server, validation_port = serve(
        lambda server: validation_pb2_grpc.add_ValidationServiceServicer_to_server(validation, server)
    )
    storage_server, storage_port = serve(
        lambda server: storage_pb2_grpc.add_StorageServiceServicer_to_server(storage, server)
    )
    return RunningFakes(
        validation,
        storage,
        f"127.0.0.1:{validation_port}",
        f"127.0.0.1:{storage_port}",
        [validation_server, storage_server],
    )


def fake_mp4(seed: int = 0, size: int = 4096) -> bytes:
    """Return bytes that the fake validation takes for an MP4: an ISO "ftyp" box, then filler."""
    filler = hashlib.sha256(str(seed).encode()).digest() * (size // 32 + 1)
    return b"\x00\x00\x00\x18ftypmp42" + filler[:size]
