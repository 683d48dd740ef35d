"""The product's invariants under concurrency, checked over HTTP against every real process."""

from __future__ import annotations

import io
import random
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from PIL import Image

from tests.support.media import make_jpeg

pytestmark = pytest.mark.e2e


def _client(stack, api_key: str) -> httpx.Client:
    return httpx.Client(base_url=stack.gateway_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=60)


def _upload(stack, api_key: str, body: bytes, name: str, **headers: str) -> httpx.Response:
    with _client(stack, api_key) as client:
        return client.post("/v1/media", files={"file": (name, body, "image/jpeg")}, headers=headers)


def test_parallel_uploads_never_pass_the_quota(running_stack):
    photos = [make_jpeg(320, 320, seed=500 + index, quality=70) for index in range(50)]
    quota = sum(sorted(len(photo) for photo in photos)[:20])
    _seller_id, api_key = running_stack.create_seller("quota racer", quota_bytes=quota)

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda pair: _upload(running_stack, api_key, pair[1], f"q{pair[0]}.jpg"),
                                  enumerate(photos)))
    with _client(running_stack, api_key) as client:
        capacity = client.get("/v1/capacity").json()
        items = client.get("/v1/media", params={"limit": 200}).json()["items"]

    accepted = [response.json() for response in responses if response.status_code == 201]
    refused = [response for response in responses if response.status_code != 201]
    assert capacity["total_bytes"] == quota
    assert capacity["used_bytes"] <= quota
    assert capacity["used_bytes"] == sum(item["byte_size"] for item in accepted)
    assert len(items) == len(accepted)
    assert refused, "the quota fits only part of the files, so some must be refused"
    for response in refused:
        assert response.status_code == 422, response.text
        assert [error["code"] for error in response.json()["errors"]] == ["capacity_exceeded"]


def test_parallel_identical_uploads_store_one_item(running_stack):
    _seller_id, api_key = running_stack.create_seller("duplicate racer")
    photo = make_jpeg(600, 600, seed=77)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda index: _upload(running_stack, api_key, photo, f"same-{index}.jpg"), range(8)))
    with _client(running_stack, api_key) as client:
        capacity = client.get("/v1/capacity").json()
        items = client.get("/v1/media").json()["items"]

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 7 + [201]
    assert {response.json()["id"] for response in responses} == {items[0]["id"]}
    assert all(response.json()["duplicate"] for response in responses if response.status_code == 200)
    assert len(items) == 1
    assert capacity["used_bytes"] == len(photo)


def _noise_png(side: int, seed: int) -> bytes:
    """A PNG of random pixels, which barely compresses: about 3 bytes per pixel."""
    image = Image.frombytes("RGB", (side, side), random.Random(seed).randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_retry_with_idempotency_key_returns_first_result(running_stack):
    _seller_id, api_key = running_stack.create_seller("idempotent client")
    # A few megabytes, so the catalogue returns a replayed result while the gateway is still sending the file.
    photo = _noise_png(1200, seed=1)
    key = str(uuid.uuid4())

    first = _upload(running_stack, api_key, photo, "first.png", **{"Idempotency-Key": key})
    retries = [_upload(running_stack, api_key, photo, "first.png", **{"Idempotency-Key": key}) for _ in range(3)]
    with _client(running_stack, api_key) as client:
        items = client.get("/v1/media").json()["items"]

    assert len(photo) > 3 * 1024 * 1024
    assert first.status_code == 201, first.text
    for retry in retries:
        assert retry.status_code == 201, retry.text
        assert retry.json()["id"] == first.json()["id"]
    assert len(items) == 1


def test_listing_edited_by_two_clients_conflicts_once(running_stack):
    _seller_id, api_key = running_stack.create_seller("two editors")
    ids = [_upload(running_stack, api_key, make_jpeg(400, 400, seed=900 + i), f"e{i}.jpg").json()["id"] for i in range(2)]
    with _client(running_stack, api_key) as client:
        created = client.put("/v1/listings/sku-1/media", json={"images": [ids[0]]})
        etag = created.headers["etag"]

        def edit(image_id: str) -> httpx.Response:
            with _client(running_stack, api_key) as editor:
                return editor.put("/v1/listings/sku-1/media", json={"images": [image_id]}, headers={"If-Match": etag})

        with ThreadPoolExecutor(max_workers=2) as pool:
            first, second = pool.map(edit, [ids[1], ids[0]])
        final = client.get("/v1/listings/sku-1/media").json()

    statuses = sorted([first.status_code, second.status_code])
    winner = first if first.status_code == 200 else second
    assert statuses == [200, 412]
    assert [image["id"] for image in final["images"]] == [image["id"] for image in winner.json()["images"]]


def test_delete_racing_attach_never_leaves_dangling_listing(running_stack):
    _seller_id, api_key = running_stack.create_seller("delete racer")
    for round_number in range(10):
        media_id = _upload(running_stack, api_key, make_jpeg(400, 400, seed=3000 + round_number), "r.jpg").json()["id"]
        listing = f"race-{round_number}"

        def attach(listing: str = listing, media_id: str = media_id) -> httpx.Response:
            with _client(running_stack, api_key) as client:
                return client.put(f"/v1/listings/{listing}/media", json={"images": [media_id]})

        def delete(media_id: str = media_id) -> httpx.Response:
            with _client(running_stack, api_key) as client:
                return client.delete(f"/v1/media/{media_id}")

        with ThreadPoolExecutor(max_workers=2) as pool:
            attached, deleted = pool.submit(attach), pool.submit(delete)
            attached, deleted = attached.result(), deleted.result()
        with _client(running_stack, api_key) as client:
            media = client.get(f"/v1/media/{media_id}")
            listing_media = client.get(f"/v1/listings/{listing}/media")

        if deleted.status_code == 204:
            assert media.status_code == 404
            assert attached.status_code in (404, 422)
            assert listing_media.status_code == 404 or listing_media.json()["images"] == []
        else:
            assert deleted.status_code == 409
            assert listing in deleted.json()["listing_ids"]
            assert media.status_code == 200
            assert [image["id"] for image in listing_media.json()["images"]] == [media_id]


def test_foreign_ids_behave_like_unknown_ids(running_stack):
    _owner_id, owner_key = running_stack.create_seller("owner")
    _other_id, other_key = running_stack.create_seller("other")
    with _client(running_stack, owner_key) as owner:
        media_id = owner.post("/v1/media", files={"file": ("mine.jpg", make_jpeg(400, 400, seed=4), "image/jpeg")}).json()["id"]
        folder_id = owner.post("/v1/folders", json={"name": "Mine", "kind": "image"}).json()["id"]
        owner.put("/v1/listings/owner-sku/media", json={"images": [media_id]})
    unknown_media, unknown_folder = str(uuid.uuid4()), str(uuid.uuid4())

    def probes(media: str, folder: str, listing: str) -> list[tuple[str, str, dict | None]]:
        return [
            ("GET", f"/v1/media/{media}", None),
            ("PATCH", f"/v1/media/{media}", {"name": "stolen.jpg"}),
            ("DELETE", f"/v1/media/{media}", None),
            ("PATCH", f"/v1/folders/{folder}", {"name": "Stolen"}),
            ("DELETE", f"/v1/folders/{folder}", None),
            ("GET", f"/v1/listings/{listing}/media", None),
            ("GET", f"/v1/media?folder_id={folder}", None),
        ]

    with _client(running_stack, other_key) as other:
        foreign = [other.request(m, p, json=b) for m, p, b in probes(media_id, folder_id, "owner-sku")]
        unknown = [other.request(m, p, json=b) for m, p, b in probes(unknown_media, unknown_folder, "no-such-sku")]
        attach = other.put("/v1/listings/x/media", json={"images": [media_id]})
        attach_unknown = other.put("/v1/listings/x/media", json={"images": [unknown_media]})
        export = other.post("/v1/media/export-urls", json={"ids": [media_id]})
        export_unknown = other.post("/v1/media/export-urls", json={"ids": [unknown_media]})

    for foreign_response, unknown_response in zip(foreign, unknown, strict=True):
        assert foreign_response.status_code == unknown_response.status_code, foreign_response.request.url
        assert foreign_response.status_code in (404, 200)
    assert attach.status_code == attach_unknown.status_code == 422
    assert export.status_code == export_unknown.status_code
    with _client(running_stack, owner_key) as owner:
        assert owner.get(f"/v1/media/{media_id}").json()["name"] == "mine.jpg"
