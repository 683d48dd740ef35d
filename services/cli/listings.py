"""`mediacenter listing set`, `listing show` and `listing export-csv`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rich.table import Table
from rich.text import Text

from services.cli.errors import EXIT_USAGE, CliError
from services.cli.gateway import Gateway
from services.cli.output import print_json, stdout_console

MAX_IMAGES = 9


def version_tag(version: str) -> str:
    """Turn a listing version as the user writes it ("3", "v3" or the ETag "\"v3\"") into the ETag form."""
    text = version.strip()
    if text.startswith(('"', "W/")):
        return text
    return f'"v{text}"' if text.isdigit() else f'"{text}"'


def _media_path(listing_id: str) -> str:
    return f"/v1/listings/{quote(listing_id, safe='')}/media"


def set_listing(
    gateway: Gateway,
    listing_id: str,
    images: list[str],
    video: str | None,
    size_chart: str | None,
    if_match: str | None,
    as_json: bool,
) -> int:
    if len(images) > MAX_IMAGES:
        raise CliError(f"{len(images)} images given: a listing holds at most {MAX_IMAGES}.", EXIT_USAGE)
    body = {"images": images, "video": video, "size_chart": size_chart}
    headers = {"If-Match": version_tag(if_match)} if if_match else None
    response = gateway.request("PUT", _media_path(listing_id), json=body, headers=headers)
    if response.content:
        return _print_listing(listing_id, response.json(), response.headers.get("ETag"), as_json)
    return show_listing(gateway, listing_id, as_json)


def show_listing(gateway: Gateway, listing_id: str, as_json: bool) -> int:
    response = gateway.request("GET", _media_path(listing_id))
    return _print_listing(listing_id, response.json(), response.headers.get("ETag"), as_json)


def _print_listing(listing_id: str, body: Any, etag: str | None, as_json: bool) -> int:
    if as_json:
        print_json(body)
        return 0
    body = body if isinstance(body, dict) else {}
    version = body.get("version")
    label = f"v{version}" if isinstance(version, int) else (etag or "").strip('"')
    table = Table(title=f"Listing {listing_id}" + (f", version {label}" if label else ""))
    for heading in ("Slot", "Id", "Name", "URL"):
        table.add_column(heading, overflow="fold")
    for slot, item in _slots(body):
        entry = item if isinstance(item, dict) else {"id": item}
        table.add_row(
            slot,
            Text(str(entry.get("id", ""))),
            Text(str(entry.get("name", ""))),
            Text(str(entry.get("url", ""))),
        )
    console = stdout_console()
    if table.row_count:
        console.print(table)
    else:
        console.print(f"Listing {listing_id} has no media.")
    return 0


def _slots(body: dict[str, Any]) -> list[tuple[str, Any]]:
    slots: list[tuple[str, Any]] = []
    for position, image in enumerate(body.get("images") or [], start=1):
        slots.append(("main image" if position == 1 else f"image {position}", image))
    for key, label in (("video", "video"), ("size_chart", "size chart")):
        if body.get(key):
            slots.append((label, body[key]))
    return slots


def export_csv(gateway: Gateway, listing_ids: list[str], output: str | None) -> int:
    response = gateway.request("GET", "/v1/listings/export.csv", params={"ids": ",".join(listing_ids)})
    if output is None:
        sys.stdout.write(response.text)
        sys.stdout.flush()
        return 0
    path = Path(output)
    try:
        path.write_bytes(response.content)
    except OSError as error:
        raise CliError(
            f"Cannot write {path}: {error.strerror or error}. Choose another file with -o."
        ) from None
    print(
        f"Wrote {len(listing_ids)} listing{'s' if len(listing_ids) != 1 else ''} to {path}.", file=sys.stderr
    )
    return 0
