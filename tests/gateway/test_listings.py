"""Listing media, versions as ETags, and the bulk-listing CSV."""

from __future__ import annotations

import pytest

from tests.support.media import make_jpeg

pytestmark = pytest.mark.anyio


async def test_put_then_get_keeps_order_and_version(gateway):
    catalogue = gateway.services.catalogue
    images = [catalogue.add_media(gateway.seller_id, make_jpeg(seed=seed), f"{seed}.jpg") for seed in range(3)]
    video = catalogue.add_media(gateway.seller_id, b"\x00\x00\x00\x18ftypisom" + b"\x00" * 32, "clip.mp4")
    order = [images[2].id, images[0].id, images[1].id]

    put = await gateway.client.put(
        "/v1/listings/sku-1/media", headers=gateway.auth, json={"images": order, "video": video.id}
    )
    got = await gateway.client.get("/v1/listings/sku-1/media", headers=gateway.auth)

    assert put.status_code == 200
    assert put.headers["etag"] == '"v1"'
    assert got.headers["etag"] == '"v1"'
    assert [image["id"] for image in got.json()["images"]] == order
    assert got.json()["video"]["id"] == video.id
    assert got.json()["size_chart"] is None
    assert got.json()["images"][0]["url"] == images[2].url


async def test_listing_never_set_is_404(gateway):
    response = await gateway.client.get("/v1/listings/never/media", headers=gateway.auth)

    assert response.status_code == 404


async def test_if_match_current_version_applies(gateway):
    image = gateway.services.catalogue.add_media(gateway.seller_id, make_jpeg(seed=1), "a.jpg")
    await gateway.client.put("/v1/listings/sku-1/media", headers=gateway.auth, json={"images": [image.id]})

    response = await gateway.client.put(
        "/v1/listings/sku-1/media", headers={**gateway.auth, "If-Match": '"v1"'}, json={"images": []}
    )

    assert response.status_code == 200
    assert response.headers["etag"] == '"v2"'


async def test_stale_if_match_is_412(gateway):
    image = gateway.services.catalogue.add_media(gateway.seller_id, make_jpeg(seed=1), "a.jpg")
    await gateway.client.put("/v1/listings/sku-1/media", headers=gateway.auth, json={"images": [image.id]})
    await gateway.client.put("/v1/listings/sku-1/media", headers=gateway.auth, json={"images": []})

    stale = await gateway.client.put(
        "/v1/listings/sku-1/media", headers={**gateway.auth, "If-Match": '"v1"'}, json={"images": [image.id]}
    )

    assert stale.status_code == 412
    assert stale.json()["code"] == "version_conflict"


async def test_malformed_if_match_is_400(gateway):
    response = await gateway.client.put(
        "/v1/listings/sku-1/media", headers={**gateway.auth, "If-Match": "version one"}, json={"images": []}
    )

    assert response.status_code == 400


async def test_too_many_images_is_422_naming_the_field(gateway):
    catalogue = gateway.services.catalogue
    ids = [catalogue.add_media(gateway.seller_id, make_jpeg(seed=seed), f"{seed}.jpg").id for seed in range(10)]

    response = await gateway.client.put("/v1/listings/sku-1/media", headers=gateway.auth, json={"images": ids})

    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "image_ids"


async def test_unknown_image_id_is_422_naming_it(gateway):
    response = await gateway.client.put("/v1/listings/sku-1/media", headers=gateway.auth, json={"images": ["nope"]})

    assert response.status_code == 422
    assert response.json()["invalid_params"] == [{"name": "image_ids[0]", "reason": "nope is not one of your images"}]


async def test_export_csv_is_an_attachment(gateway):
    image = gateway.services.catalogue.add_media(gateway.seller_id, make_jpeg(seed=1), "a.jpg")
    await gateway.client.put("/v1/listings/sku-1/media", headers=gateway.auth, json={"images": [image.id]})

    response = await gateway.client.get("/v1/listings/export.csv", params={"ids": "sku-1,sku-2"}, headers=gateway.auth)

    lines = response.text.split("\r\n")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="listings.csv"'
    assert lines[0].startswith("listing_id,main_image_url")
    assert lines[1].startswith(f"sku-1,{image.url}")
    assert lines[2].startswith("sku-2,")


async def test_export_csv_without_ids_is_400(gateway):
    response = await gateway.client.get("/v1/listings/export.csv", params={"ids": " , "}, headers=gateway.auth)

    assert response.status_code == 400
    assert response.json()["invalid_params"][0]["name"] == "ids"
