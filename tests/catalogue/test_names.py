"""Cleaning of file names and the search tokens of queries."""

import pytest

from services.catalogue.names import clean_file_name, clean_folder_name, search_tokens, url_file_name
from services.runtime.errors import InvalidArgument


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("photo.jpg", "photo.jpg"),
        ("C:\\Users\\ann\\Desktop\\shoe.JPG", "shoe.JPG"),
        ("../../etc/passwd.png", "passwd.png"),
        ("  spaced name.png  ", "spaced name.png"),
        ("bell\x07\x00name.jpg", "bellname.jpg"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("Größe 42 – 鞋.jpg", "Größe 42 – 鞋.jpg"),
        ("", "untitled.jpg"),
        ("folder/", "untitled.jpg"),
        ("   ", "untitled.jpg"),
    ],
)
def test_clean_file_name_cases(raw, expected):
    assert clean_file_name(raw, "jpeg") == expected


def test_clean_file_name_bounds_length_keeping_extension():
    cleaned = clean_file_name("a" * 500 + ".jpeg", "jpeg")

    assert len(cleaned) == 200
    assert cleaned.endswith("a.jpeg")


@pytest.mark.parametrize(
    ("name", "media_format", "expected"),
    [
        ("red sneaker.JPG", "jpeg", "red-sneaker.jpg"),
        ("what?#100%.png", "png", "what-100.png"),
        ("Größe 42.jpg", "jpeg", "Größe-42.jpg"),
        ("clip", "mp4", "clip.mp4"),
        ("looks like.png", "jpeg", "looks-like.png.jpg"),
        ("...", "png", "untitled.png"),
    ],
)
def test_url_file_name_cases(name, media_format, expected):
    assert url_file_name(name, media_format) == expected


def test_search_tokens_split_on_punctuation_and_underscore():
    assert search_tokens("Sneaker_SIDE view-2") == ["sneaker", "side", "view", "2"]
    assert search_tokens("?!-- ..") == []
    assert search_tokens("ÄPFEL") == ["äpfel"]


@pytest.mark.parametrize("raw", ["", "   ", "x" * 101, "tab\there", "bidi\u202eevil"])
def test_clean_folder_name_rejects(raw):
    with pytest.raises(InvalidArgument) as caught:
        clean_folder_name(raw)

    assert caught.value.field_violations[0][0] == "name"


def test_clean_folder_name_trims():
    assert clean_folder_name("  Summer  ") == "Summer"
