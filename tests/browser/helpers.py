"""Steps the browser tests share: writing media files and uploading them through the page."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.support.media import make_jpeg, make_mp4, make_png


def write_images(directory: Path, names: Iterable[str], *, width: int = 640, height: int = 480, first_seed: int = 1) -> list[Path]:
    """Write one valid image per name (JPEG or PNG by its extension), each with different bytes."""
    paths = []
    for seed, name in enumerate(names, start=first_seed):
        path = directory / name
        if name.lower().endswith(".png"):
            path.write_bytes(make_png(width, height, seed=seed))
        else:
            path.write_bytes(make_jpeg(width, height, seed=seed))
        paths.append(path)
    return paths


def write_video(directory: Path, name: str, *, seconds: float = 1.0) -> Path:
    path = directory / name
    path.write_bytes(make_mp4(seconds=seconds))
    return path


def upload_row(page: Page, file_name: str) -> Locator:
    """Return the upload list entry of one file."""
    return page.locator("#upload-list > li").filter(has=page.locator(".upload-name", has_text=file_name))


def upload_images(page: Page, paths: list[Path], *, expected_state: str = "Added") -> None:
    """Pick the files with "Upload images" and wait until each shows the expected state."""
    page.locator("#upload-images-input").set_input_files([str(path) for path in paths])
    for path in paths:
        expect(upload_row(page, path.name).locator(".upload-state")).to_have_text(expected_state)


def media_card(page: Page, name: str) -> Locator:
    return page.locator("#media-grid > li").filter(has=page.locator(".media-name", has_text=name))


def grid_names(page: Page) -> list[str]:
    return page.locator("#media-grid .media-name").all_inner_texts()


def select_media(page: Page, names: Iterable[str]) -> None:
    """Tick each item's checkbox, in the given order."""
    for name in names:
        page.get_by_role("checkbox", name=name, exact=True).check()
