"""`mediacenter folders` and `folder create`, and finding a folder by name or id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.table import Table
from rich.text import Text

from services.cli.errors import EXIT_USAGE, CliError
from services.cli.gateway import Gateway
from services.cli.output import print_json, stdout_console
from services.cli.upload_files import UploadFile

KINDS = ("image", "video")


def list_folders(gateway: Gateway) -> list[dict[str, Any]]:
    body = gateway.get_json("/v1/folders")
    folders = body.get("folders") if isinstance(body, dict) else None
    return [folder for folder in folders or [] if isinstance(folder, dict)]


def find_folder(folders: Iterable[dict[str, Any]], wanted: str, kind: str | None) -> dict[str, Any]:
    """Find a folder by id, or by name ignoring case among folders of `kind` (both kinds when None).

    Raise CliError when nothing matches, or when a name matches an image and a video folder.
    """
    folders = list(folders)
    for folder in folders:
        if folder.get("id") == wanted:
            return folder
    name = wanted.strip().casefold()
    matches = [
        folder
        for folder in folders
        if str(folder.get("name", "")).strip().casefold() == name
        and (kind is None or folder.get("kind") == kind)
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        of_kind = f"{kind} " if kind else ""
        create_kind = kind or "image|video"
        raise CliError(
            f"No {of_kind}folder has the name or id {wanted!r}. List folders with `mediacenter folders`, "
            f"or create one with `mediacenter folder create {_quote(wanted)} --kind {create_kind}`.",
            EXIT_USAGE,
        )
    ids = ", ".join(f"{folder.get('id')} ({folder.get('kind')})" for folder in matches)
    raise CliError(f"Several folders are named {wanted!r}: {ids}. Give the folder id instead.", EXIT_USAGE)


def resolve_upload_folders(gateway: Gateway, wanted: str, files: list[UploadFile]) -> dict[str | None, str]:
    """Map each file kind in the upload ("image", "video", or None for other names) to a folder id."""
    folders = list_folders(gateway)
    return {kind: str(find_folder(folders, wanted, kind)["id"]) for kind in {upload.kind for upload in files}}


def show_folders(gateway: Gateway, as_json: bool) -> int:
    folders = list_folders(gateway)
    if as_json:
        print_json({"folders": folders})
        return 0
    table = Table()
    for heading in ("Id", "Name", "Kind", "Default", "Items"):
        table.add_column(heading, justify="right" if heading == "Items" else "left", overflow="fold")
    for folder in folders:
        table.add_row(
            Text(str(folder.get("id", ""))),
            Text(str(folder.get("name", ""))),
            str(folder.get("kind", "")),
            "yes" if folder.get("is_default") else "",
            str(folder.get("item_count", "")),
        )
    stdout_console().print(table)
    return 0


def create_folder(gateway: Gateway, name: str, kind: str, as_json: bool) -> int:
    folder = gateway.send_json("POST", "/v1/folders", {"name": name, "kind": kind})
    if as_json:
        print_json(folder)
    else:
        print(f"Created the {kind} folder {folder.get('name', name)!r} with id {folder.get('id')}.")
    return 0


def rename_folder(gateway: Gateway, name_or_id: str, new_name: str, kind: str | None, as_json: bool) -> int:
    folder = find_folder(list_folders(gateway), name_or_id, kind)
    renamed = gateway.send_json("PATCH", f"/v1/folders/{folder['id']}", {"name": new_name})
    if as_json:
        print_json(renamed)
    else:
        print(f"Renamed the {folder.get('kind')} folder {folder.get('name')!r} to {renamed.get('name', new_name)!r}.")
    return 0


def delete_folder(gateway: Gateway, name_or_id: str, kind: str | None) -> int:
    folder = find_folder(list_folders(gateway), name_or_id, kind)
    gateway.request("DELETE", f"/v1/folders/{folder['id']}")
    print(f"Deleted the {folder.get('kind')} folder {folder.get('name')!r}.")
    return 0


def _quote(text: str) -> str:
    return f'"{text}"' if " " in text else text
