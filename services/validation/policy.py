"""Upload policy v1: every limit a file is judged against, kept as data in one place.

Each limit below has a reason. The byte limits are what sellers are promised
(1 MB = 1,048,576 bytes). The 10,000 px cap on an image's longer side bounds
what a decoder may allocate: a 5 MB file can declare billions of pixels, and
such a file is rejected from its header without being decoded.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class ImagePolicy:
    # Allowed formats, by the names content sniffing gives them.
    formats: tuple[str, ...]
    # Largest accepted file, bytes, inclusive.
    max_bytes: int
    # Smallest accepted width and height, pixels, each side checked on its own.
    min_side_px: int
    # Largest accepted longer side, pixels, inclusive.
    max_side_px: int

    @property
    def max_pixels(self) -> int:
        """Largest pixel count a decoder is allowed to allocate for one image."""
        return self.max_side_px * self.max_side_px


@dataclass(frozen=True)
class VideoPolicy:
    formats: tuple[str, ...]
    # Largest accepted file, bytes, inclusive.
    max_bytes: int
    # Narrowest and widest display aspect ratio as (width, height), both inclusive.
    min_aspect: tuple[int, int]
    max_aspect: tuple[int, int]
    # Durations must be shorter than this, milliseconds (exclusive); zero is rejected.
    max_duration_ms_exclusive: int


@dataclass(frozen=True)
class UploadPolicy:
    version: str
    image: ImagePolicy
    video: VideoPolicy

    @property
    def max_upload_bytes(self) -> int:
        """Largest file any kind allows; a stream longer than this is cut off."""
        return max(self.image.max_bytes, self.video.max_bytes)


POLICY_V1 = UploadPolicy(
    version="v1",
    image=ImagePolicy(
        formats=("jpeg", "png"),
        max_bytes=5 * MIB,
        min_side_px=300,
        max_side_px=10_000,
    ),
    video=VideoPolicy(
        formats=("mp4",),
        max_bytes=10 * MIB,
        min_aspect=(9, 16),
        max_aspect=(16, 9),
        max_duration_ms_exclusive=60_000,
    ),
)

# The policy in force. A new version is added next to v1 and selected here.
CURRENT_POLICY = POLICY_V1
