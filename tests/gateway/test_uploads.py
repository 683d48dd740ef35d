"""POST /v1/media: multipart bodies streamed into the catalogue's UploadMedia call."""

from __future__ import annotations

import asyncio

import pytest

from services.runtime import errors
from tests.gateway.conftest import open_gateway
from tests.support.media import make_jpeg

pytestmark = pytest.mark.anyio

BOUNDARY = "test-boundary-7f3a"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
MiB = 1024 * 1024


def form(*parts: tuple[str, str | None, bytes]) -> bytes:
    """Build a multipart/form-data body from (field name, file name or None, content) parts, in order."""
    body = bytearray()
    for name, file_name, content in parts:
        disposition = f'form-data; name="{name}"'
        if file_name is not None:
            disposition += f'; filename="{file_name}"'
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if file_name is not None:
            body += b"Content-Type: application/octet-stream\r\n"
        body += b"\r\n" + content + b"\r\n"
    body += f"--{BOUNDARY}--\r\n".encode()
    return bytes(body)


class PieceCounter:
    """An async body that yields fixed-size pieces and counts how many were read."""

    def __init__(self, body: bytes, piece: int = 64 * 1024, pause_after: int | None = None, pause: float = 0) -> None:
        self.body = body
        self.piece = piece
        self.sent = 0
        self.pause_after = pause_after
        self.pause = pause

    @property
    def total(self) -> int:
        return -(-len(self.body) // self.piece)

    async def __aiter__(self):
        for start in range(0, len(self.body), self.piece):
            if self.pause_after is not None and self.sent == self.pause_after:
                await asyncio.sleep(self.pause)
            self.sent += 1
            yield self.body[start:start + self.piece]


async def upload(gateway, body, headers=None, params=None):
    return await gateway.client.post(
        "/v1/media", content=body, params=params, headers={**gateway.auth, "Content-Type": MULTIPART, **(headers or {})}
    )


async def test_new_file_is_201(gateway):
    image = make_jpeg(seed=1)

    response = await upload(gateway, form(("file", "shoe.jpg", image)))

    item = response.json()
    assert response.status_code == 201
    assert item["duplicate"] is False
    assert item["name"] == "shoe.jpg"
    assert item["byte_size"] == len(image)
    assert item["kind"] == "image"
    assert gateway.services.storage.blobs[f"{gateway.seller_id}/{item['sha256']}"] == image


async def test_same_bytes_again_is_200_duplicate(gateway):
    image = make_jpeg(seed=2)
    first = await upload(gateway, form(("file", "a.jpg", image)))

    second = await upload(gateway, form(("file", "b.jpg", image)))

    assert second.status_code == 200
    assert second.json()["duplicate"] is True
    assert second.json()["id"] == first.json()["id"]
    assert gateway.services.catalogue.stored_uploads == 1


async def test_name_before_file_is_sent_in_header(gateway):
    await upload(gateway, form(("name", None, "Red shoe \u00e9t\u00e9".encode()), ("file", "x.jpg", make_jpeg(seed=3))))

    header = gateway.services.catalogue.upload_headers[-1]
    assert header.name == "Red shoe \u00e9t\u00e9"
    assert header.file_name == "x.jpg"


async def test_name_after_file_is_ignored(gateway):
    await upload(gateway, form(("file", "x.jpg", make_jpeg(seed=4)), ("name", None, b"Too late")))

    assert gateway.services.catalogue.upload_headers[-1].name == ""


async def test_folder_and_idempotency_key_are_passed(gateway):
    folders = (await gateway.client.get("/v1/folders", headers=gateway.auth)).json()["folders"]

    await upload(
        gateway, form(("file", "x.jpg", make_jpeg(seed=5))),
        headers={"Idempotency-Key": "retry-1"}, params={"folder_id": folders[0]["id"]},
    )

    header = gateway.services.catalogue.upload_headers[-1]
    assert header.seller_id == gateway.seller_id
    assert header.folder_id == folders[0]["id"]
    assert header.idempotency_key == "retry-1"


async def test_path_parts_and_long_names_reach_the_catalogue(gateway):
    long_name = "n" * 4096

    await upload(gateway, form(("name", None, long_name.encode()), ("file", "../../etc/x.jpg", make_jpeg(seed=6))))

    header = gateway.services.catalogue.upload_headers[-1]
    assert header.file_name == "../../etc/x.jpg"
    assert header.name == long_name


async def test_chunks_are_at_most_1_mib(gateway):
    video = b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * (3 * 4096)
    body = PieceCounter(form(("file", "clip.mp4", video)))

    response = await upload(gateway, body)

    sizes = gateway.services.catalogue.chunk_sizes
    assert response.status_code == 201
    assert sum(sizes) == len(video)
    assert len(sizes) > 1
    assert max(sizes) <= MiB


async def test_body_over_limit_is_413(gateway):
    video = b"\x00\x00\x00\x18ftypisom" + b"\x01" * (12 * MiB)
    body = PieceCounter(form(("file", "big.mp4", video)))

    response = await upload(gateway, body)

    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert response.json()["errors"][0]["limit"] == 10 * MiB
    assert gateway.services.catalogue.stored_uploads == 0
    assert gateway.services.storage.blobs == {}
    assert sum(gateway.services.catalogue.chunk_sizes) <= 10 * MiB
    # The gateway stopped reading right after the limit: the last pieces were never pulled.
    assert body.sent < body.total


async def test_declared_length_over_limit_is_413_before_reading(gateway):
    response = await upload(gateway, b"x" * 100, headers={"Content-Length": str(11 * MiB)})

    assert response.status_code == 413
    assert gateway.services.catalogue.upload_headers == []


async def test_catalogue_size_limit_is_413(gateway):
    image = make_jpeg(seed=7)
    oversized = image + b"\x00" * (5 * MiB)

    response = await upload(gateway, form(("file", "big.jpg", oversized)))

    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "file_too_large"
    assert gateway.services.catalogue.stored_uploads == 0


async def test_rejected_file_is_422_with_errors(gateway):
    response = await upload(gateway, form(("file", "notes.jpg", b"plain text, not an image")))

    body = response.json()
    assert response.status_code == 422
    assert body["code"] == "upload_rejected"
    assert body["errors"] == [{
        "code": "unsupported_format",
        "message": "The file is not a JPEG, PNG or MP4.",
        "measured": "unknown",
        "limit": "jpeg, png, mp4",
        "unit": "format",
    }]


async def test_capacity_exceeded_is_422(services):
    _app, lifespan, client = await open_gateway(services)
    _seller, api_key = services.catalogue.create_seller(quota=1000)
    try:
        response = await client.post(
            "/v1/media", content=form(("file", "a.jpg", make_jpeg(seed=8))),
            headers={"Authorization": f"Bearer {api_key}", "Content-Type": MULTIPART},
        )
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)

    assert response.status_code == 422
    assert response.json()["code"] == "capacity_exceeded"
    assert response.json()["errors"][0]["code"] == "capacity_exceeded"


async def test_missing_file_field_is_400_naming_it(gateway):
    response = await upload(gateway, form(("name", None, b"just a name")))

    assert response.status_code == 400
    assert response.json()["invalid_params"] == [{"name": "file", "reason": "missing"}]
    assert gateway.services.catalogue.upload_headers == []


async def test_file_in_another_field_is_400_naming_file(gateway):
    response = await upload(gateway, form(("upload", "a.jpg", make_jpeg(seed=9))))

    assert response.status_code == 400
    assert "'file'" in response.json()["detail"]


async def test_two_files_are_400(gateway):
    response = await upload(gateway, form(("file", "a.jpg", make_jpeg(seed=10)), ("file", "b.jpg", make_jpeg(seed=11))))

    assert response.status_code == 400
    assert "one file per request" in response.json()["detail"]
    assert gateway.services.catalogue.stored_uploads == 0


async def test_malformed_multipart_is_400(gateway):
    response = await upload(gateway, b"this is not a multipart body at all")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


async def test_truncated_multipart_is_400_and_stores_nothing(gateway):
    body = form(("file", "a.jpg", make_jpeg(seed=12)))

    response = await upload(gateway, body[: len(body) // 2])

    assert response.status_code == 400
    assert gateway.services.catalogue.stored_uploads == 0


async def test_not_multipart_is_415(gateway):
    response = await gateway.client.post("/v1/media", headers=gateway.auth, json={"file": "x"})

    assert response.status_code == 415


async def test_slow_client_is_408(services):
    _app, lifespan, client = await open_gateway(services, upload_timeout_seconds=0.5)
    _seller, api_key = services.catalogue.create_seller()
    body = PieceCounter(form(("file", "a.jpg", make_jpeg(seed=13))), piece=1024, pause_after=2, pause=3)
    try:
        response = await client.post(
            "/v1/media", content=body, headers={"Authorization": f"Bearer {api_key}", "Content-Type": MULTIPART}
        )
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)

    assert response.status_code == 408
    assert response.json()["code"] == "request_timeout"
    assert services.catalogue.stored_uploads == 0


async def test_upload_rate_limit_is_429(services):
    _app, lifespan, client = await open_gateway(services, rate_limit_uploads_per_minute=1)
    _seller, api_key = services.catalogue.create_seller()
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": MULTIPART}
    try:
        first = await client.post("/v1/media", content=form(("file", "a.jpg", make_jpeg(seed=14))), headers=headers)
        second = await client.post("/v1/media", content=form(("file", "b.jpg", make_jpeg(seed=15))), headers=headers)
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)

    assert first.status_code == 201
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) >= 1


async def test_catalogue_unavailable_is_503(gateway):
    gateway.services.catalogue.failures["UploadMedia"] = errors.Unavailable("down", "The catalogue is down.")

    response = await upload(gateway, form(("file", "a.jpg", make_jpeg(seed=16))))

    assert response.status_code == 503
    assert "retry-after" in response.headers
