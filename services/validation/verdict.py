"""The result of inspecting one file: what was measured and every rule it breaks."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Kind(enum.Enum):
    """Kind of media the content is, independent of the file name."""

    UNKNOWN = "unknown"
    IMAGE = "image"
    VIDEO = "video"


@dataclass(frozen=True)
class Violation:
    """One broken rule: a stable code, a sentence for the seller, and the numbers as data."""

    code: str
    message: str
    # Measured value and limit: a number, a string, a list of strings or None.
    measured: object = None
    limit: object = None
    # Unit of measured and limit: "bytes", "px", "ms", "ratio", "format" or "".
    unit: str = ""


@dataclass
class MediaMetadata:
    """Facts measured from the bytes. Widths and heights are as displayed."""

    format: str = ""
    mime_type: str = ""
    byte_size: int = 0
    width: int = 0
    height: int = 0
    duration_ms: int = 0
    frame_rate: float = 0.0
    video_codec: str = ""
    audio_codec: str = ""
    rotation_degrees: int = 0
    has_audio: bool = False


@dataclass
class Verdict:
    """Decision of one inspection. A file is accepted when it breaks no rule."""

    kind: Kind
    metadata: MediaMetadata
    violations: list[Violation] = field(default_factory=list)
    # WebP preview, accepted files only.
    preview_webp: bytes = b""
    sha256: str = ""
    policy_version: str = ""

    @property
    def accepted(self) -> bool:
        return not self.violations

    @property
    def codes(self) -> list[str]:
        """Codes of the broken rules, in the order they were found."""
        return [violation.code for violation in self.violations]
