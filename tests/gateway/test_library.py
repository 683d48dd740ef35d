"""Capacity, folders, media items and URL export through the gateway."""

from __future__ import annotations

import pytest
from mediacenter.common.v1 import common_pb2

from tests.support.media import make_jpeg, make_png

pytestmark = pytest.mark.anyio


async def test_capacity_reports_used_and_total(gateway):
    gateway.services.catalogue.add_media(gateway.seller_id, make_jpeg(seed=1), "a.jpg")

    response = await gateway.client.get("/v1/capacity", headers=gateway.auth)

    assert response.status_code == 200
    assert response.json()["used_bytes"] == len(make_jpeg(seed=1))
    assert response.json()["total_bytes"] == 5 * 1024**3


async def test_folders_start_with_two_defaults(gateway):
    response = await gateway.client.get("/v1/folders", headers=gateway.auth)

    folders = response.json()["folders"]
    assert response.status_code == 200
    assert [(f["kind"], f["is_default"], f["item_count"]) for f in folders] == [("image", True, 0), ("video", True, 0)]
    assert set(folders[0]) == {"id", "name", "kind", "is_default", "item_count"}


async def test_folder_create_rename_delete(gateway):
    created = await gateway.client.post("/v1/folders", headers=gateway.auth, json={"name": "Shoes", "kind": "image"})
    folder_id = created.json()["id"]

    renamed = await gateway.client.patch(f"/v1/folders/{folder_id}", headers=gateway.auth, json={"name": "Boots"})
    deleted = await gateway.client.delete(f"/v1/folders/{folder_id}", headers=gateway.auth)
    listed = await gateway.client.get("/v1/folders", headers=gateway.auth)

    assert created.status_code == 201
    assert created.json()["kind"] == "image"
    assert created.json()["is_default"] is False
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Boots"
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert folder_id not in [f["id"] for f in listed.json()["folders"]]


async def test_folder_name_taken_is_409(gateway):
    await gateway.client.post("/v1/folders", headers=gateway.auth, json={"name": "Shoes", "kind": "image"})

    again = await gateway.client.post("/v1/folders", headers=gateway.auth, json={"name": "SHOES", "kind": "image"})

    assert again.status_code == 409
    assert again.json()["code"] == "already_exists"


async def test_folder_bad_kind_is_422(gateway):
    response = await gateway.client.post("/v1/folders", headers=gateway.auth, json={"name": "Shoes", "kind": "audio"})

    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "kind"


async def test_default_folder_delete_is_409(gateway):
    folder = gateway.services.catalogue.default_folder(gateway.seller_id, common_pb2.MEDIA_KIND_IMAGE)

    response = await gateway.client.delete(f"/v1/folders/{folder.id}", headers=gateway.auth)

    assert response.status_code == 409


async def test_unknown_folder_rename_is_404(gateway):
    response = await gateway.client.patch("/v1/folders/nope", headers=gateway.auth, json={"name": "x"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_media_item_json_has_every_field(gateway):
    media = gateway.services.catalogue.add_media(gateway.seller_id, make_jpeg(640, 480, seed=2), "Red shoe.jpg")

    response = await gateway.client.get(f"/v1/media/{media.id}", headers=gateway.auth)

    item = response.json()
    assert response.status_code == 200
    assert item == {
        "id": media.id,
        "name": "Red shoe.jpg",
        "kind": "image",
        "folder_id": media.folder_id,
        "format": "jpeg",
        "mime_type": "image/jpeg",
        "byte_size": len(make_jpeg(640, 480, seed=2)),
        "width": 640,
        "height": 480,
        "duration_ms": None,
        "sha256": media.sha256,
        "created_at": "2025-12-03T22:13:20Z",
        "url": media.url,
        "preview_url": media.preview_url,
    }


async def test_video_item_has_duration(gateway):
    media = gateway.services.catalogue.add_media(gateway.seller_id, b"\x00\x00\x00\x18ftypisom" + b"\x00" * 64, "clip.mp4")

    response = await gateway.client.get(f"/v1/media/{media.id}", headers=gateway.auth)

    assert response.json()["kind"] == "video"
    assert response.json()["duration_ms"] == 1000


async def test_other_sellers_media_is_404(gateway):
    other_seller, _key = gateway.services.catalogue.create_seller()
    media = gateway.services.catalogue.add_media(other_seller, make_jpeg(seed=3), "theirs.jpg")

    response = await gateway.client.get(f"/v1/media/{media.id}", headers=gateway.auth)

    assert response.status_code == 404


async def test_search_passes_filters_and_pages(gateway):
    catalogue = gateway.services.catalogue
    for seed in range(3):
        catalogue.add_media(gateway.seller_id, make_jpeg(seed=10 + seed), f"shoe {seed}.jpg", created_at=1_764_800_000 + seed)
    catalogue.add_media(gateway.seller_id, make_png(seed=20), "hat.png")

    first = await gateway.client.get("/v1/media", params={"q": "SHOE", "kind": "image", "limit": 2}, headers=gateway.auth)
    second = await gateway.client.get(
        "/v1/media", params={"q": "SHOE", "limit": 2, "cursor": first.json()["next_cursor"]}, headers=gateway.auth
    )

    assert first.status_code == 200
    assert [item["name"] for item in first.json()["items"]] == ["shoe 2.jpg", "shoe 1.jpg"]
    assert [item["name"] for item in second.json()["items"]] == ["shoe 0.jpg"]
    assert second.json()["next_cursor"] is None


async def test_search_dates_reach_the_catalogue(gateway):
    response = await gateway.client.get(
        "/v1/media", params={"created_on": "2026-01-01", "created_from": "2026-01-01"}, headers=gateway.auth
    )

    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "created_on"


async def test_search_bad_kind_is_422(gateway):
    response = await gateway.client.get("/v1/media", params={"kind": "audio"}, headers=gateway.auth)

    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "kind"


async def test_search_bad_limit_names_limit(gateway):
    response = await gateway.client.get("/v1/media", params={"limit": "many"}, headers=gateway.auth)

    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "limit"


async def test_search_rate_limit_is_429(services):
    from tests.gateway.conftest import open_gateway

    _app, lifespan, client = await open_gateway(services, rate_limit_searches_per_minute=2)
    _seller, api_key = services.catalogue.create_seller()
    headers = {"Authorization": f"Bearer {api_key}"}
    try:
        statuses = [(await client.get("/v1/media", headers=headers)).status_code for _ in range(3)]
        limited = await client.get("/v1/media", headers=headers)
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)

    assert statuses == [200, 200, 429]
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["content-type"] == "application/problem+json"


async def test_media_rename_and_move(gateway):
    catalogue = gateway.services.catalogue
    media = catalogue.add_media(gateway.seller_id, make_jpeg(seed=4), "a.jpg")
    folder = (await gateway.client.post("/v1/folders", headers=gateway.auth, json={"name": "Hats", "kind": "image"})).json()

    response = await gateway.client.patch(
        f"/v1/media/{media.id}", headers=gateway.auth, json={"name": "b.jpg", "folder_id": folder["id"]}
    )

    assert response.status_code == 200
    assert response.json()["name"] == "b.jpg"
    assert response.json()["folder_id"] == folder["id"]


async def test_media_move_to_video_folder_is_409(gateway):
    media = gateway.services.catalogue.add_media(gateway.seller_id, make_jpeg(seed=5), "a.jpg")
    videos = gateway.services.catalogue.default_folder(gateway.seller_id, common_pb2.MEDIA_KIND_VIDEO)

    response = await gateway.client.patch(f"/v1/media/{media.id}", headers=gateway.auth, json={"folder_id": videos.id})

    assert response.status_code == 409


async def test_media_delete_is_204(gateway):
    media = gateway.services.catalogue.add_media(gateway.seller_id, make_jpeg(seed=6), "a.jpg")

    deleted = await gateway.client.delete(f"/v1/media/{media.id}", headers=gateway.auth)
    again = await gateway.client.get(f"/v1/media/{media.id}", headers=gateway.auth)

    assert deleted.status_code == 204
    assert again.status_code == 404


async def test_delete_in_use_is_409(gateway):
    media = gateway.services.catalogue.add_media(gateway.seller_id, make_jpeg(seed=7), "a.jpg")
    for listing_id in ("sku-2", "sku-1"):
        await gateway.client.put(f"/v1/listings/{listing_id}/media", headers=gateway.auth, json={"images": [media.id]})

    refused = await gateway.client.delete(f"/v1/media/{media.id}", headers=gateway.auth)
    detached = await gateway.client.delete(f"/v1/media/{media.id}", params={"detach": "true"}, headers=gateway.auth)
    listing = await gateway.client.get("/v1/listings/sku-1/media", headers=gateway.auth)

    assert refused.status_code == 409
    assert refused.json()["code"] == "media_in_use"
    assert refused.json()["listing_ids"] == ["sku-1", "sku-2"]
    assert refused.json()["listing_count"] == 2
    assert detached.status_code == 204
    assert listing.json()["images"] == []


async def test_export_urls_in_given_order(gateway):
    catalogue = gateway.services.catalogue
    first = catalogue.add_media(gateway.seller_id, make_jpeg(seed=8), "1.jpg")
    second = catalogue.add_media(gateway.seller_id, make_jpeg(seed=9), "2.jpg")

    response = await gateway.client.post("/v1/media/export-urls", headers=gateway.auth, json={"ids": [second.id, first.id]})

    assert response.status_code == 200
    assert response.json()["urls"] == [second.url, first.url]
    assert response.json()["text"] == f"{second.url}\n{first.url}"


async def test_demo_key_is_404_without_file(gateway):
    response = await gateway.client.get("/v1/session/demo-key")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_demo_key_is_read_from_file(services, tmp_path):
    from tests.gateway.conftest import open_gateway

    key_file = tmp_path / "demo-api-key"
    key_file.write_text("mc_demo_key\n")
    _app, lifespan, client = await open_gateway(services, demo_api_key_file=key_file)
    try:
        response = await client.get("/v1/session/demo-key")
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)

    assert response.status_code == 200
    assert response.json() == {"api_key": "mc_demo_key"}
