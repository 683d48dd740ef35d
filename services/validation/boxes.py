"""A walk over the top-level boxes of an ISO base media file, to find a missing index or cut data."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

# A real file has a handful of top-level boxes (plus two per fragment); a cap keeps garbage bounded.
_MAX_TOP_LEVEL_BOXES = 100_000


@dataclass(frozen=True)
class TopLevelLayout:
    """Structure of a file as its top-level boxes show it."""

    box_types: tuple[bytes, ...]
    # Set when a box claims more bytes than the file holds: (box type, declared size, bytes present).
    cut_short: tuple[bytes, int, int] | None = None
    # Set when the boxes cannot be walked at all.
    malformed: str = ""

    @property
    def has_index(self) -> bool:
        return b"moov" in self.box_types

    @property
    def is_fragmented(self) -> bool:
        return b"moof" in self.box_types


def walk_top_level(file: BinaryIO, file_size: int) -> TopLevelLayout:
    """Return the top-level box types in order, and whether the last one runs past the end of the file."""
    types: list[bytes] = []
    offset = 0
    while offset < file_size:
        if len(types) >= _MAX_TOP_LEVEL_BOXES:
            return TopLevelLayout(tuple(types), malformed="too many top-level boxes")
        file.seek(offset)
        header = file.read(16)
        if len(header) < 8:
            return TopLevelLayout(tuple(types), malformed=f"{len(header)} stray bytes at offset {offset}")
        size, box_type = struct.unpack(">I4s", header[:8])
        header_size = 8
        if size == 1:
            if len(header) < 16:
                return TopLevelLayout(tuple(types), malformed=f"box header cut short at offset {offset}")
            (size,) = struct.unpack(">Q", header[8:16])
            header_size = 16
        elif size == 0:
            size = file_size - offset
        if size < header_size:
            return TopLevelLayout(tuple(types), malformed=f"box at offset {offset} declares {size} bytes")
        types.append(box_type)
        present = file_size - offset
        if size > present:
            return TopLevelLayout(tuple(types), cut_short=(box_type, size, present))
        offset += size
    return TopLevelLayout(tuple(types))
