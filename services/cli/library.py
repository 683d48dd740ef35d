"""`mediacenter search`, `export-urls` and `capacity`."""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.table import Table
from rich.text import Text

from services.cli.errors import EXIT_USAGE, CliError
from services.cli.folders import find_folder, list_folders
from services.cli.gateway import Gateway
from services.cli.output import (
    format_bytes,
    format_date,
    format_dimensions,
    format_duration,
    print_json,
    stdout_console,
)
from services.cli.sizes import format_size

# The gateway returns at most this many items per page.
MAX_PAGE_SIZE = 200
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class SearchOptions:
    query: str
    on: str | None
    date_from: str | None
    date_to: str | None
    kind: str | None
    folder: str | None
    limit: int
    fetch_all: bool
    as_json: bool


def parse_day(text: str) -> str:
    """Check a YYYY-MM-DD day for argparse; raise ValueError with a message that shows the format."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"Invalid day {text!r}: write it as YYYY-MM-DD, for example 2026-12-04.") from None


def search(gateway: Gateway, options: SearchOptions) -> int:
    if options.on and (options.date_from or options.date_to):
        raise CliError("Give either --on DAY or a range with --from/--to, not both.", EXIT_USAGE)
    if options.limit < 1:
        raise CliError(f"Invalid --limit {options.limit}: give a number of items of at least 1.", EXIT_USAGE)
    params: dict[str, Any] = {"q": options.query}
    if options.kind:
        params["kind"] = options.kind
    if options.folder:
        params["folder_id"] = find_folder(list_folders(gateway), options.folder, options.kind)["id"]
    for name, value in (
        ("created_on", options.on),
        ("created_from", options.date_from),
        ("created_to", options.date_to),
    ):
        if value:
            params[name] = value

    wanted = None if options.fetch_all else options.limit
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page_size = MAX_PAGE_SIZE if wanted is None else min(MAX_PAGE_SIZE, wanted - len(items))
        page = gateway.get_json(
            "/v1/media", {**params, "limit": page_size, **({"cursor": cursor} if cursor else {})}
        )
        items.extend(item for item in page.get("items", []) if isinstance(item, dict))
        cursor = page.get("next_cursor") or ""
        if not cursor or (wanted is not None and len(items) >= wanted):
            break

    if options.as_json:
        print_json({"items": items, "next_cursor": cursor or None})
        return 0
    _print_items(items)
    if cursor:
        print(f"Showing the first {len(items)} matches; add --all to list every match.", file=sys.stderr)
    return 0


def _print_items(items: list[dict[str, Any]]) -> None:
    console = stdout_console()
    if not items:
        console.print("No media matches.")
        return
    table = Table()
    # Ids and dates stay on one line so they can be copied; the other columns fold in a narrow terminal.
    whole = {"Id": len("00000000-0000-0000-0000-000000000000"), "Date (UTC)": len("2026-01-01 00:00")}
    for heading in ("Id", "Name", "Kind", "Size", "Dimensions", "Duration", "Date (UTC)"):
        table.add_column(
            heading,
            justify="right" if heading in ("Size", "Duration") else "left",
            overflow="fold",
            no_wrap=heading in whole,
            min_width=whole.get(heading),
        )
    for item in items:
        table.add_row(
            Text(str(item.get("id", ""))),
            Text(str(item.get("name", ""))),
            str(item.get("kind", "")),
            format_bytes(item.get("byte_size")),
            format_dimensions(item),
            format_duration(item),
            format_date(item.get("created_at")),
        )
    console.print(table)
    console.print(f"{len(items)} item{'s' if len(items) != 1 else ''}.")


def export_urls(gateway: Gateway, ids: list[str], as_json: bool) -> int:
    _require_media_ids(ids, "export-urls")
    body = gateway.send_json("POST", "/v1/media/export-urls", {"ids": ids})
    urls = body.get("urls", []) if isinstance(body, dict) else []
    if as_json:
        print_json({"urls": urls})
    else:
        for url in urls:
            print(url)
    return 0


def delete_media(gateway: Gateway, ids: list[str], detach: bool) -> int:
    """Delete each item in turn; stop at the first failure, after saying which items were deleted."""
    _require_media_ids(ids, "delete")
    for deleted, media_id in enumerate(ids):
        try:
            gateway.request("DELETE", f"/v1/media/{media_id}", params={"detach": "true"} if detach else None)
        except CliError as error:
            if deleted:
                raise CliError(f"Deleted {deleted} of {len(ids)} items, then {media_id} failed: {error}") from None
            raise
        print(f"Deleted {media_id}.")
    return 0


def _require_media_ids(values: list[str], command: str) -> None:
    not_ids = [value for value in values if not _is_media_id(value)]
    if not_ids:
        raise CliError(
            f"{not_ids[0]!r} is not a media id: {command} takes ids such as "
            "1ad62201-d1af-4aee-a7d4-b5d303cc7d41. Find them in the Id column of `mediacenter search NAME`.",
            EXIT_USAGE,
        )


def _is_media_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def capacity(gateway: Gateway, as_json: bool) -> int:
    body = gateway.get_json("/v1/capacity")
    if as_json:
        print_json(body)
        return 0
    used, total = int(body.get("used_bytes", 0)), int(body.get("total_bytes", 0))
    share = f" ({used / total:.1%})" if total else ""
    print(
        f"Used {format_size(used)} of {format_size(total)}{share}; {format_size(max(total - used, 0))} free.\n"
        f"({used:,} of {total:,} bytes; 1 MiB = 1,048,576 bytes.)"
    )
    return 0
