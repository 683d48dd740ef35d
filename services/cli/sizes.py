"""Byte sizes as people write them: 5GB, 500MiB, 512k, 1048576.

The Media Center counts 1 MB as 1,048,576 bytes, so every unit here is a power
of 1024: K, KB and KiB mean 1024 bytes, M, MB and MiB mean 1024**2 bytes, and
so on up to T. Units ignore letter case.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_UNIT_EXPONENTS = {
    "": 0,
    "b": 0,
    "k": 1,
    "kb": 1,
    "kib": 1,
    "m": 2,
    "mb": 2,
    "mib": 2,
    "g": 3,
    "gb": 3,
    "gib": 3,
    "t": 4,
    "tb": 4,
    "tib": 4,
}
_SIZE_PATTERN = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>[a-zA-Z]*)\s*$")

SIZE_HELP = (
    "a byte count or a number with a unit: K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB, all 1024-based "
    "(1 MB = 1,048,576 bytes), for example 5GB, 500MB, 512k or 1048576"
)


def parse_size(text: str) -> int:
    """Parse a size such as "5GB", "1.5 MiB" or "1048576" into bytes; raise ValueError naming the text."""
    match = _SIZE_PATTERN.match(text)
    unit = match["unit"].lower() if match else ""
    if match is None or unit not in _UNIT_EXPONENTS:
        raise ValueError(f"Invalid size {text!r}: expected {SIZE_HELP}.")
    try:
        number = Decimal(match["number"])
    except InvalidOperation:
        raise ValueError(f"Invalid size {text!r}: {match['number']!r} is not a number.") from None
    value = number * (1024 ** _UNIT_EXPONENTS[unit])
    if value != value.to_integral_value():
        raise ValueError(f"Invalid size {text!r}: it is not a whole number of bytes ({value} bytes).")
    return int(value)


def format_size(byte_count: int) -> str:
    """Format a byte count with a 1024-based unit: 5242880 -> "5.0 MiB", 512 -> "512 B"."""
    if byte_count < 1024:
        return f"{byte_count} B"
    value = float(byte_count)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")
