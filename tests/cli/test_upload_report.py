"""The per-file result table, the JSON document and the exit status of an upload."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from services.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from services.cli.upload import classify_response
from services.cli.upload_files import UploadFile
from services.cli.upload_report import (
    ACCEPTED,
    CANCELLED,
    DUPLICATE,
    FAILED,
    REJECTED,
    UploadReport,
    UploadResult,
)


def _file(name: str, size: int = 2048) -> UploadFile:
    return UploadFile(Path("/photos") / name, f"photos/{name}", size, 0)


def _result(name: str, status: str, **fields) -> UploadResult:
    return UploadResult(_file(name), status, **fields)


def _rendered(report: UploadReport) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    report.print(console)
    return console.file.getvalue()


REJECTION_ERRORS = [
    {"code": "image_too_small", "message": "The image width is 200 px; it must be at least 300 px."},
    {"code": "file_too_large", "message": "The file is 6.0 MB; it must be at most 5 MB."},
]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([ACCEPTED], EXIT_OK),
        ([ACCEPTED, DUPLICATE], EXIT_OK),
        ([DUPLICATE, DUPLICATE], EXIT_OK),
        ([ACCEPTED, REJECTED], EXIT_FAILED),
        ([ACCEPTED, FAILED], EXIT_FAILED),
        ([REJECTED], EXIT_FAILED),
    ],
)
def test_exit_code_by_results(statuses: list[str], expected: int) -> None:
    report = UploadReport([_result(f"{index}.jpg", status) for index, status in enumerate(statuses)])

    assert report.exit_code() == expected


def test_exit_code_after_interrupt_is_130() -> None:
    report = UploadReport(
        [_result("a.jpg", ACCEPTED), _result("b.jpg", CANCELLED)],
        not_started=[_file("c.jpg")],
        interrupted=True,
    )

    assert report.exit_code() == EXIT_INTERRUPTED


def test_files_not_started_fail_the_run() -> None:
    report = UploadReport([_result("a.jpg", ACCEPTED)], not_started=[_file("b.jpg")])

    assert report.exit_code() == EXIT_FAILED


def test_table_lists_every_file_with_reasons() -> None:
    report = UploadReport(
        [
            _result("good.jpg", ACCEPTED, media={"id": "m-1"}),
            _result("again.jpg", DUPLICATE, media={"id": "m-1"}, note="same bytes already in the library"),
            _result("small.png", REJECTED, errors=REJECTION_ERRORS),
            _result("broken.jpg", FAILED, error="HTTP 500: An unexpected error occurred."),
        ]
    )

    text = _rendered(report)

    good = next(line for line in text.splitlines() if "photos/good.jpg" in line)
    assert "accepted" in good
    assert "id m-1" in good
    assert "2.0 KiB" in good
    again = next(line for line in text.splitlines() if "photos/again.jpg" in line)
    assert "duplicate" in again
    assert "id m-1" in again
    small = next(line for line in text.splitlines() if "photos/small.png" in line)
    assert "rejected" in small
    assert "The image width is 200 px; it must be at least 300 px." in text
    assert "The file is 6.0 MB; it must be at most 5 MB." in text
    broken = next(line for line in text.splitlines() if "photos/broken.jpg" in line)
    assert "failed" in broken
    assert "HTTP 500" in broken
    assert "4 files: 1 accepted, 1 duplicate, 1 rejected, 1 failed." in text


def test_summary_after_interrupt_says_how_to_finish() -> None:
    report = UploadReport(
        [_result("a.jpg", ACCEPTED)], not_started=[_file("b.jpg"), _file("c.jpg")], interrupted=True
    )

    summary = report.summary()

    assert summary.startswith("3 files: 1 accepted, 2 not started.")
    assert "run the same command again" in summary


def test_json_document_has_every_result() -> None:
    report = UploadReport(
        [
            _result("good.jpg", ACCEPTED, media={"id": "m-1"}),
            _result("small.png", REJECTED, errors=REJECTION_ERRORS),
        ]
    )

    document = report.to_json()

    assert document["ok"] is False
    assert document["interrupted"] is False
    assert document["summary"]["accepted"] == 1
    assert document["summary"]["rejected"] == 1
    assert document["results"][0] == {
        "path": "photos/good.jpg",
        "size_bytes": 2048,
        "status": "accepted",
        "media_id": "m-1",
        "media": {"id": "m-1"},
        "errors": [],
        "error": None,
    }
    assert [entry["code"] for entry in document["results"][1]["errors"]] == [
        "image_too_small",
        "file_too_large",
    ]


RUN_STARTED = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _response(status: int, body: dict, headers: dict | None = None) -> httpx.Response:
    content_type = "application/problem+json" if status >= 400 else "application/json"
    return httpx.Response(status, json=body, headers={"content-type": content_type, **(headers or {})})


def test_classify_created_is_accepted() -> None:
    created = (RUN_STARTED + timedelta(seconds=1)).isoformat()

    result = classify_response(
        _file("a.jpg"), _response(201, {"id": "m-1", "created_at": created}), RUN_STARTED
    )

    assert result.status == ACCEPTED
    assert result.media == {"id": "m-1", "created_at": created}


def test_classify_duplicate_flag_is_duplicate() -> None:
    body = {"id": "m-1", "duplicate": True, "created_at": RUN_STARTED.isoformat()}

    result = classify_response(_file("a.jpg"), _response(200, body), RUN_STARTED)

    assert result.status == DUPLICATE


def test_classify_replay_of_earlier_run_is_duplicate() -> None:
    earlier = (RUN_STARTED - timedelta(hours=1)).isoformat().replace("+00:00", "Z")

    result = classify_response(
        _file("a.jpg"), _response(201, {"id": "m-1", "created_at": earlier}), RUN_STARTED
    )

    assert result.status == DUPLICATE
    assert result.note == "uploaded before"


def test_classify_rejection_keeps_every_reason() -> None:
    body = {
        "title": "File rejected",
        "status": 422,
        "detail": "The file breaks 2 rules.",
        "errors": REJECTION_ERRORS,
    }

    result = classify_response(_file("a.png"), _response(422, body), RUN_STARTED)

    assert result.status == REJECTED
    assert result.errors == REJECTION_ERRORS


def test_classify_too_large_body_is_rejected_with_detail() -> None:
    body = {"title": "File too large", "status": 413, "detail": "The file is over 10 MB."}

    result = classify_response(_file("a.mp4"), _response(413, body), RUN_STARTED)

    assert result.status == REJECTED
    assert result.details() == "The file is over 10 MB."


def test_classify_server_error_is_failed_with_status() -> None:
    body = {"title": "Internal error", "status": 500, "detail": "Report the request id.", "request_id": "r-9"}

    result = classify_response(_file("a.jpg"), _response(500, body), RUN_STARTED)

    assert result.status == FAILED
    assert "HTTP 500" in result.error
    assert "r-9" in result.error
