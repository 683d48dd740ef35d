"""Printing: tables on standard output, progress and errors on standard error, and field formats."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

from rich.console import Console

from services.cli.sizes import format_size


def stdout_console() -> Console:
    # Highlighting would colour ids and numbers at random; markup is off so names print as they are.
    return Console(highlight=False, markup=False)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, markup=False)


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def parse_timestamp(text: str | None) -> datetime | None:
    """Parse an ISO 8601 time from the API; None for a missing or unreadable value."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_date(text: str | None) -> str:
    moment = parse_timestamp(text)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else ""


def format_dimensions(item: dict[str, Any]) -> str:
    width, height = item.get("width"), item.get("height")
    return f"{width}x{height}" if width and height else ""


def format_duration(item: dict[str, Any]) -> str:
    duration_ms = item.get("duration_ms")
    if not isinstance(duration_ms, int) or duration_ms <= 0:
        return ""
    return f"{duration_ms / 1000:.2f} s"


def format_bytes(value: Any) -> str:
    return format_size(value) if isinstance(value, int) else ""
