"""The files an upload sends: walking folders, guessing each file's kind and its idempotency key."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from services.cli.errors import EXIT_USAGE, CliError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png"})
VIDEO_SUFFIXES = frozenset({".mp4"})
MEDIA_SUFFIXES = IMAGE_SUFFIXES | VIDEO_SUFFIXES


@dataclass(frozen=True)
class UploadFile:
    """One file to upload, with the facts taken from the file system before the upload starts."""

    path: Path
    # The path as the user wrote it, or relative to the folder the user named; used in reports.
    display_path: str
    size: int
    mtime_ns: int

    @property
    def kind(self) -> str | None:
        """Return "image" or "video" from the file name, or None when the name does not tell.

        The server judges the bytes, never the name: this only picks the folder to send the file to.
        """
        suffix = self.path.suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            return "image"
        if suffix in VIDEO_SUFFIXES:
            return "video"
        return None

    def idempotency_key(self, folder_id: str = "") -> str:
        """Derive the Idempotency-Key from the absolute path, size, modification time and target folder.

        A retry of the same file (after a network error, or by running the command again)
        sends the same key, so the server returns the first result instead of storing the
        file twice. A file that is edited gets a new modification time and so a new key.
        """
        identity = "\0".join((str(self.path), str(self.size), str(self.mtime_ns), folder_id))
        return "cli-" + hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()


def collect_files(arguments: Iterable[str]) -> list[UploadFile]:
    """Expand the paths given on the command line into the files to upload, in a stable order.

    A file named directly is sent whatever its name. A folder is walked recursively, and only
    its .jpg, .jpeg, .png and .mp4 files (in any letter case) are sent. Hidden files and
    folders (names starting with ".") are skipped. A file reached twice is sent once.
    Raise CliError naming every path that does not exist or cannot be read.
    """
    files: list[UploadFile] = []
    seen: set[Path] = set()
    problems: list[str] = []
    for argument in arguments:
        path = Path(argument).expanduser()
        if path.is_dir():
            candidates = [(found, _display(argument, path, found)) for found in _walk(path)]
        elif path.exists():
            candidates = [(path, argument)]
        else:
            problems.append(f"No such file or folder: {argument}")
            continue
        for candidate, display in candidates:
            resolved = candidate.resolve()
            if resolved in seen:
                continue
            try:
                status = resolved.stat()
            except OSError as error:
                problems.append(f"Cannot read {display}: {error.strerror or error}")
                continue
            if not os.access(resolved, os.R_OK):
                problems.append(f"Cannot read {display}: permission denied")
                continue
            seen.add(resolved)
            files.append(UploadFile(resolved, display, status.st_size, status.st_mtime_ns))
    if problems:
        raise CliError("\n".join(problems) + "\nCheck the paths and run the command again.", EXIT_USAGE)
    return files


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, directories, names in os.walk(folder):
        directories[:] = sorted(name for name in directories if not name.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in MEDIA_SUFFIXES and os.path.isfile(os.path.join(root, name)):
                found.append(Path(root, name))
    return found


def _display(argument: str, folder: Path, found: Path) -> str:
    return str(Path(argument) / found.relative_to(folder))
