"""The one entry point that judges a file on disk against the upload policy."""

from __future__ import annotations

import hashlib
import logging
import os

from services.validation import messages
from services.validation.images import inspect_image
from services.validation.policy import CURRENT_POLICY, UploadPolicy
from services.validation.sniff import HEAD_BYTES, detect
from services.validation.verdict import Kind, MediaMetadata, Verdict
from services.validation.videos import inspect_video

logger = logging.getLogger(__name__)

_HASH_BLOCK_BYTES = 1024 * 1024


def inspect_file(
    path: str,
    *,
    expected_kind: Kind = Kind.UNKNOWN,
    policy: UploadPolicy = CURRENT_POLICY,
    sha256: str | None = None,
) -> Verdict:
    """Judge the file at path by its content and return every rule it breaks, with its metadata and preview.

    expected_kind is the kind the target folder holds, or UNKNOWN to let the content decide.
    sha256 is the digest of the file when the caller already computed it while receiving the bytes.
    """
    byte_size = os.path.getsize(path)
    with open(path, "rb") as file:
        head = file.read(HEAD_BYTES)
    digest = sha256 if sha256 is not None else file_sha256(path)
    verdict = Verdict(
        kind=Kind.UNKNOWN,
        metadata=MediaMetadata(byte_size=byte_size),
        sha256=digest,
        policy_version=policy.version,
    )
    if byte_size == 0:
        verdict.violations.append(messages.empty_file())
        return verdict

    detected = detect(head)
    verdict.kind = detected.kind
    verdict.metadata.format = detected.name if detected.kind is not Kind.UNKNOWN else ""
    if detected.kind is Kind.UNKNOWN:
        verdict.violations.append(
            messages.unsupported_format(
                detected.description,
                None,
                [*policy.image.formats, *policy.video.formats],
                "Upload a JPEG or PNG image, or an MP4 video.",
            )
        )
        return verdict
    if expected_kind is not Kind.UNKNOWN and detected.kind is not expected_kind:
        verdict.violations.append(messages.wrong_kind(detected.kind, expected_kind))

    if detected.kind is Kind.IMAGE:
        rules = policy.image
        if detected.name not in rules.formats:
            verdict.violations.append(
                messages.unsupported_format(
                    detected.description, detected.name, list(rules.formats), "Save it as JPEG or PNG and upload again."
                )
            )
            if byte_size > rules.max_bytes:
                verdict.violations.append(messages.file_too_large(detected.kind, byte_size, rules.max_bytes))
            return verdict
        inspection = inspect_image(path, detected, byte_size, rules)
    else:
        rules = policy.video
        if detected.name not in rules.formats:
            verdict.violations.append(
                messages.unsupported_format(
                    detected.description, detected.name, list(rules.formats), "Export it as MP4 and upload again."
                )
            )
            if byte_size > rules.max_bytes:
                verdict.violations.append(messages.file_too_large(detected.kind, byte_size, rules.max_bytes))
            return verdict
        inspection = inspect_video(path, detected, byte_size, rules)

    verdict.metadata = inspection.metadata
    verdict.violations.extend(inspection.violations)
    verdict.preview_webp = inspection.preview_webp if verdict.accepted else b""
    return verdict


def file_sha256(path: str) -> str:
    """Return the SHA-256 of a file's bytes as lowercase hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(_HASH_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()
