"""Size parsing and formatting: every unit is 1024-based, as the Media Center counts 1 MB."""

from __future__ import annotations

import pytest

from services.cli.sizes import format_size, parse_size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("1048576", 1_048_576),
        ("512b", 512),
        ("500k", 500 * 1024),
        ("500KB", 500 * 1024),
        ("500KiB", 500 * 1024),
        ("5M", 5 * 1024**2),
        ("500MB", 500 * 1024**2),
        ("500mib", 500 * 1024**2),
        ("5GB", 5 * 1024**3),
        ("5GiB", 5 * 1024**3),
        ("5g", 5 * 1024**3),
        ("1TB", 1024**4),
        ("1.5GB", 3 * 512 * 1024**2),
        (" 2 MB ", 2 * 1024**2),
        (".5k", 512),
    ],
)
def test_parse_size_accepts(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "GB", "-5GB", "5 PB", "5XB", "five", "1.2.3M", "5 G B", "0.1b"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_size(text)

    assert repr(text) in str(raised.value)


def test_parse_size_message_shows_units() -> None:
    with pytest.raises(ValueError) as raised:
        parse_size("5 parsecs")

    assert "1 MB = 1,048,576 bytes" in str(raised.value)
    assert "5GB" in str(raised.value)


@pytest.mark.parametrize(
    ("byte_count", "expected"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (5 * 1024**2, "5.0 MiB"),
        (5 * 1024**3, "5.0 GiB"),
        (3 * 1024**4, "3.0 TiB"),
        (2048 * 1024**4, "2048.0 TiB"),
    ],
)
def test_format_size(byte_count: int, expected: str) -> None:
    assert format_size(byte_count) == expected
