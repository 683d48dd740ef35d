"""Image dimensions read from the JPEG or PNG header alone, before any decoder allocates pixels."""

from __future__ import annotations

import struct
from typing import BinaryIO

# Start-of-frame markers of every JPEG coding process; they carry the frame's height and width.
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
# Markers that stand alone, without a length field.
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD9)})
# A real JPEG has a few dozen segments before its frame header; more means the header is garbage.
_MAX_JPEG_SEGMENTS = 1000
# Encoders pad with a handful of 0xFF bytes at most; a long run is not a JPEG.
_MAX_FILL_BYTES = 64


def read_dimensions(file: BinaryIO, format_name: str) -> tuple[int, int] | None:
    """Return (width, height) as stored, or None when the header is malformed."""
    file.seek(0)
    if format_name == "png":
        return _png_dimensions(file)
    if format_name == "jpeg":
        return _jpeg_dimensions(file)
    return None


def _png_dimensions(file: BinaryIO) -> tuple[int, int] | None:
    # The signature (8 bytes) is followed by IHDR: length, type, width, height.
    header = file.read(24)
    if len(header) < 24 or header[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _jpeg_dimensions(file: BinaryIO) -> tuple[int, int] | None:
    if file.read(2) != b"\xff\xd8":
        return None
    for _ in range(_MAX_JPEG_SEGMENTS):
        marker = _next_marker(file)
        if marker is None or marker in (0xD9, 0xDA):
            return None
        if marker in _STANDALONE_MARKERS:
            continue
        length_bytes = file.read(2)
        if len(length_bytes) < 2:
            return None
        (length,) = struct.unpack(">H", length_bytes)
        if length < 2:
            return None
        if marker in _SOF_MARKERS:
            frame = file.read(5)
            if len(frame) < 5:
                return None
            _precision, height, width = struct.unpack(">BHH", frame)
            return width, height
        file.seek(length - 2, 1)
    return None


def _next_marker(file: BinaryIO) -> int | None:
    """Read up to the next marker and return its code; fill bytes (0xFF repeated) are skipped."""
    byte = file.read(1)
    if byte != b"\xff":
        return None
    for _ in range(_MAX_FILL_BYTES):
        byte = file.read(1)
        if byte != b"\xff":
            return byte[0] if byte else None
    return None
