"""Content sniffing: which format a file is, from its first bytes, never from its name."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from services.validation.verdict import Kind

# Bytes read from the start of a file to recognise it; an ftyp box with its brands fits well inside.
HEAD_BYTES = 4096

# Brands of the ISO base media file format family that an MP4 player opens (ISO/IEC 14496-12 and -14,
# plus the Apple M4V, DASH and CMAF brands that declare MP4 compatibility).
MP4_BRANDS = frozenset(
    {
        b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
        b"mp41", b"mp42", b"mp71", b"avc1", b"hvc1", b"av01",
        b"dash", b"msdh", b"msix", b"cmfc", b"cmf2", b"cmfs",
        b"M4V ", b"M4VH", b"M4VP", b"M4A ", b"MSNV", b"f4v ", b"mmp4",
    }
)
# Still-image brands of HEIF, AVIF and their relatives, which share the box layout of MP4.
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2"})
AVIF_BRANDS = frozenset({b"avif", b"avis"})
QUICKTIME_BRAND = b"qt  "
# Top-level boxes that start a QuickTime file written without an ftyp box.
QUICKTIME_LEADING_BOXES = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


@dataclass(frozen=True)
class Detected:
    """A recognised format: its short name, its kind, and how a seller would call it."""

    name: str
    kind: Kind
    description: str
    mime_type: str = ""


UNKNOWN = Detected("unknown", Kind.UNKNOWN, "not an image or a video file")


def detect(head: bytes) -> Detected:
    """Return the format the first bytes of a file show; UNKNOWN when no known signature matches."""
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("jpeg", Kind.IMAGE, "a JPEG image", "image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("png", Kind.IMAGE, "a PNG image", "image/png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Detected("gif", Kind.IMAGE, "a GIF image")
    if head.startswith(b"BM") and len(head) >= 14:
        return Detected("bmp", Kind.IMAGE, "a BMP image")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Detected("webp", Kind.IMAGE, "a WebP image")
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return Detected("tiff", Kind.IMAGE, "a TIFF image")
    if head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")):
        return Detected("jpeg2000", Kind.IMAGE, "a JPEG 2000 image")
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return Detected("jpegxl", Kind.IMAGE, "a JPEG XL image")
    if head[4:8] == b"ftyp":
        return _detect_iso_media(head)
    if head[4:8] in QUICKTIME_LEADING_BOXES and len(head) >= 8:
        return Detected("mov", Kind.VIDEO, "a QuickTime MOV video")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Detected("matroska", Kind.VIDEO, "a Matroska or WebM video")
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return Detected("avi", Kind.VIDEO, "an AVI video")
    if head.startswith(b"FLV\x01"):
        return Detected("flv", Kind.VIDEO, "a Flash video (FLV)")
    if head.startswith((b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3")):
        return Detected("mpeg", Kind.VIDEO, "an MPEG program stream video")
    if len(head) >= 377 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47:
        return Detected("mpegts", Kind.VIDEO, "an MPEG transport stream video")
    return _detect_other(head)


def _detect_iso_media(head: bytes) -> Detected:
    """Tell MP4 from QuickTime, HEIF and AVIF by the brands of the ftyp box."""
    major, compatible = ftyp_brands(head)
    if major in HEIF_BRANDS:
        return Detected("heic", Kind.IMAGE, "a HEIC/HEIF image")
    if major in AVIF_BRANDS:
        return Detected("avif", Kind.IMAGE, "an AVIF image")
    if major == QUICKTIME_BRAND:
        return Detected("mov", Kind.VIDEO, "a QuickTime MOV video")
    if major in MP4_BRANDS or any(brand in MP4_BRANDS for brand in compatible):
        return Detected("mp4", Kind.VIDEO, "an MP4 video", "video/mp4")
    if major.startswith(b"3g"):
        return Detected("3gp", Kind.VIDEO, "a 3GP mobile video")
    if QUICKTIME_BRAND in compatible:
        return Detected("mov", Kind.VIDEO, "a QuickTime MOV video")
    printable = major.decode("latin-1") if all(32 <= byte < 127 for byte in major) else major.hex()
    return Detected("iso-media", Kind.VIDEO, f"an ISO media file with the unknown brand '{printable.strip()}'")


def ftyp_brands(head: bytes) -> tuple[bytes, list[bytes]]:
    """Return the major brand and the compatible brands of the ftyp box at the start of head."""
    (size,) = struct.unpack(">I", head[:4])
    end = min(len(head), size) if size >= 16 else min(len(head), 16)
    major = head[8:12]
    compatible = [head[offset : offset + 4] for offset in range(16, end - 3, 4)]
    return major, compatible


_OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg media file"),
    (b"fLaC", "a FLAC audio file"),
    (b"8BPS", "a Photoshop document"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)


def _detect_other(head: bytes) -> Detected:
    for signature, description in _OTHER_SIGNATURES:
        if head.startswith(signature):
            return Detected("other", Kind.UNKNOWN, description)
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return Detected("other", Kind.UNKNOWN, "a WAV audio file")
    stripped = head.lstrip()[:256].lower()
    if stripped.startswith(b"<svg") or (stripped.startswith(b"<?xml") and b"<svg" in head.lower()):
        return Detected("svg", Kind.IMAGE, "an SVG drawing")
    if stripped.startswith((b"<!doctype html", b"<html")):
        return Detected("other", Kind.UNKNOWN, "an HTML page")
    return UNKNOWN
