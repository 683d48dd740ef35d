"""HTTP Range requests (RFC 9110 section 14) resolved against a known size.

Policy for awkward requests:
- a header that is not a valid `bytes=` range set is ignored and the whole file is sent (RFC 9110 allows this);
- more than MAX_RANGES ranges, or ranges that overlap, also get the whole file (200), so a
  request cannot make the server send the same bytes many times;
- a valid set where no range starts inside the file is unsatisfiable (416).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

MAX_RANGES = 16


@dataclass(frozen=True)
class ByteRange:
    start: int
    # Last byte, inclusive, as in Content-Range.
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class RangeNotSatisfiable(Exception):
    """No range of a valid Range header overlaps the file."""


def parse_range_header(value: str | None, size: int) -> list[ByteRange] | None:
    """Return the ranges to send, or None to send the whole file; raise RangeNotSatisfiable for a 416.

    Ranges come back in request order.
    """
    if value is None:
        return None
    unit, separator, spec = value.partition("=")
    if not separator or unit.strip().lower() != "bytes":
        return None
    parts = [part.strip() for part in spec.split(",")]
    if len(parts) > MAX_RANGES:
        return None

    requested: list[tuple[int | None, int | None]] = []
    for part in parts:
        parsed = _parse_one(part)
        if parsed is None:
            return None
        requested.append(parsed)

    ranges = [resolved for first, last in requested if (resolved := _resolve(first, last, size)) is not None]
    if not ranges:
        raise RangeNotSatisfiable
    if _overlap(ranges):
        return None
    return ranges


def _parse_one(part: str) -> tuple[int | None, int | None] | None:
    first, separator, last = part.partition("-")
    first, last = first.strip(), last.strip()
    if not separator or not (first or last):
        return None
    if (first and not first.isdigit()) or (last and not last.isdigit()):
        return None
    start = int(first) if first else None
    end = int(last) if last else None
    if start is not None and end is not None and end < start:
        return None
    return start, end


def _resolve(first: int | None, last: int | None, size: int) -> ByteRange | None:
    """Turn one parsed range into byte positions in a file of `size` bytes, or None when it misses the file."""
    if first is None:
        # A suffix range: the last `last` bytes.
        if last == 0 or size == 0:
            return None
        return ByteRange(max(0, size - last), size - 1)
    if first >= size:
        return None
    end = size - 1 if last is None else min(last, size - 1)
    return ByteRange(first, end)


def _overlap(ranges: list[ByteRange]) -> bool:
    ordered = sorted(ranges, key=lambda byte_range: byte_range.start)
    return any(later.start <= earlier.end for earlier, later in itertools.pairwise(ordered))


def etag_matches(header: str | None, etag: str) -> bool:
    """Return True when an If-None-Match or If-Range value names `etag` (weak comparison) or is "*"."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    expected = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == expected for tag in header.split(","))
