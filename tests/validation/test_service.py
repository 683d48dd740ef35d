"""The validation service through a real gRPC server on port 0: streaming, limits, verdicts, policy."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf import json_format
from mediacenter.common.v1 import common_pb2
from mediacenter.validation.v1 import validation_pb2, validation_pb2_grpc
from PIL import Image

from services.runtime.errors import ErrorDetails
from services.validation.app import build
from services.validation.settings import ValidationSettings
from tests.validation import media_factory as media

CHUNK_BYTES = 1024 * 1024


@pytest.fixture(scope="module")
def stub() -> Iterator[validation_pb2_grpc.ValidationServiceStub]:
    running = build(ValidationSettings(grpc_port=0, inspect_workers=2, inspect_timeout_seconds=20))
    channel = grpc.insecure_channel(f"127.0.0.1:{running.port}")
    try:
        yield validation_pb2_grpc.ValidationServiceStub(channel)
    finally:
        channel.close()
        running.stop(1)


def upload(data: bytes, *, name: str = "file.bin", kind: int = common_pb2.MEDIA_KIND_UNSPECIFIED):
    yield validation_pb2.InspectMediaRequest(header=validation_pb2.InspectHeader(expected_kind=kind, file_name=name))
    for offset in range(0, len(data), CHUNK_BYTES):
        yield validation_pb2.InspectMediaRequest(chunk=data[offset : offset + CHUNK_BYTES])


def test_jpeg_accepted_over_grpc(stub):
    data = media.jpeg(800, 600)

    response = stub.InspectMedia(upload(data, name="photo.jpg"), timeout=30)

    assert response.accepted
    assert response.kind == common_pb2.MEDIA_KIND_IMAGE
    assert response.metadata.format == "jpeg"
    assert response.metadata.mime_type == "image/jpeg"
    assert response.metadata.byte_size == len(data)
    assert (response.metadata.width, response.metadata.height) == (800, 600)
    assert response.policy_version == "v1"
    assert response.sha256 == hashlib.sha256(data).hexdigest()
    assert Image.open(io.BytesIO(response.preview_webp)).size == (320, 240)


def test_video_metadata_over_grpc(stub):
    data = media.mp4(640, 360, frames=10, fps=25, audio_seconds=0.4)

    response = stub.InspectMedia(upload(data, name="clip.mp4"), timeout=30)

    assert response.accepted, response.violations
    assert response.kind == common_pb2.MEDIA_KIND_VIDEO
    assert response.metadata.duration_ms >= 400
    assert response.metadata.frame_rate == 25.0
    assert response.metadata.video_codec == "h264"
    assert response.metadata.audio_codec == "aac"
    assert response.metadata.has_audio
    assert response.preview_webp


def test_rejection_carries_every_violation_as_data(stub):
    data = media.padded(media.png(200, 100), 5 * 1024 * 1024 + 1)

    response = stub.InspectMedia(upload(data), timeout=30)

    assert not response.accepted
    assert [violation.code for violation in response.violations] == ["file_too_large", "image_too_small", "image_too_small"]
    too_large = json_format.MessageToDict(response.violations[0])
    assert too_large["measured"] == 5_242_881
    assert too_large["limit"] == 5_242_880
    assert too_large["unit"] == "bytes"
    assert "5 MB" in too_large["message"]
    assert response.preview_webp == b""


def test_unsupported_format_limit_is_list(stub):
    response = stub.InspectMedia(upload(media.pillow_file("GIF"), name="photo.jpg"), timeout=30)

    violation = json_format.MessageToDict(response.violations[0])
    assert violation["code"] == "unsupported_format"
    assert violation["measured"] == "gif"
    assert violation["limit"] == ["jpeg", "png"]


def test_expected_kind_mismatch_is_wrong_kind(stub):
    response = stub.InspectMedia(upload(media.jpeg(400, 400), kind=common_pb2.MEDIA_KIND_VIDEO), timeout=30)

    assert [violation.code for violation in response.violations] == ["wrong_kind"]


def test_header_only_stream_is_empty_file(stub):
    response = stub.InspectMedia(upload(b""), timeout=30)

    assert [violation.code for violation in response.violations] == ["empty_file"]
    assert response.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_stream_over_largest_limit_is_resource_exhausted(stub):
    data = bytes(10 * 1024 * 1024 + 1)

    with pytest.raises(grpc.RpcError) as raised:
        stub.InspectMedia(upload(data), timeout=30)

    details = ErrorDetails.from_rpc_error(raised.value)
    assert details.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert details.reason == "file_too_large"
    assert details.violations[0].code == "file_too_large"
    assert details.violations[0].limit.number_value == 10_485_760
    assert details.policy_version == "v1"


def test_stream_of_exactly_largest_limit_gets_verdict(stub):
    data = media.padded_mp4(media.mp4(640, 360, frames=5), 10 * 1024 * 1024)

    response = stub.InspectMedia(upload(data, name="clip.mp4"), timeout=30)

    assert response.accepted, response.violations


def test_stream_without_header_is_invalid_argument(stub):
    requests = iter([validation_pb2.InspectMediaRequest(chunk=b"\xff\xd8\xff")])

    with pytest.raises(grpc.RpcError) as raised:
        stub.InspectMedia(requests, timeout=30)

    details = ErrorDetails.from_rpc_error(raised.value)
    assert details.code is grpc.StatusCode.INVALID_ARGUMENT
    assert details.reason == "missing_header"


def test_header_after_chunk_is_invalid_argument(stub):
    header = validation_pb2.InspectMediaRequest(header=validation_pb2.InspectHeader(file_name="a.jpg"))
    chunk = validation_pb2.InspectMediaRequest(chunk=b"\xff\xd8\xff")

    with pytest.raises(grpc.RpcError) as raised:
        stub.InspectMedia(iter([header, chunk, header]), timeout=30)

    details = ErrorDetails.from_rpc_error(raised.value)
    assert details.code is grpc.StatusCode.INVALID_ARGUMENT
    assert details.reason == "header_out_of_order"


def test_empty_stream_is_invalid_argument(stub):
    with pytest.raises(grpc.RpcError) as raised:
        stub.InspectMedia(iter([]), timeout=30)

    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_policy_matches_v1(stub):
    policy = stub.GetPolicy(validation_pb2.GetPolicyRequest(), timeout=10)

    assert policy.version == "v1"
    assert list(policy.image.formats) == ["jpeg", "png"]
    assert policy.image.max_bytes == 5_242_880
    assert policy.image.min_side_px == 300
    assert policy.image.max_side_px == 10_000
    assert list(policy.video.formats) == ["mp4"]
    assert policy.video.max_bytes == 10_485_760
    assert (policy.video.min_aspect_width, policy.video.min_aspect_height) == (9, 16)
    assert (policy.video.max_aspect_width, policy.video.max_aspect_height) == (16, 9)
    assert policy.video.max_duration_ms_exclusive == 60_000


def test_parallel_uploads_each_get_verdict(stub):
    files = [media.jpeg(400 + index, 400, seed=index) for index in range(8)]

    futures = [stub.InspectMedia.future(upload(data), timeout=60) for data in files]
    responses = [future.result() for future in futures]

    assert [response.metadata.width for response in responses] == [400 + index for index in range(8)]
    assert all(response.accepted for response in responses)


def test_slow_file_times_out_over_grpc():
    running = build(ValidationSettings(grpc_port=0, inspect_workers=1, inspect_timeout_seconds=0.05))
    channel = grpc.insecure_channel(f"127.0.0.1:{running.port}")
    stub = validation_pb2_grpc.ValidationServiceStub(channel)
    data = media.flat_png(10_000, 10_000)

    try:
        response = stub.InspectMedia(upload(data, name="huge.png"), timeout=60)
    finally:
        channel.close()
        running.stop(1)

    assert not response.accepted
    assert [violation.code for violation in response.violations] == ["inspection_timed_out"]
    assert "0.05 s" in response.violations[0].message
    assert response.sha256 == hashlib.sha256(data).hexdigest()
