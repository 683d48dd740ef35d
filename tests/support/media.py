"""Small media files made by code, for tests of every part. Validation tests have their own, fuller set."""

from __future__ import annotations

import io
import random

from PIL import Image


def make_jpeg(width: int = 640, height: int = 480, *, seed: int = 0, quality: int = 90) -> bytes:
    """Return a JPEG with noisy content, so different seeds give different bytes."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    noise = Image.frombytes("RGB", (64, 64), rng.randbytes(64 * 64 * 3)).resize((width, height))
    image = Image.blend(image, noise, 0.5)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def make_png(width: int = 640, height: int = 480, *, seed: int = 0, mode: str = "RGB") -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (32, 32), rng.randbytes(32 * 32 * 3)).resize((width, height)).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def make_mp4(width: int = 640, height: int = 360, *, seconds: float = 1.0, fps: int = 10, seed: int = 0) -> bytes:
    """Return an H.264 MP4 made with PyAV."""
    import av
    import numpy

    rng = numpy.random.default_rng(seed)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width = width
        stream.height = height
        stream.pix_fmt = "yuv420p"
        for _ in range(max(1, round(seconds * fps))):
            pixels = rng.integers(0, 256, (height, width, 3), dtype=numpy.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()
