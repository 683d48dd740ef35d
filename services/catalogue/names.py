"""Cleaning of file names, display names and folder names, and the word tokens used by search."""

from __future__ import annotations

import re
import unicodedata

from services.runtime.errors import InvalidArgument

# Longest stored name in characters; longer names are cut before the extension.
MAX_NAME_CHARS = 200
MAX_FOLDER_NAME_CHARS = 100
# An extension longer than this is treated as part of the name when a name is shortened.
_MAX_EXTENSION_CHARS = 10

# Unicode bidirectional controls: they can make "gpj.exe" display as "exe.jpg".
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Extensions a format may carry in a URL file name; the first is used when the name has none of them.
_EXTENSIONS_BY_FORMAT = {"jpeg": ("jpg", "jpeg"), "png": ("png",), "mp4": ("mp4",)}

# Characters replaced by "-" in URL file names: path and query delimiters, percent and characters
# that RFC 3986 does not allow in a path segment.
_URL_AWKWARD = re.compile(r"[\s/\\?#%\"<>`{}|^\[\]]+")
_WORD = re.compile(r"[^\W_]+")


def _is_hidden_control(character: str) -> bool:
    return unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS


def _strip_controls(text: str) -> str:
    return "".join(character for character in text if not _is_hidden_control(character))


def canonical_extension(media_format: str) -> str:
    """Return the usual file extension of a format ("jpeg" gives "jpg")."""
    return _EXTENSIONS_BY_FORMAT.get(media_format, (media_format or "bin",))[0]


def _bound_length(name: str) -> str:
    if len(name) <= MAX_NAME_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= _MAX_EXTENSION_CHARS:
        return stem[: MAX_NAME_CHARS - len(extension) - 1].rstrip() + "." + extension
    return name[:MAX_NAME_CHARS].rstrip()


def clean_display_name(raw: str) -> str:
    """Drop control characters and bidirectional overrides, trim, and bound the length; "" stays ""."""
    text = unicodedata.normalize("NFC", _strip_controls(raw)).strip()
    return _bound_length(text)


def clean_file_name(raw: str, media_format: str) -> str:
    """Clean a client's file name: drop any path (either slash), hidden controls, surrounding spaces.

    Unicode letters are kept. An empty result becomes "untitled.<extension of the format>".
    """
    last_part = re.split(r"[/\\]", raw)[-1]
    name = clean_display_name(last_part)
    if not name.strip(". "):
        return f"untitled.{canonical_extension(media_format)}"
    return name


def url_file_name(name: str, media_format: str) -> str:
    """Return a readable URL-safe file name for a display name, ending in an extension of the format.

    Delimiters and spaces become "-"; other Unicode stays and is percent-encoded by the URL builder.
    """
    safe = _URL_AWKWARD.sub("-", name).strip("-.")
    stem, dot, extension = safe.rpartition(".")
    allowed = _EXTENSIONS_BY_FORMAT.get(media_format, (canonical_extension(media_format),))
    if dot and extension.lower() in allowed:
        stem = stem.strip("-.")
        extension = extension.lower()
    else:
        stem, extension = safe, allowed[0]
    if not stem:
        stem = "untitled"
    stem = stem[: MAX_NAME_CHARS - len(extension) - 1]
    return f"{stem}.{extension}"


def fold_for_search(text: str) -> str:
    """Case-fold text the same way for stored names and queries (NFKC, then Unicode case folding)."""
    return unicodedata.normalize("NFKC", text).casefold()


def search_tokens(query: str) -> list[str]:
    """Split a query into word tokens of letters and digits; punctuation and "_" separate words."""
    return _WORD.findall(fold_for_search(query))


def clean_folder_name(raw: str, *, field: str = "name") -> str:
    """Trim a folder name and check it: 1 to 100 characters, no control characters."""
    name = raw.strip()
    if not name:
        raise InvalidArgument(
            "invalid_folder_name",
            "The folder name is empty: give a name of 1 to 100 characters.",
            field_violations=[(field, "must contain 1 to 100 characters after trimming spaces")],
        )
    if len(name) > MAX_FOLDER_NAME_CHARS:
        raise InvalidArgument(
            "invalid_folder_name",
            f"The folder name has {len(name)} characters; use at most {MAX_FOLDER_NAME_CHARS}.",
            field_violations=[(field, f"must contain at most {MAX_FOLDER_NAME_CHARS} characters")],
        )
    if any(_is_hidden_control(character) for character in name):
        raise InvalidArgument(
            "invalid_folder_name",
            "The folder name contains control characters: use printable characters only.",
            field_violations=[(field, "must not contain control characters or bidirectional overrides")],
        )
    return unicodedata.normalize("NFC", name)
