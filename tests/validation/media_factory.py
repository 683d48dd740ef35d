"""Media files made by code for validation tests: valid files of every accepted shape and broken ones.

Builders return bytes. Videos are encoded with PyAV (libx264, AAC); broken
files are made by patching boxes, chunks and markers of valid ones.
"""

from __future__ import annotations

import io
import random
import struct
import tempfile
import zlib
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy
from PIL import Image

MIB = 1024 * 1024
EXIF_ORIENTATION_TAG = 0x0112


# Images


def noise_image(width: int, height: int, *, mode: str = "RGB", seed: int = 0) -> Image.Image:
    """Return a smooth noisy RGB picture converted to mode, so encoders produce realistic sizes."""
    rng = random.Random(seed)
    tile = Image.frombytes("RGB", (16, 16), rng.randbytes(16 * 16 * 3))
    image = tile.resize((width, height), Image.Resampling.BILINEAR)
    return image.convert(mode) if mode != "RGB" else image


def jpeg(
    width: int = 640,
    height: int = 480,
    *,
    mode: str = "RGB",
    orientation: int | None = None,
    quality: int = 85,
    seed: int = 0,
    progressive: bool = False,
) -> bytes:
    image = noise_image(width, height, mode=mode, seed=seed)
    options: dict[str, object] = {"quality": quality, "progressive": progressive}
    if orientation is not None:
        exif = Image.Exif()
        exif[EXIF_ORIENTATION_TAG] = orientation
        options["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def png(width: int = 640, height: int = 480, *, mode: str = "RGB", seed: int = 0, **options: object) -> bytes:
    buffer = io.BytesIO()
    _png_image(width, height, mode, seed).save(buffer, "PNG", **options)
    return buffer.getvalue()


def _png_image(width: int, height: int, mode: str, seed: int) -> Image.Image:
    if mode == "I;16":
        ramp = numpy.linspace(0, 65535, width * height, dtype=numpy.uint16).reshape(height, width)
        return Image.fromarray(ramp)
    if mode == "P":
        return noise_image(width, height, seed=seed).quantize(64)
    return noise_image(width, height, mode=mode, seed=seed)


def palette_png_with_transparency(width: int = 400, height: int = 400) -> bytes:
    image = noise_image(width, height).quantize(16)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    return buffer.getvalue()


def apng(width: int = 400, height: int = 400, *, frames: int = 3) -> bytes:
    images = [noise_image(width, height, seed=seed) for seed in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PNG", save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def mpo(width: int = 640, height: int = 480) -> bytes:
    """Return a multi-picture JPEG (MPO), as cameras write with an extra preview frame."""
    first = noise_image(width, height, seed=1)
    second = noise_image(width // 2, height // 2, seed=2)
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    return buffer.getvalue()


def pillow_file(format_name: str, width: int = 400, height: int = 400, **options: object) -> bytes:
    """Return an image in any format Pillow writes, for example GIF, BMP, WEBP or TIFF."""
    image = noise_image(width, height)
    if format_name == "GIF" and options.get("save_all"):
        options.setdefault("append_images", [noise_image(width, height, seed=9)])
    buffer = io.BytesIO()
    image.save(buffer, format_name, **options)
    return buffer.getvalue()


def heic_like() -> bytes:
    """Return the start of a HEIC file: an ftyp box with HEIF brands and a meta box of filler."""
    ftyp = _box(b"ftyp", b"heic" + struct.pack(">I", 0) + b"mif1heic")
    return ftyp + _box(b"meta", bytes(64))


def png_chunk(chunk_type: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", zlib.crc32(chunk_type + data))


def png_declaring(width: int, height: int) -> bytes:
    """Return a small PNG whose header declares width x height but whose data is a few bytes: a bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes(1 + width * 3) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")


def png_with_chunk_before_data(chunk_type: bytes, data: bytes, *, width: int = 400, height: int = 400) -> bytes:
    """Return a valid PNG with an extra chunk placed right after IHDR."""
    original = png(width, height)
    ihdr_end = 8 + 25
    return original[:ihdr_end] + png_chunk(chunk_type, data) + original[ihdr_end:]


def png_with_huge_text() -> bytes:
    """Return a PNG whose compressed text chunk expands past Pillow's text limit (a zip bomb in metadata)."""
    expanded = zlib.compress(b"a" * (16 * MIB), 9)
    return png_with_chunk_before_data(b"zTXt", b"Comment\x00\x00" + expanded)


def png_with_huge_icc_profile() -> bytes:
    expanded = zlib.compress(bytes(16 * MIB), 9)
    return png_with_chunk_before_data(b"iCCP", b"icc\x00\x00" + expanded)


def jpeg_declaring(width: int, height: int) -> bytes:
    """Return a small JPEG whose frame header is patched to declare width x height."""
    data = bytearray(jpeg(320, 320))
    offset = find_jpeg_frame_header(bytes(data))
    struct.pack_into(">HH", data, offset + 5, height, width)
    return bytes(data)


def find_jpeg_frame_header(data: bytes) -> int:
    """Return the offset of the first baseline or progressive start-of-frame marker."""
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        offset = data.find(marker)
        if offset > 0:
            return offset
    raise ValueError("no start-of-frame marker")


def corrupt_png_pixels(data: bytes) -> bytes:
    """Overwrite the middle of the first IDAT chunk's compressed data and fix its CRC."""
    offset = data.find(b"IDAT") - 4
    (length,) = struct.unpack(">I", data[offset : offset + 4])
    body = bytearray(data[offset + 8 : offset + 8 + length])
    middle = len(body) // 2
    body[middle : middle + 16] = b"\xff" * 16
    chunk = png_chunk(b"IDAT", bytes(body))
    return data[:offset] + chunk + data[offset + 12 + length :]


def cut(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


def padded(data: bytes, total_size: int) -> bytes:
    """Return a file of exactly total_size bytes: data plus bytes that decoders ignore.

    A PNG gets a private ancillary chunk before IEND, and anything else gets zero bytes appended
    after its end (for a JPEG, after the end-of-image marker).
    """
    missing = total_size - len(data)
    if missing < 0:
        raise ValueError(f"data is already {len(data)} bytes, more than {total_size}")
    if data.startswith(b"\x89PNG"):
        if missing < 12:
            raise ValueError("a PNG needs at least 12 bytes of room for a padding chunk")
        iend = data.rfind(b"IEND") - 4
        return data[:iend] + png_chunk(b"pdNg", bytes(missing - 12)) + data[iend:]
    return data + bytes(missing)


# Videos


def mp4(
    width: int = 640,
    height: int = 360,
    *,
    frames: int = 10,
    fps: int = 25,
    pts: Sequence[int] | None = None,
    rotation_clockwise: int = 0,
    sample_aspect_ratio: Fraction | None = None,
    audio_seconds: float = 0.0,
    container_format: str = "mp4",
    movflags: str = "",
    codec: str = "libx264",
    preset: str = "ultrafast",
    noise: bool | str = False,
    seed: int = 0,
) -> bytes:
    """Encode a video; pts, in units of 1/fps, places frames at chosen times to reach exact durations.

    noise=True fills frames with pixel noise (large files), noise="blocks" with coarse moving blocks,
    and the default with one flat colour per frame (tiny files).
    """
    options = {"movflags": movflags} if movflags else {}
    with tempfile.TemporaryDirectory() as folder:
        # A real path lets the muxer rewrite the file, which moving the index to the front needs.
        path = str(Path(folder) / f"video.{container_format}")
        with av.open(path, "w", format=container_format, options=options) as container:
            video = container.add_stream(codec, rate=fps, options={"preset": preset} if codec == "libx264" else {})
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            if sample_aspect_ratio is not None:
                video.codec_context.sample_aspect_ratio = sample_aspect_ratio
            if rotation_clockwise:
                # The display matrix angle is counterclockwise.
                video.set_display_rotation(-rotation_clockwise)
            audio = container.add_stream("aac", rate=48000) if audio_seconds > 0 else None
            _encode_video(container, video, width, height, frames, pts, noise, seed)
            if audio is not None:
                _encode_silence(container, audio, audio_seconds)
        return Path(path).read_bytes()


def _encode_video(container, video, width, height, frames, pts, noise, seed) -> None:
    rng = numpy.random.default_rng(seed)
    count = len(pts) if pts is not None else frames
    for index in range(count):
        if noise == "blocks":
            # Coarse moving blocks: compresses like ordinary footage rather than like pure noise.
            blocks = rng.integers(0, 256, (height // 40 + 1, width // 40 + 1, 3), dtype=numpy.uint8)
            pixels = numpy.ascontiguousarray(blocks.repeat(40, axis=0).repeat(40, axis=1)[:height, :width])
        elif noise:
            pixels = rng.integers(0, 256, (height, width, 3), dtype=numpy.uint8)
        else:
            pixels = numpy.full((height, width, 3), (index * 23 + seed) % 256, dtype=numpy.uint8)
        frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
        if pts is not None:
            frame.pts = pts[index]
        for packet in video.encode(frame):
            container.mux(packet)
    for packet in video.encode():
        container.mux(packet)


def _encode_silence(container, audio, seconds: float) -> None:
    samples_per_frame = 1024
    total = round(seconds * audio.rate)
    for start in range(0, total, samples_per_frame):
        count = min(samples_per_frame, total - start)
        frame = av.AudioFrame.from_ndarray(numpy.zeros((1, count), dtype=numpy.float32), format="fltp", layout="mono")
        frame.sample_rate = audio.rate
        frame.pts = start
        for packet in audio.encode(frame):
            container.mux(packet)
    for packet in audio.encode():
        container.mux(packet)


def audio_only_mp4(seconds: float = 2.0) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "audio.mp4")
        with av.open(path, "w", format="mp4") as container:
            audio = container.add_stream("aac", rate=48000)
            _encode_silence(container, audio, seconds)
        return Path(path).read_bytes()


def _box(box_type: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + box_type + payload


def top_level_boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """Return (type, offset, size) of each top-level box."""
    boxes = []
    offset = 0
    while offset + 8 <= len(data):
        size, box_type = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            (size,) = struct.unpack(">Q", data[offset + 8 : offset + 16])
        elif size == 0:
            size = len(data) - offset
        boxes.append((box_type, offset, size))
        if size < 8:
            break
        offset += size
    return boxes


def rename_box(data: bytes, old: bytes, new: bytes) -> bytes:
    """Rename the first top-level box of a type, for example moov to free, which hides the index."""
    for box_type, offset, _size in top_level_boxes(data):
        if box_type == old:
            return data[: offset + 4] + new + data[offset + 8 :]
    raise ValueError(f"no top-level {old!r} box")


def set_major_brand(data: bytes, brand: bytes, compatible: Sequence[bytes] | None = None) -> bytes:
    """Rewrite the ftyp box with another major brand (and optionally other compatible brands)."""
    box_type, offset, size = top_level_boxes(data)[0]
    if box_type != b"ftyp":
        raise ValueError("the file does not start with an ftyp box")
    old_compatible = [data[i : i + 4] for i in range(offset + 16, offset + size, 4)]
    brands = list(compatible) if compatible is not None else old_compatible
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 0) + b"".join(brands))
    if len(ftyp) != size:
        raise ValueError("the new ftyp box must keep the old size, or chunk offsets break")
    return data[:offset] + ftyp + data[offset + size :]


def set_movie_header_duration(data: bytes, duration: int) -> bytes:
    """Overwrite the duration in the mvhd box (in its own timescale), as an editor that misstates it would."""
    offset = data.find(b"mvhd")
    if offset < 0:
        raise ValueError("no mvhd box")
    version = data[offset + 4]
    patched = bytearray(data)
    if version == 1:
        struct.pack_into(">Q", patched, offset + 4 + 4 + 8 + 8 + 4, duration)
    else:
        struct.pack_into(">I", patched, offset + 4 + 4 + 4 + 4 + 4, duration)
    return bytes(patched)


def padded_mp4(data: bytes, total_size: int) -> bytes:
    """Return an MP4 of exactly total_size bytes by appending a free box, which players skip."""
    missing = total_size - len(data)
    if missing < 8:
        raise ValueError(f"need at least 8 bytes of room, have {missing}")
    return data + _box(b"free", bytes(missing - 8))


def flat_png(width: int, height: int, *, channels: int = 4, level: int = 1) -> bytes:
    """Return a PNG of one colour written row by row, so even 10,000 x 10,000 px builds in about a second."""
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    compressor = zlib.compressobj(level)
    row = b"\x00" + bytes([90, 160, 220, 255][:channels]) * width
    compressed = [compressor.compress(row) for _ in range(height)]
    compressed.append(compressor.flush())
    pixels = b"".join(compressed)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")
