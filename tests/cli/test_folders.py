"""Finding a folder by id or by name, as --folder does."""

from __future__ import annotations

import pytest

from services.cli.errors import EXIT_USAGE, CliError
from services.cli.folders import find_folder

FOLDERS = [
    {"id": "f-img", "name": "Images", "kind": "image", "is_default": True},
    {"id": "f-vid", "name": "Videos", "kind": "video", "is_default": True},
    {"id": "f-summer-img", "name": "Summer", "kind": "image", "is_default": False},
    {"id": "f-summer-vid", "name": "summer", "kind": "video", "is_default": False},
]


def test_find_folder_by_id() -> None:
    assert find_folder(FOLDERS, "f-summer-vid", "image")["id"] == "f-summer-vid"


def test_find_folder_by_name_ignores_case() -> None:
    assert find_folder(FOLDERS, "  IMAGES ", "image")["id"] == "f-img"


def test_find_folder_by_name_uses_the_kind() -> None:
    assert find_folder(FOLDERS, "SUMMER", "image")["id"] == "f-summer-img"
    assert find_folder(FOLDERS, "SUMMER", "video")["id"] == "f-summer-vid"


def test_find_folder_name_of_both_kinds_is_ambiguous() -> None:
    with pytest.raises(CliError) as raised:
        find_folder(FOLDERS, "summer", None)

    assert raised.value.exit_code == EXIT_USAGE
    assert "f-summer-img (image)" in raised.value.message
    assert "f-summer-vid (video)" in raised.value.message
    assert "Give the folder id" in raised.value.message


def test_find_folder_of_the_other_kind_is_not_found() -> None:
    with pytest.raises(CliError) as raised:
        find_folder(FOLDERS, "Images", "video")

    assert "No video folder has the name or id 'Images'" in raised.value.message
    assert "mediacenter folder create Images --kind video" in raised.value.message
