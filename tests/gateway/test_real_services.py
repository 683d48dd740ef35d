"""The gateway in front of the real validation, storage, catalogue and listing services.

The fakes drive the error paths; this checks that the gateway and the real
services agree on the contracts: reasons, details and field shapes.
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import httpx
import pytest
from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc

from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.catalogue.app import build as build_catalogue
from services.catalogue.settings import CatalogueSettings
from services.listing.app import build as build_listing
from services.listing.settings import ListingSettings
from services.storage.app import build as build_storage
from services.storage.settings import StorageSettings
from services.validation.app import build as build_validation
from services.validation.settings import ValidationSettings
from tests.support.media import make_jpeg

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

BASE_URL = "http://gateway.test"


@pytest.fixture
def real_services(database_url, tmp_path) -> Iterator[dict[str, str]]:
    started = []
    try:
        validation = build_validation(ValidationSettings(grpc_port=0))
        started.append(validation)
        storage = build_storage(StorageSettings(grpc_port=0, storage_backend="local", storage_root=tmp_path / "blobs"))
        started.append(storage)
        catalogue = build_catalogue(CatalogueSettings(
            grpc_port=0,
            database_url=database_url,
            validation_address=f"127.0.0.1:{validation.port}",
            storage_address=f"127.0.0.1:{storage.port}",
            public_base_url=BASE_URL,
            upload_spool_dir=str(tmp_path),
        ))
        started.append(catalogue)
        listing = build_listing(ListingSettings(
            grpc_port=0, database_url=database_url, catalogue_address=f"127.0.0.1:{catalogue.port}"
        ))
        started.append(listing)
        yield {
            "catalogue_address": f"127.0.0.1:{catalogue.port}",
            "listing_address": f"127.0.0.1:{listing.port}",
            "storage_address": f"127.0.0.1:{storage.port}",
        }
    finally:
        for server in reversed(started):
            server.stop(0)


def create_seller(address: str, quota: int = 0) -> str:
    with grpc.insecure_channel(address) as channel:
        stub = catalogue_pb2_grpc.CatalogueServiceStub(channel)
        return stub.CreateSeller(catalogue_pb2.CreateSellerRequest(name="Shop", quota_bytes=quota), timeout=10).api_key


async def test_library_round_trip_with_real_services(real_services):
    app = create_app(GatewaySettings(**real_services))
    api_key = create_seller(real_services["catalogue_address"])
    auth = {"Authorization": f"Bearer {api_key}"}
    image = make_jpeg(800, 600, seed=41)

    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL
    ) as client:
        uploaded = await client.post("/v1/media", headers=auth, files={"file": ("Été shoe.jpg", image, "image/jpeg")})
        duplicate = await client.post("/v1/media", headers=auth, files={"file": ("again.jpg", image, "image/jpeg")})
        small = await client.post("/v1/media", headers=auth, files={"file": ("tiny.jpg", make_jpeg(100, 100), "image/jpeg")})
        item = uploaded.json()
        listing = await client.put("/v1/listings/sku-1/media", headers=auth, json={"images": [item["id"]]})
        in_use = await client.delete(f"/v1/media/{item['id']}", headers=auth)
        stale = await client.put(
            "/v1/listings/sku-1/media", headers={**auth, "If-Match": '"v7"'}, json={"images": []}
        )
        wrong_kind = await client.put("/v1/listings/sku-2/media", headers=auth, json={"video": item["id"]})
        bytes_response = await client.get(item["url"].removeprefix(BASE_URL), headers={"Range": "bytes=0-9"})
        preview = await client.get(item["preview_url"].removeprefix(BASE_URL))
        found = await client.get("/v1/media", headers=auth, params={"q": "shoe"})
        bad_date = await client.get("/v1/media", headers=auth, params={"created_on": "yesterday"})
        capacity = await client.get("/v1/capacity", headers=auth)
        csv = await client.get("/v1/listings/export.csv", headers=auth, params={"ids": "sku-1"})
        ready = await client.get("/readyz")

    assert uploaded.status_code == 201, uploaded.text
    assert item["name"] == "Été shoe.jpg"
    assert item["width"] == 800
    assert item["created_at"].endswith("Z")
    assert duplicate.status_code == 200
    assert duplicate.json()["duplicate"] is True
    assert small.status_code == 422
    assert {error["code"] for error in small.json()["errors"]} == {"image_too_small"}
    assert listing.status_code == 200
    assert listing.headers["etag"] == '"v1"'
    assert in_use.status_code == 409
    assert in_use.json()["listing_ids"] == ["sku-1"]
    assert stale.status_code == 412
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["invalid_params"]
    assert bytes_response.status_code == 206
    assert bytes_response.content == image[:10]
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "image/webp"
    assert [entry["id"] for entry in found.json()["items"]] == [item["id"]]
    assert bad_date.status_code == 422
    assert bad_date.json()["invalid_params"][0]["name"] == "created_on"
    assert capacity.json()["used_bytes"] == len(image)
    assert csv.text.splitlines()[1].startswith(f"sku-1,{item['url']}")
    assert ready.status_code == 200
