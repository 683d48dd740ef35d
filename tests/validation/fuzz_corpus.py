"""A seeded corpus of mutated and hostile media files, for fuzz tests of every part that accepts uploads.

`mutated_files(count, seed)` yields the same files for the same arguments, so a
failure can be replayed from its index. `hostile_files()` lists named broken
and tricky files that an upload endpoint must reject with a verdict, never an error.
"""

from __future__ import annotations

import functools
import random
import struct
from collections.abc import Callable, Iterator

from tests.validation import media_factory as media

# Values that make length and count fields overflow, vanish or point past the end.
_INTERESTING_32 = (0, 1, 7, 8, 0x7F, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)
_INTERESTING_8 = (0x00, 0x01, 0x7F, 0x80, 0xFF)


@functools.cache
def seed_files() -> dict[str, bytes]:
    """Return small valid files, one per accepted format, to mutate."""
    return {
        "jpeg": media.jpeg(320, 320, quality=70, orientation=6),
        "png": media.png(320, 320, mode="RGBA"),
        "mp4": media.mp4(360, 360, frames=6, fps=10, audio_seconds=0.6, movflags="faststart"),
    }


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Apply one to four random mutations: bit flips, overwrites, field patches, cuts, copies and inserts."""
    mutated = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not mutated:
            break
        rng.choice(_MUTATIONS)(mutated, rng)
    return bytes(mutated)


def _flip_bits(data: bytearray, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(data))
        data[position] ^= 1 << rng.randrange(8)


def _overwrite_byte(data: bytearray, rng: random.Random) -> None:
    data[rng.randrange(len(data))] = rng.choice(_INTERESTING_8)


def _patch_field(data: bytearray, rng: random.Random) -> None:
    """Overwrite a big-endian 32-bit field, most often in the headers near the start."""
    limit = min(len(data), 2048) if rng.random() < 0.7 else len(data)
    if limit < 4:
        return
    position = rng.randrange(limit - 3)
    struct.pack_into(">I", data, position, rng.choice(_INTERESTING_32))


def _truncate(data: bytearray, rng: random.Random) -> None:
    del data[rng.randrange(len(data)) :]


def _delete_slice(data: bytearray, rng: random.Random) -> None:
    start = rng.randrange(len(data))
    del data[start : start + rng.randint(1, 256)]


def _duplicate_slice(data: bytearray, rng: random.Random) -> None:
    start = rng.randrange(len(data))
    piece = data[start : start + rng.randint(1, 512)]
    position = rng.randrange(len(data))
    data[position:position] = piece


def _insert_random(data: bytearray, rng: random.Random) -> None:
    position = rng.randrange(len(data))
    data[position:position] = rng.randbytes(rng.randint(1, 64))


_MUTATIONS: tuple[Callable[[bytearray, random.Random], None], ...] = (
    _flip_bits,
    _overwrite_byte,
    _patch_field,
    _patch_field,
    _truncate,
    _delete_slice,
    _duplicate_slice,
    _insert_random,
)


def mutated_files(count: int, seed: int = 0) -> Iterator[tuple[str, bytes]]:
    """Yield count (name, bytes) pairs, cycling through the seed formats; each name contains the format and index."""
    seeds = seed_files()
    formats = sorted(seeds)
    rng = random.Random(seed)
    for index in range(count):
        format_name = formats[index % len(formats)]
        yield f"mutated-{index:05d}.{format_name}", mutate(seeds[format_name], rng)


def hostile_files() -> dict[str, bytes]:
    """Return named files an upload endpoint must reject with a verdict; none of them is acceptable."""
    seeds = seed_files()
    return {
        "empty.jpg": b"",
        "text-named.jpg": b"This is not an image.\n",
        "png-bomb.png": media.png_declaring(60_000, 60_000),
        "jpeg-bomb.jpg": media.jpeg_declaring(60_000, 60_000),
        "png-text-bomb.png": media.png_with_huge_text(),
        "truncated.jpg": media.cut(seeds["jpeg"], 0.5),
        "truncated.png": media.cut(seeds["png"], 0.5),
        "gif-named.jpg": media.pillow_file("GIF", save_all=True),
        "bmp-named.jpg": media.pillow_file("BMP"),
        "animated.png": media.apng(320, 320, frames=2),
        "quicktime-named.mp4": media.mp4(360, 360, frames=2, container_format="mov"),
        "no-index.mp4": media.rename_box(seeds["mp4"], b"moov", b"free"),
        "truncated.mp4": media.cut(seeds["mp4"], 0.6),
        "audio-only.mp4": media.audio_only_mp4(1.0),
        "too-small.png": media.png(120, 80),
    }
