"""Image inspection with Pillow: dimensions from the header first, then one decode that also makes the preview."""

from __future__ import annotations

import io
import logging
import struct
import warnings
import zlib
from dataclasses import dataclass, field

from PIL import Image

from services.validation import messages
from services.validation.image_header import read_dimensions
from services.validation.policy import ImagePolicy
from services.validation.sniff import Detected
from services.validation.verdict import MediaMetadata, Violation

logger = logging.getLogger(__name__)

# Longer side of every preview, pixels.
PREVIEW_SIDE_PX = 320
PREVIEW_WEBP_QUALITY = 80

# The only Pillow plugins allowed to open an upload; every other format is rejected by sniffing first.
_PILLOW_FORMATS = {"jpeg": ["JPEG"], "png": ["PNG"]}

# Exceptions Pillow raises on malformed input. Besides OSError (truncated data, decoder errors) plugins raise
# SyntaxError (bad headers), ValueError (oversized PNG text or ICC chunks), zlib.error and struct.error
# (bad compressed or packed data), EOFError, and the decompression bomb error and warning. IndexError,
# KeyError and TypeError come from plugin code reading out-of-range header values.
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    zlib.error,
    struct.error,
    IndexError,
    KeyError,
    TypeError,
    MemoryError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)

# EXIF orientations 5 to 8 turn the image a quarter, so the displayed width is the stored height.
_QUARTER_TURN_ORIENTATIONS = frozenset({5, 6, 7, 8})
# Transposition that shows an image the right way up, by EXIF orientation (the TIFF/EXIF definition).
_ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION_TAG = 0x0112


@dataclass
class ImageInspection:
    metadata: MediaMetadata
    violations: list[Violation] = field(default_factory=list)
    preview_webp: bytes = b""


def inspect_image(path: str, detected: Detected, byte_size: int, rules: ImagePolicy) -> ImageInspection:
    """Judge a JPEG or PNG file against the image rules and make its preview when it passes."""
    metadata = MediaMetadata(format=detected.name, mime_type=detected.mime_type, byte_size=byte_size)
    result = ImageInspection(metadata)
    if byte_size > rules.max_bytes:
        result.violations.append(messages.file_too_large(detected.kind, byte_size, rules.max_bytes))

    with open(path, "rb") as file:
        dimensions = read_dimensions(file, detected.name)
        if dimensions is None or 0 in dimensions:
            result.violations.append(
                messages.corrupt_file(f"The file starts like {detected.description} but its header cannot be read.")
            )
            return result
        width, height = dimensions
        metadata.width, metadata.height = width, height
        size_violations = _dimension_violations(width, height, rules)
        result.violations.extend(size_violations)
        if any(violation.code == "image_too_large" for violation in size_violations):
            # Never decoded: a small file declaring huge dimensions is a decompression bomb.
            return result

        file.seek(0)
        preview = _decode(file, detected, rules, result)
    if preview is not None and not result.violations:
        result.preview_webp = encode_webp(preview)
    return result


def _dimension_violations(width: int, height: int, rules: ImagePolicy) -> list[Violation]:
    """Check each side on its own; orientation swaps the sides but changes no verdict."""
    violations = []
    if width < rules.min_side_px:
        violations.append(messages.image_too_small("wide", width, rules))
    if height < rules.min_side_px:
        violations.append(messages.image_too_small("high", height, rules))
    if max(width, height) > rules.max_side_px:
        violations.append(messages.image_too_large(width, height, rules))
    return violations


def _decode(file: io.BufferedReader, detected: Detected, rules: ImagePolicy, result: ImageInspection) -> Image.Image | None:
    """Decode the image once, reduced to preview size on the way; record what the decode finds."""
    metadata = result.metadata
    Image.MAX_IMAGE_PIXELS = rules.max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(file, formats=_PILLOW_FORMATS[detected.name])
            if image.size != (metadata.width, metadata.height):
                raise SyntaxError(f"the header declares {metadata.width}x{metadata.height} but Pillow reads {image.size}")
            frames = getattr(image, "n_frames", 1)
            if detected.name == "png" and frames > 1:
                result.violations.append(messages.animated_image(frames))
            if image.mode in ("P", "PA", "1"):
                # Pillow resizes palette and bilevel images by nearest neighbour, so convert them first.
                image.load()
                image = image.convert("L" if image.mode == "1" else "RGBA")
            # For JPEG, thumbnail() decodes with DCT scaling: every coefficient is still read, so
            # truncated or corrupt data fails here as it would at full size, in a fraction of the memory.
            image.thumbnail((PREVIEW_SIDE_PX, PREVIEW_SIDE_PX))
            # thumbnail() leaves an image already within the preview size undecoded.
            image.load()
            orientation = _orientation(image)
        except DECODE_ERRORS as error:
            logger.debug("image decode failed: %s: %s", type(error).__name__, error)
            result.violations.append(
                messages.corrupt_file(f"The {detected.name.upper()} image cannot be decoded to the end ({_reason(error)}).")
            )
            return None

    if orientation in _QUARTER_TURN_ORIENTATIONS:
        metadata.width, metadata.height = metadata.height, metadata.width
    transpose = _ORIENTATION_TRANSPOSE.get(orientation)
    return image.transpose(transpose) if transpose is not None else image


def _orientation(image: Image.Image) -> int:
    """Return the EXIF orientation (1 to 8); a missing or unreadable value counts as 1, upright."""
    try:
        value = image.getexif().get(_EXIF_ORIENTATION_TAG, 1)
    except DECODE_ERRORS as error:
        logger.debug("EXIF unreadable, treated as upright: %s", error)
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _reason(error: BaseException) -> str:
    if isinstance(error, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return "it declares more pixels than allowed"
    if isinstance(error, MemoryError):
        return "it needs more memory than allowed"
    text = str(error).split("\n", 1)[0][:120]
    return text or type(error).__name__


def encode_webp(image: Image.Image) -> bytes:
    """Encode a preview as WebP, turning any Pillow mode into RGB or RGBA first."""
    image = _displayable(image)
    if max(image.size) > PREVIEW_SIDE_PX:
        image.thumbnail((PREVIEW_SIDE_PX, PREVIEW_SIDE_PX))
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=PREVIEW_WEBP_QUALITY)
    return buffer.getvalue()


def _displayable(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode in ("RGB", "RGBA"):
        return image
    if mode.startswith("I;16") or mode in ("I", "F"):
        # Scale 16-bit samples down to 8 bits instead of clipping them to white.
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L").convert("RGB")
    has_alpha = mode in ("LA", "La", "PA", "RGBa") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")
