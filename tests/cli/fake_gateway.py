"""A small stand-in for the gateway's HTTP API, served in-process on 127.0.0.1 for CLI tests.

It keeps one seller's folders, media and listings in memory and mimics the
responses the CLI relies on: 201 / 200 duplicate / 422 with `errors` for uploads,
Idempotency-Key replays, problem+json errors and 401 for an unknown key. It
judges files only by their first bytes and (for images) their dimensions.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from PIL import Image

API_KEY = "test-key-0123456789"
MIN_IMAGE_SIDE = 300


def _problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


@dataclass
class FakeState:
    """Everything the fake stores, readable by tests."""

    folders: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    listings: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotent_responses: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    # Every POST /v1/media that reached the handler, including replays.
    upload_requests: int = 0
    # Seconds each upload waits before responding, so a test can interrupt uploads in flight.
    upload_delay_seconds: float = 0.0
    quota_bytes: int = 5 * 1024**3

    def __post_init__(self) -> None:
        self.folders = [
            {"id": "folder-images", "name": "Images", "kind": "image", "is_default": True},
            {"id": "folder-videos", "name": "Videos", "kind": "video", "is_default": True},
        ]

    def folder_json(self, folder: dict[str, Any]) -> dict[str, Any]:
        count = sum(1 for item in self.media.values() if item["folder_id"] == folder["id"])
        return {**folder, "item_count": count}


def _judge(content: bytes) -> tuple[str | None, list[dict[str, Any]], tuple[int, int] | None]:
    """Return the kind, the broken rules and the image size, from the bytes alone."""
    if not content:
        return (
            None,
            [{"code": "empty_file", "message": "The file is empty.", "measured": 0, "limit": 1}],
            None,
        )
    if content.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
        errors = [
            {
                "code": "image_too_small",
                "message": f"The image {side} is {value} px; it must be at least {MIN_IMAGE_SIDE} px.",
                "measured": value,
                "limit": MIN_IMAGE_SIDE,
            }
            for side, value in (("width", width), ("height", height))
            if value < MIN_IMAGE_SIDE
        ]
        return "image", errors, (width, height)
    if content[4:8] == b"ftyp":
        return "video", [], (640, 360)
    return (
        None,
        [
            {
                "code": "unsupported_format",
                "message": "The file is not a JPEG, PNG or MP4 image or video.",
                "measured": None,
                "limit": ["jpeg", "png", "mp4"],
            }
        ],
        None,
    )


def build_app(state: FakeState) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def authenticate(request: Request, call_next):
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return _problem(401, "Unauthenticated", "The API key is unknown or revoked.")
        return await call_next(request)

    @app.get("/v1/capacity")
    async def capacity() -> dict[str, int]:
        used = sum(item["byte_size"] for item in state.media.values())
        return {"used_bytes": used, "total_bytes": state.quota_bytes}

    @app.get("/v1/folders")
    async def folders() -> dict[str, Any]:
        return {"folders": [state.folder_json(folder) for folder in state.folders]}

    @app.post("/v1/folders")
    async def create_folder(request: Request) -> JSONResponse:
        body = await request.json()
        name, kind = body["name"].strip(), body["kind"]
        if any(f["kind"] == kind and f["name"].casefold() == name.casefold() for f in state.folders):
            return _problem(409, "Already exists", f"A {kind} folder named {name!r} already exists.")
        folder = {"id": f"folder-{uuid.uuid4().hex[:8]}", "name": name, "kind": kind, "is_default": False}
        state.folders.append(folder)
        return JSONResponse(state.folder_json(folder), status_code=201)

    @app.post("/v1/media")
    async def upload(request: Request) -> JSONResponse:
        state.upload_requests += 1
        form = await request.form()
        upload_file = form["file"]
        content = await upload_file.read()
        if state.upload_delay_seconds:
            await asyncio.sleep(state.upload_delay_seconds)
        key = request.headers.get("idempotency-key")
        if key and key in state.idempotent_responses:
            status, body = state.idempotent_responses[key]
            return JSONResponse(body, status_code=status)
        status, body = _store(state, content, upload_file.filename, request.query_params.get("folder_id", ""))
        if key and status < 300:
            state.idempotent_responses[key] = (status, body)
        if status >= 400:
            return JSONResponse(body, status_code=status, media_type="application/problem+json")
        return JSONResponse(body, status_code=status)

    @app.get("/v1/media")
    async def search(request: Request) -> dict[str, Any]:
        params = request.query_params
        query = params.get("q", "").casefold()
        items = sorted(state.media.values(), key=lambda item: item["created_at"], reverse=True)
        items = [item for item in items if query in item["name"].casefold()]
        if params.get("kind"):
            items = [item for item in items if item["kind"] == params["kind"]]
        if params.get("folder_id"):
            items = [item for item in items if item["folder_id"] == params["folder_id"]]
        if params.get("created_on"):
            items = [item for item in items if item["created_at"].startswith(params["created_on"])]
        offset = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 50)
        page = items[offset : offset + limit]
        next_cursor = str(offset + limit) if offset + limit < len(items) else None
        return {"items": page, "next_cursor": next_cursor}

    @app.get("/v1/media/{media_id}")
    async def get_media(media_id: str) -> JSONResponse:
        if media_id not in state.media:
            return _problem(404, "Not found", f"No media item has the id {media_id}.")
        return JSONResponse(state.media[media_id])

    @app.delete("/v1/media/{media_id}")
    async def delete_media(media_id: str) -> Response:
        if state.media.pop(media_id, None) is None:
            return _problem(404, "Not found", f"No media item has the id {media_id}.")
        return Response(status_code=204)

    @app.post("/v1/media/export-urls")
    async def export_urls(request: Request) -> Response:
        ids = (await request.json())["ids"]
        missing = [media_id for media_id in ids if media_id not in state.media]
        if missing:
            return _problem(422, "Invalid request", f"Unknown media ids: {', '.join(missing)}.")
        urls = [state.media[media_id]["url"] for media_id in ids]
        return JSONResponse({"urls": urls, "text": "\n".join(urls)})

    @app.put("/v1/listings/{listing_id}/media")
    async def set_listing(listing_id: str, request: Request) -> JSONResponse:
        body = await request.json()
        wanted = [*body.get("images", []), body.get("video"), body.get("size_chart")]
        missing = [media_id for media_id in wanted if media_id and media_id not in state.media]
        if missing:
            return _problem(422, "Invalid request", f"Unknown media ids: {', '.join(missing)}.")
        version = state.listings.get(listing_id, {}).get("version", 0) + 1
        state.listings[listing_id] = {**body, "version": version}
        return JSONResponse(_listing_json(state, listing_id), headers={"ETag": f'"v{version}"'})

    @app.get("/v1/listings/export.csv")
    async def export_csv(ids: str = "") -> PlainTextResponse:
        lines = ["listing_id,main_image_url,video_url"]
        for listing_id in ids.split(","):
            listing = _listing_json(state, listing_id)
            main = listing["images"][0]["url"] if listing["images"] else ""
            video = listing["video"]["url"] if listing["video"] else ""
            lines.append(f"{listing_id},{main},{video}")
        return PlainTextResponse("\n".join(lines) + "\n", media_type="text/csv")

    @app.get("/v1/listings/{listing_id}/media")
    async def get_listing(listing_id: str) -> JSONResponse:
        listing = _listing_json(state, listing_id)
        return JSONResponse(listing, headers={"ETag": f'"v{listing["version"]}"'})

    return app


def _store(
    state: FakeState, content: bytes, file_name: str | None, folder_id: str
) -> tuple[int, dict[str, Any]]:
    kind, errors, size = _judge(content)
    if errors:
        return 422, {
            "type": "about:blank",
            "title": "File rejected",
            "status": 422,
            "detail": "The file breaks the upload rules.",
            "errors": errors,
        }
    digest = hashlib.sha256(content).hexdigest()
    for item in state.media.values():
        if item["sha256"] == digest:
            return 200, {**item, "duplicate": True}
    folder = next((f for f in state.folders if f["id"] == folder_id), None) if folder_id else None
    if folder_id and folder is None:
        return 404, {"type": "about:blank", "title": "Not found", "status": 404, "detail": "No such folder."}
    if folder is not None and folder["kind"] != kind:
        detail = f"The folder {folder['name']!r} holds {folder['kind']}s; this file is a {kind}."
        return 422, {"type": "about:blank", "title": "Invalid request", "status": 422, "detail": detail}
    folder = folder or next(f for f in state.folders if f["is_default"] and f["kind"] == kind)
    media_id = str(uuid.uuid4())
    name = file_name or "upload"
    item = {
        "id": media_id,
        "name": name,
        "kind": kind,
        "folder_id": folder["id"],
        "byte_size": len(content),
        "width": size[0] if size else None,
        "height": size[1] if size else None,
        "duration_ms": 1000 if kind == "video" else None,
        "sha256": digest,
        "created_at": datetime.now(UTC).isoformat(),
        "url": f"http://fake.invalid/media/{media_id}/{name}",
    }
    state.media[media_id] = item
    return 201, {**item, "duplicate": False}


def _listing_json(state: FakeState, listing_id: str) -> dict[str, Any]:
    listing = state.listings.get(listing_id, {"images": [], "video": None, "size_chart": None, "version": 0})
    return {
        "listing_id": listing_id,
        "images": [state.media[media_id] for media_id in listing.get("images", [])],
        "video": state.media.get(listing.get("video") or ""),
        "size_chart": state.media.get(listing.get("size_chart") or ""),
        "version": listing["version"],
    }


class FakeGateway:
    """The fake served by uvicorn on a thread; `url` is its base URL on 127.0.0.1."""

    def __init__(self) -> None:
        self.state = FakeState()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(build_app(self.state), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("The fake gateway did not start within 10 s.")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
