"""`mediacenter upload`: send many files in parallel, one request each, with one progress bar."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO
from urllib.parse import quote

import httpx
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from services.cli.config import Connection
from services.cli.errors import EXIT_USAGE, CliError
from services.cli.folders import resolve_upload_folders
from services.cli.gateway import (
    Gateway,
    client_headers,
    describe_http_failure,
    describe_transport_failure,
    problem_detail,
    problem_errors,
)
from services.cli.output import parse_timestamp, print_json, stderr_console, stdout_console
from services.cli.sizes import format_size
from services.cli.upload_files import MEDIA_SUFFIXES, UploadFile, collect_files
from services.cli.upload_report import (
    ACCEPTED,
    CANCELLED,
    DUPLICATE,
    FAILED,
    REJECTED,
    UploadReport,
    UploadResult,
)

# Attempts per file when the connection fails or the server returns 503. Every attempt carries
# the same Idempotency-Key, so a request that did reach the server is not stored twice.
MAX_ATTEMPTS = 3
RETRY_BACKOFF_SECONDS = (0.5, 2.0)
# Waits per file after 429 (the gateway limits uploads per seller and minute) before giving up.
MAX_RATE_LIMITED_WAITS = 20
# Maximum wait taken from a Retry-After header before the next attempt.
MAX_RETRY_AFTER_SECONDS = 10.0
MAX_JOBS = 32


@dataclass(frozen=True)
class UploadOptions:
    paths: list[str]
    folder: str | None
    jobs: int
    as_json: bool


def run_upload(connection: Connection, options: UploadOptions) -> int:
    """Upload every file and print the result table (or JSON); return the exit status."""
    if not 1 <= options.jobs <= MAX_JOBS:
        raise CliError(
            f"Invalid --jobs {options.jobs}: give a number of parallel uploads from 1 to {MAX_JOBS}.",
            EXIT_USAGE,
        )
    files = collect_files(options.paths)
    if not files:
        suffixes = ", ".join(sorted(MEDIA_SUFFIXES))
        raise CliError(
            f"No media files found in {' '.join(options.paths)}: folders are searched for {suffixes} files. "
            "Name a file directly to send it whatever its name."
        )

    with Gateway(connection) as gateway:
        # One cheap call first, so a stopped server or a wrong key is reported once, not per file.
        capacity = gateway.get_json("/v1/capacity")
        folder_ids = resolve_upload_folders(gateway, options.folder, files) if options.folder else {}
        base_url = gateway.base_url
    _warn_when_over_capacity(capacity, files)

    api_key = connection.resolve_api_key()
    report = asyncio.run(
        _upload_all(files, folder_ids, base_url, api_key, options.jobs, connection.timeout_seconds)
    )
    if options.as_json:
        print_json(report.to_json())
    else:
        report.print(stdout_console())
    return report.exit_code()


def _warn_when_over_capacity(capacity: Any, files: list[UploadFile]) -> None:
    if not isinstance(capacity, dict):
        return
    used, total = capacity.get("used_bytes"), capacity.get("total_bytes")
    if not isinstance(used, int) or not isinstance(total, int):
        return
    needed = sum(upload.size for upload in files)
    if used + needed > total:
        print(
            f"Warning: these files add up to {format_size(needed)} but only {format_size(max(total - used, 0))} "
            f"of the {format_size(total)} quota is free; files that do not fit are rejected "
            "(duplicates take no space).",
            file=sys.stderr,
        )


class _BinaryRateColumn(ProgressColumn):
    """Transfer rate in 1024-based units, matching the sizes the tool prints elsewhere."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{format_size(int(speed))}/s" if speed else "-- /s", style="progress.data.speed")


class _ProgressTracker:
    """One progress bar for the whole run: bytes read from disk, files finished, and the rate."""

    def __init__(self, files: list[UploadFile]) -> None:
        self._files_total = len(files)
        self._files_done = 0
        console = stderr_console()
        self.progress = Progress(
            TextColumn("Uploading"),
            BarColumn(),
            DownloadColumn(binary_units=True),
            _BinaryRateColumn(),
            TextColumn("{task.fields[files]}"),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
            transient=False,
        )
        self._task = self.progress.add_task(
            "upload", total=sum(upload.size for upload in files), files=self._files()
        )

    def _files(self) -> str:
        return f"{self._files_done}/{self._files_total} files"

    def advance(self, byte_count: int) -> None:
        self.progress.update(self._task, advance=byte_count)

    def file_finished(self) -> None:
        self._files_done += 1
        self.progress.update(self._task, files=self._files())


class _CountingReader:
    """A file object that reports each chunk httpx reads from it, for the byte progress."""

    def __init__(self, handle: BinaryIO, tracker: _ProgressTracker) -> None:
        self._handle = handle
        self._tracker = tracker
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self.bytes_read += len(chunk)
        self._tracker.advance(len(chunk))
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        # httpx seeks to 0 before sending; count again from there.
        self._tracker.advance(-self.bytes_read)
        self.bytes_read = 0
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def fileno(self) -> int:
        return self._handle.fileno()


async def _upload_all(
    files: list[UploadFile],
    folder_ids: dict[str | None, str],
    base_url: str,
    api_key: str,
    jobs: int,
    timeout_seconds: float,
) -> UploadReport:
    """Upload the files with `jobs` workers; on SIGINT cancel what is in flight and return what was done."""
    results: dict[int, UploadResult] = {}
    pending: Iterator[tuple[int, UploadFile]] = iter(enumerate(files))
    workers: list[asyncio.Task[None]] = []
    interrupted = False

    def interrupt() -> None:
        nonlocal interrupted
        interrupted = True
        for worker in workers:
            worker.cancel()

    # Installed first, so that Ctrl-C at any later point cancels the uploads instead of raising
    # KeyboardInterrupt in the middle of the event loop.
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        tracker = _ProgressTracker(files)
        run_started = datetime.now(UTC)
        async with httpx.AsyncClient(
            base_url=base_url,
            headers=client_headers(api_key),
            timeout=httpx.Timeout(timeout_seconds, connect=10.0),
            limits=httpx.Limits(max_connections=jobs, max_keepalive_connections=jobs),
        ) as client:

            async def work() -> None:
                for index, upload in pending:
                    folder_id = folder_ids.get(upload.kind, folder_ids.get(None, ""))
                    try:
                        results[index] = await _upload_one(client, upload, folder_id, tracker, run_started)
                    except asyncio.CancelledError:
                        results[index] = UploadResult(
                            upload,
                            CANCELLED,
                            error="Stopped by Ctrl-C while uploading: the server may or may not have stored it.",
                        )
                        raise
                    tracker.file_finished()

            # The signal callback runs only while the loop waits, so no worker starts after an interrupt.
            if not interrupted:
                workers.extend(asyncio.create_task(work()) for _ in range(min(jobs, len(files))))
                with tracker.progress:
                    await asyncio.gather(*workers, return_exceptions=True)
    finally:
        loop.remove_signal_handler(signal.SIGINT)

    ordered = [results[index] for index in sorted(results)]
    not_started = [upload for index, upload in enumerate(files) if index not in results]
    return UploadReport(ordered, not_started=not_started, interrupted=interrupted)


async def _upload_one(
    client: httpx.AsyncClient,
    upload: UploadFile,
    folder_id: str,
    tracker: _ProgressTracker,
    run_started: datetime,
) -> UploadResult:
    """Upload one file, and upload it again when the server replays an item deleted since an earlier run.

    The server keeps the first result of an Idempotency-Key even after the item is deleted, so
    a re-run would otherwise report the file as a duplicate of an item that no longer exists.
    """
    key = upload.idempotency_key(folder_id)
    result = await _send(client, upload, folder_id, key, tracker, run_started)
    if result.status != DUPLICATE or not result.media or await _media_exists(client, result.media):
        return result
    tracker.advance(-upload.size)
    # A key of this run only: a retry within the run still stores nothing twice.
    run_key = f"{key}-{int(run_started.timestamp())}"
    return await _send(client, upload, folder_id, run_key, tracker, run_started)


async def _media_exists(client: httpx.AsyncClient, media: dict[str, Any]) -> bool:
    """Tell whether a media item is still live; True when the check itself fails, to upload nothing twice."""
    try:
        response = await client.get(f"/v1/media/{quote(str(media.get('id', '')), safe='')}")
    except httpx.TransportError:
        return True
    return response.status_code != 404


async def _send(
    client: httpx.AsyncClient,
    upload: UploadFile,
    folder_id: str,
    idempotency_key: str,
    tracker: _ProgressTracker,
    run_started: datetime,
) -> UploadResult:
    """Send the file as its own POST /v1/media, retrying connection failures, 429 and 503."""
    params = {"folder_id": folder_id} if folder_id else None
    headers = {"Idempotency-Key": idempotency_key}
    failures = 0
    rate_limited = 0
    while True:
        reader: _CountingReader | None = None
        try:
            # Opening and reading a local file in 64 KiB chunks is quick next to the network send.
            with open(upload.path, "rb") as handle:  # noqa: ASYNC230
                reader = _CountingReader(handle, tracker)
                response = await client.post(
                    "/v1/media", params=params, headers=headers, files={"file": (upload.path.name, reader)}
                )
        except OSError as error:
            return UploadResult(upload, FAILED, error=f"Cannot read the file: {error.strerror or error}.")
        except httpx.TransportError as error:
            tracker.advance(-reader.bytes_read if reader else 0)
            failures += 1
            if failures >= MAX_ATTEMPTS:
                message = describe_transport_failure(error, str(client.base_url), client.timeout.read or 0)
                return UploadResult(upload, FAILED, error=f"{message} (after {failures} attempts)")
            await asyncio.sleep(RETRY_BACKOFF_SECONDS[failures - 1])
            continue

        if response.status_code == 429 and rate_limited < MAX_RATE_LIMITED_WAITS:
            rate_limited += 1
            tracker.advance(-reader.bytes_read)
            await asyncio.sleep(_retry_delay(response, RETRY_BACKOFF_SECONDS[0]))
            continue
        if response.status_code == 503 and failures + 1 < MAX_ATTEMPTS:
            failures += 1
            tracker.advance(-reader.bytes_read)
            await asyncio.sleep(_retry_delay(response, RETRY_BACKOFF_SECONDS[failures - 1]))
            continue
        if reader.bytes_read < upload.size:
            # The server responded before reading the whole file (a rejection of an oversized body).
            tracker.advance(upload.size - reader.bytes_read)
        return classify_response(upload, response, run_started)


def _retry_delay(response: httpx.Response, fallback_seconds: float) -> float:
    retry_after = response.headers.get("Retry-After", "")
    if retry_after.isdigit():
        return min(float(retry_after), MAX_RETRY_AFTER_SECONDS)
    return fallback_seconds


def classify_response(upload: UploadFile, response: httpx.Response, run_started: datetime) -> UploadResult:
    """Turn the gateway's response to one upload into the file's result."""
    status = response.status_code
    if status in (200, 201):
        try:
            media = response.json()
        except ValueError:
            media = None
        if not isinstance(media, dict):
            return UploadResult(upload, FAILED, error=f"HTTP {status} with a body that is not a media item.")
        if media.get("duplicate"):
            # The existing item keeps its own name and folder, so the note names it.
            existing = media.get("name")
            note = f"same bytes already in the library as {existing!r}" if existing else "same bytes already in the library"
            return UploadResult(upload, DUPLICATE, media=media, note=note)
        if _is_earlier_upload(response, media, run_started):
            return UploadResult(upload, DUPLICATE, media=media, note="uploaded before")
        return UploadResult(upload, ACCEPTED, media=media)

    errors = problem_errors(response)
    if errors or status in (413, 422):
        detail = problem_detail(response)
        return UploadResult(
            upload, REJECTED, errors=errors or [{"code": "", "message": detail}], error=detail
        )
    return UploadResult(upload, FAILED, error=describe_http_failure(response))


def _is_earlier_upload(response: httpx.Response, media: dict[str, Any], run_started: datetime) -> bool:
    """Tell whether a success response replays an upload made before this run, so nothing new was stored.

    The Idempotency-Key of an unchanged file is the same on every run, and the server then
    returns the first run's response again, which is not marked as a duplicate.
    NOTE: without an `Idempotent-Replayed: true` header this compares the item's creation
    time with the start of the run, which assumes the server's clock is not behind this one.
    """
    if response.headers.get("Idempotent-Replayed", "").lower() in ("true", "1"):
        return True
    created_at = parse_timestamp(media.get("created_at"))
    return created_at is not None and created_at < run_started
