"""The outcome of each uploaded file, the result table, the JSON document and the exit status."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from services.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from services.cli.sizes import format_size
from services.cli.upload_files import UploadFile

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
REJECTED = "rejected"
FAILED = "failed"
# Stopped by Ctrl-C while the request was in flight: the server may or may not have stored it.
CANCELLED = "cancelled"

_STYLES = {ACCEPTED: "green", DUPLICATE: "cyan", REJECTED: "red", FAILED: "red", CANCELLED: "yellow"}
_SUCCESSES = frozenset({ACCEPTED, DUPLICATE})


@dataclass
class UploadResult:
    """The outcome of one file's upload."""

    file: UploadFile
    status: str
    # The stored item (accepted) or the existing one (duplicate).
    media: dict[str, Any] | None = None
    # Rejected files: one {code, message, measured, limit} entry per broken rule.
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Failed and cancelled files: what went wrong, as a sentence.
    error: str = ""
    # Duplicate files: why the file counts as already stored.
    note: str = ""

    def details(self) -> str:
        if self.status in _SUCCESSES and self.media:
            text = f"id {self.media.get('id', '?')}"
            return f"{text} ({self.note})" if self.note else text
        if self.status == REJECTED:
            reasons = [str(entry.get("message") or entry.get("code") or "") for entry in self.errors]
            return "\n".join(reason for reason in reasons if reason) or self.error
        return self.error

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.file.display_path,
            "size_bytes": self.file.size,
            "status": self.status,
            "media_id": (self.media or {}).get("id"),
            "media": self.media,
            "errors": self.errors,
            "error": self.error or None,
        }


@dataclass
class UploadReport:
    """Every file's result in the order the files were given, and whether Ctrl-C stopped the run."""

    results: list[UploadResult]
    # Files never started because the run was interrupted.
    not_started: list[UploadFile] = field(default_factory=list)
    interrupted: bool = False

    def counts(self) -> Counter[str]:
        return Counter(result.status for result in self.results)

    def exit_code(self) -> int:
        """Return 130 when interrupted, else 0 only when every file was accepted or a duplicate."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.not_started or any(result.status not in _SUCCESSES for result in self.results):
            return EXIT_FAILED
        return EXIT_OK

    def summary(self) -> str:
        counts = self.counts()
        total = len(self.results) + len(self.not_started)
        parts = [f"{counts[status]} {status}" for status in _STYLES if counts[status]]
        line = f"{total} file{'s' if total != 1 else ''}: " + (", ".join(parts) if parts else "none uploaded")
        if self.not_started:
            line += f", {len(self.not_started)} not started"
        line += "."
        if self.interrupted:
            line += (
                " Interrupted: run the same command again to upload the rest;"
                " files already stored are reported as duplicates, not stored twice."
            )
        return line

    def to_json(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "results": [result.to_json() for result in self.results],
            "not_started": [upload.display_path for upload in self.not_started],
            "summary": {status: counts[status] for status in _STYLES}
            | {"not_started": len(self.not_started)},
            "interrupted": self.interrupted,
            "ok": self.exit_code() == EXIT_OK,
        }

    def table(self) -> Table:
        table = Table(show_lines=False, expand=False)
        table.add_column("File", overflow="fold")
        table.add_column("Result")
        table.add_column("Size", justify="right")
        table.add_column("Details", overflow="fold")
        for result in self.results:
            table.add_row(
                Text(result.file.display_path),
                Text(result.status, style=_STYLES.get(result.status, "")),
                format_size(result.file.size),
                Text(result.details()),
            )
        return table

    def print(self, console: Console) -> None:
        if self.results:
            console.print(self.table())
        console.file.write(self.summary() + "\n")
        console.file.flush()
