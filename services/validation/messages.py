"""Violations with the sentences sellers read: each names the measured value, the limit and the fix."""

from __future__ import annotations

from fractions import Fraction

from services.validation.policy import MIB, ImagePolicy, VideoPolicy
from services.validation.verdict import Kind, Violation


def _megabytes(size: int) -> str:
    """Format a byte count as MB (1 MB = 1,048,576 bytes) with the exact count beside it."""
    return f"{size / MIB:.2f} MB ({size:,} bytes)"


def _limit_megabytes(size: int) -> str:
    return f"{size // MIB} MB ({size:,} bytes)" if size % MIB == 0 else _megabytes(size)


def _seconds(milliseconds: int) -> str:
    return f"{milliseconds / 1000:.2f}".rstrip("0").rstrip(".") + " s"


def empty_file() -> Violation:
    return Violation(
        code="empty_file",
        message="The file is empty (0 bytes). Check that the right file was chosen and upload it again.",
        measured=0,
        limit=1,
        unit="bytes",
    )


def unsupported_format(description: str, detected: str | None, allowed: list[str], advice: str) -> Violation:
    """Build the rejection for content that is not an allowed format; description names what it really is."""
    return Violation(
        code="unsupported_format",
        message=f"The file is {description}; only {_allowed_text(allowed)} files are accepted. {advice}",
        measured=detected,
        limit=allowed,
        unit="format",
    )


def _allowed_text(allowed: list[str]) -> str:
    names = [name.upper() for name in allowed]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def wrong_kind(found: Kind, expected: Kind) -> Violation:
    return Violation(
        code="wrong_kind",
        message=(
            f"The file is {'an' if found is Kind.IMAGE else 'a'} {found.value}, but this folder holds "
            f"{expected.value}s. Upload it to {'an' if found is Kind.IMAGE else 'a'} {found.value} folder instead."
        ),
        measured=found.value,
        limit=expected.value,
        unit="",
    )


def file_too_large(kind: Kind, byte_size: int, max_bytes: int) -> Violation:
    advice = (
        "Compress it or reduce its dimensions and upload again."
        if kind is Kind.IMAGE
        else "Shorten it or export it at a lower bitrate and upload again."
    )
    noun = "image" if kind is Kind.IMAGE else "video"
    return Violation(
        code="file_too_large",
        message=f"The {noun} is {_megabytes(byte_size)}; it must be at most {_limit_megabytes(max_bytes)}. {advice}",
        measured=byte_size,
        limit=max_bytes,
        unit="bytes",
    )


def upload_too_large(received: int, max_bytes: int) -> Violation:
    """Build the rejection for a stream cut off after more bytes than any kind allows."""
    return Violation(
        code="file_too_large",
        message=(
            f"The upload passed {_limit_megabytes(max_bytes)}, the largest size any file may have, "
            f"after {received:,} bytes. Make the file smaller and upload again."
        ),
        measured=received,
        limit=max_bytes,
        unit="bytes",
    )


def image_too_small(side: str, measured: int, rules: ImagePolicy) -> Violation:
    return Violation(
        code="image_too_small",
        message=(
            f"The image is {measured} px {side}; it must be at least {rules.min_side_px} px {side}. "
            "Upload a larger image."
        ),
        measured=measured,
        limit=rules.min_side_px,
        unit="px",
    )


def image_too_large(width: int, height: int, rules: ImagePolicy) -> Violation:
    longer = max(width, height)
    return Violation(
        code="image_too_large",
        message=(
            f"The image is {width}x{height} px; its longer side must be at most {rules.max_side_px:,} px. "
            "Resize it and upload again."
        ),
        measured=longer,
        limit=rules.max_side_px,
        unit="px",
    )


def animated_image(frames: int) -> Violation:
    return Violation(
        code="animated_image",
        message=(
            f"The image is an animated PNG with {frames} frames; only still images are accepted. "
            "Save a single frame as PNG or JPEG and upload again."
        ),
        measured=frames,
        limit=1,
        unit="",
    )


def corrupt_file(description: str, advice: str = "Export the file again and upload the new copy.") -> Violation:
    """Build the rejection for a file that cannot be read to the end; description names what failed."""
    return Violation(code="corrupt_file", message=f"{description} {advice}", unit="")


def no_video_track() -> Violation:
    return Violation(
        code="no_video_track",
        message="The MP4 file has no video track, only audio. Upload a file that contains video.",
        measured=0,
        limit=1,
        unit="",
    )


def video_too_long(duration_ms: int, rules: VideoPolicy) -> Violation:
    limit = rules.max_duration_ms_exclusive
    return Violation(
        code="video_too_long",
        message=(
            f"The video is {_seconds(duration_ms)} long; it must be shorter than {_seconds(limit)}. "
            "Trim it and upload again."
        ),
        measured=duration_ms,
        limit=limit,
        unit="ms",
    )


def video_too_short(duration_ms: int) -> Violation:
    return Violation(
        code="video_too_short",
        message=(
            f"The video is {_seconds(duration_ms)} long; it must last longer than 0 s. "
            "Export it again with at least one frame of playing time."
        ),
        measured=duration_ms,
        limit=0,
        unit="ms",
    )


def aspect_ratio_out_of_range(width: int, height: int, ratio: Fraction, rules: VideoPolicy) -> Violation:
    """Build the rejection for a display aspect ratio outside the range; width and height are as displayed."""
    narrow_w, narrow_h = rules.min_aspect
    wide_w, wide_h = rules.max_aspect
    return Violation(
        code="aspect_ratio_out_of_range",
        message=(
            f"The video is displayed at {width}x{height} px, an aspect ratio of {float(ratio):.3f}; it must be "
            f"between {narrow_w}:{narrow_h} ({narrow_w / narrow_h:.4f}) and {wide_w}:{wide_h} "
            f"({wide_w / wide_h:.4f}). Crop it to a ratio in that range and upload again."
        ),
        measured=round(float(ratio), 6),
        limit=[round(narrow_w / narrow_h, 6), round(wide_w / wide_h, 6)],
        unit="ratio",
    )


def inspection_timed_out(seconds: float) -> Violation:
    return Violation(
        code="inspection_timed_out",
        message=(
            f"Checking the file took longer than {seconds:g} s, so it was stopped. "
            "Export the file again in a standard format and upload the new copy."
        ),
        measured=None,
        limit=round(seconds * 1000),
        unit="ms",
    )


def worker_failed() -> Violation:
    """Build the rejection for a file whose reader stopped without a verdict (a crash or a reader fault)."""
    return corrupt_file(
        "The file could not be read: the reader stopped on it.",
        "Export the file again in a standard format and upload the new copy.",
    )
