"""Translation between the domain verdict and the protobuf messages of the contract."""

from __future__ import annotations

from google.protobuf import struct_pb2
from mediacenter.common.v1 import common_pb2
from mediacenter.validation.v1 import validation_pb2

from services.validation.policy import UploadPolicy
from services.validation.verdict import Kind, Verdict, Violation

KIND_TO_PROTO = {
    Kind.UNKNOWN: common_pb2.MEDIA_KIND_UNSPECIFIED,
    Kind.IMAGE: common_pb2.MEDIA_KIND_IMAGE,
    Kind.VIDEO: common_pb2.MEDIA_KIND_VIDEO,
}
KIND_FROM_PROTO = {value: kind for kind, value in KIND_TO_PROTO.items()}


def to_value(data: object) -> struct_pb2.Value:
    """Wrap a number, string, boolean, list or None as a google.protobuf.Value."""
    value = struct_pb2.Value()
    if data is None:
        value.null_value = struct_pb2.NULL_VALUE
    elif isinstance(data, bool):
        value.bool_value = data
    elif isinstance(data, (int, float)):
        value.number_value = data
    elif isinstance(data, str):
        value.string_value = data
    elif isinstance(data, (list, tuple)):
        value.list_value.values.extend(to_value(item) for item in data)
    else:
        raise TypeError(f"cannot express {type(data).__name__} as a protobuf Value")
    return value


def violation_to_proto(violation: Violation) -> common_pb2.Violation:
    return common_pb2.Violation(
        code=violation.code,
        message=violation.message,
        measured=to_value(violation.measured),
        limit=to_value(violation.limit),
        unit=violation.unit,
    )


def verdict_to_proto(verdict: Verdict) -> validation_pb2.InspectMediaResponse:
    metadata = verdict.metadata
    return validation_pb2.InspectMediaResponse(
        accepted=verdict.accepted,
        kind=KIND_TO_PROTO[verdict.kind],
        metadata=common_pb2.MediaMetadata(
            format=metadata.format,
            mime_type=metadata.mime_type,
            byte_size=metadata.byte_size,
            width=metadata.width,
            height=metadata.height,
            duration_ms=metadata.duration_ms,
            frame_rate=metadata.frame_rate,
            video_codec=metadata.video_codec,
            audio_codec=metadata.audio_codec,
            rotation_degrees=metadata.rotation_degrees,
            has_audio=metadata.has_audio,
        ),
        violations=[violation_to_proto(violation) for violation in verdict.violations],
        preview_webp=verdict.preview_webp,
        sha256=verdict.sha256,
        policy_version=verdict.policy_version,
    )


def policy_to_proto(policy: UploadPolicy) -> validation_pb2.Policy:
    image, video = policy.image, policy.video
    return validation_pb2.Policy(
        version=policy.version,
        image=validation_pb2.ImageRules(
            formats=list(image.formats),
            max_bytes=image.max_bytes,
            min_side_px=image.min_side_px,
            max_side_px=image.max_side_px,
        ),
        video=validation_pb2.VideoRules(
            formats=list(video.formats),
            max_bytes=video.max_bytes,
            min_aspect_width=video.min_aspect[0],
            min_aspect_height=video.min_aspect[1],
            max_aspect_width=video.max_aspect[0],
            max_aspect_height=video.max_aspect[1],
            max_duration_ms_exclusive=video.max_duration_ms_exclusive,
        ),
    )
