"""Upload failures that carry a Rejection detail: one Violation per broken rule."""

from __future__ import annotations

from google.protobuf import struct_pb2
from mediacenter.common.v1 import common_pb2

from services.catalogue.records import FolderRecord
from services.runtime.errors import InvalidArgument, ResourceExhausted

WRONG_KIND = "wrong_kind"


def _number(value: int) -> struct_pb2.Value:
    return struct_pb2.Value(number_value=value)


def _text(value: str) -> struct_pb2.Value:
    return struct_pb2.Value(string_value=value)


def file_too_large(received: int, max_bytes: int, scope: str, policy_version: str) -> ResourceExhausted:
    """Build the error for a stream that passed ``max_bytes``; ``received`` counts the bytes read until the cut-off."""
    message = (
        f"The file is larger than {max_bytes} bytes, the maximum for {scope}:"
        f" the upload was stopped after {received} bytes. Send a smaller file."
    )
    violation = common_pb2.Violation(
        code="file_too_large", message=message, measured=_number(received), limit=_number(max_bytes), unit="bytes"
    )
    return ResourceExhausted(
        "file_too_large",
        message,
        violations=[violation],
        metadata={"max_bytes": str(max_bytes)},
        policy_version=policy_version,
    )


def capacity_exceeded(used_bytes: int, byte_size: int, quota_bytes: int) -> ResourceExhausted:
    needed = used_bytes + byte_size
    message = (
        f"The file of {byte_size} bytes does not fit: {used_bytes} of your {quota_bytes} bytes are used,"
        f" so {quota_bytes - used_bytes} are free. Delete media you no longer need, or ask for a larger quota."
    )
    violation = common_pb2.Violation(
        code="capacity_exceeded", message=message, measured=_number(needed), limit=_number(quota_bytes), unit="bytes"
    )
    return ResourceExhausted(
        "capacity_exceeded",
        message,
        violations=[violation],
        metadata={"used_bytes": str(used_bytes), "quota_bytes": str(quota_bytes), "byte_size": str(byte_size)},
    )


def with_folder_kind(
    found: list[common_pb2.Violation], folder: FolderRecord | None, kind: str | None
) -> list[common_pb2.Violation]:
    """Return the violations with one wrong_kind violation that names the target folder, when kinds differ."""
    if folder is None or kind is None or kind == folder.kind:
        return found
    message = (
        f'The file is {with_article(kind)}, but folder "{folder.name}" contains {folder.kind}s:'
        f" upload it to {with_article(kind)} folder, or leave the folder empty to use the default one."
    )
    ours = common_pb2.Violation(
        code=WRONG_KIND, message=message, measured=_text(kind), limit=_text(folder.kind), unit="format"
    )
    return [ours, *(violation for violation in found if violation.code != WRONG_KIND)]


def upload_rejected(file_name: str, found: list[common_pb2.Violation], policy_version: str) -> InvalidArgument:
    if not found:
        found = [
            common_pb2.Violation(
                code="unsupported_format",
                message="The file is neither a JPEG or PNG image nor an MP4 video: upload one of those.",
                limit=struct_pb2.Value(
                    list_value=struct_pb2.ListValue(values=[_text("jpeg"), _text("png"), _text("mp4")])
                ),
                unit="format",
            )
        ]
    subject = f'"{file_name}"' if file_name else "The file"
    summary = " ".join(violation.message for violation in found)
    return InvalidArgument(
        "upload_rejected",
        f"{subject} was rejected ({len(found)} {'rule' if len(found) == 1 else 'rules'} broken): {summary}",
        violations=found,
        metadata={"violation_codes": ",".join(violation.code for violation in found)},
        policy_version=policy_version,
    )


def with_article(kind: str) -> str:
    """Return "an image" or "a video"."""
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
