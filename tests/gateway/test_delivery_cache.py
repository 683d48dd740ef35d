"""The delivery caches: hot URLs skip the catalogue and storage, and nothing stale is served for long."""

from __future__ import annotations

import asyncio

import pytest
from mediacenter.catalogue.v1 import catalogue_pb2

from gateway.delivery_cache import BlobCache, ResolutionCache
from tests.gateway.conftest import seller_gateway
from tests.support.media import make_jpeg

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_resolution_expires_after_ttl():
    clock = Clock()
    cache = ResolutionCache(ttl_seconds=2.0, clock=clock)
    cache.put("a", "record")

    clock.now += 1.9
    assert cache.get("a") == "record"
    clock.now += 0.1
    assert cache.get("a") is None
    assert len(cache) == 0


def test_resolution_ttl_zero_keeps_nothing():
    cache = ResolutionCache(ttl_seconds=0)
    cache.put("a", "record")

    assert cache.get("a") is None


def test_resolution_forget_and_entry_limit():
    cache = ResolutionCache(ttl_seconds=60, max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    cache.forget("b")

    assert cache.get("a") is None
    assert cache.get("b") is None
    assert cache.get("c") == 3


async def test_blob_cache_evicts_least_recent():
    cache = BlobCache(budget_bytes=250, max_item_bytes=100)

    for key in ("a", "b"):
        await cache.load(key, _returns(bytes(100)))
    cache.get("a")
    await cache.load("c", _returns(bytes(100)))

    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.get("c") is not None
    assert cache.used_bytes == 200


async def test_blob_cache_skips_large_blobs():
    cache = BlobCache(budget_bytes=1000, max_item_bytes=100)

    data = await cache.load("big", _returns(bytes(101)))

    assert len(data) == 101
    assert not cache.accepts(101)
    assert cache.get("big") is None
    assert cache.used_bytes == 0


async def test_concurrent_misses_share_one_load():
    cache = BlobCache(budget_bytes=1000, max_item_bytes=1000)
    loads = 0
    release = asyncio.Event()

    async def loader() -> bytes:
        nonlocal loads
        loads += 1
        await release.wait()
        return b"bytes"

    waiters = [asyncio.create_task(cache.load("k", loader)) for _ in range(10)]
    await asyncio.sleep(0.01)
    release.set()

    assert await asyncio.gather(*waiters) == [b"bytes"] * 10
    assert loads == 1


async def test_departed_caller_keeps_shared_load():
    cache = BlobCache(budget_bytes=1000, max_item_bytes=1000)
    release = asyncio.Event()

    async def loader() -> bytes:
        await release.wait()
        return b"bytes"

    first = asyncio.create_task(cache.load("k", loader))
    second = asyncio.create_task(cache.load("k", loader))
    await asyncio.sleep(0.01)
    first.cancel()
    release.set()

    assert await second == b"bytes"
    assert cache.get("k") == b"bytes"


async def test_failed_load_reaches_every_caller():
    cache = BlobCache(budget_bytes=1000, max_item_bytes=1000)

    async def loader() -> bytes:
        await asyncio.sleep(0.01)
        raise RuntimeError("storage failed")

    results = await asyncio.gather(*(cache.load("k", loader) for _ in range(3)), return_exceptions=True)

    assert [str(result) for result in results] == ["storage failed"] * 3
    assert cache.get("k") is None
    assert await cache.load("k", _returns(b"later")) == b"later"


def _returns(data: bytes):
    async def loader() -> bytes:
        return data

    return loader


@pytest.fixture
def image() -> bytes:
    return make_jpeg(800, 600, seed=3, quality=95)


async def test_hot_url_calls_services_once(gateway, image):
    services = gateway.services
    media = services.catalogue.add_media(gateway.seller_id, image, "hot.jpg")
    url = f"/media/{media.id}/hot.jpg"

    first = await gateway.client.get(url)
    responses = await asyncio.gather(*(gateway.client.get(url) for _ in range(20)))
    ranged = await gateway.client.get(url, headers={"Range": "bytes=10-19"})

    assert [response.status_code for response in [first, *responses]] == [200] * 21
    assert all(response.content == image for response in [first, *responses])
    assert ranged.content == image[10:20]
    assert services.storage.get_calls == [(media.blob_key, 0, len(image))]
    resolves = [method for method, _request_id in services.catalogue.calls if method == "ResolvePublicMedia"]
    assert len(resolves) == 1


async def test_deleted_elsewhere_gone_after_ttl(services, image):
    async with seller_gateway(services, resolve_cache_seconds=0.5) as opened:
        media = services.catalogue.add_media(opened.seller_id, image, "gone.jpg")
        url = f"/media/{media.id}/gone.jpg"
        before = await opened.client.get(url)
        # Deleted through the catalogue directly, as another gateway replica would, so this gateway
        # is not notified.
        services.catalogue.DeleteMedia(
            catalogue_pb2.DeleteMediaRequest(seller_id=opened.seller_id, media_id=media.id), context=None
        )
        within_ttl = await opened.client.get(url)
        await asyncio.sleep(0.6)
        after_ttl = await opened.client.get(url)

    assert before.status_code == 200
    assert within_ttl.status_code == 200
    assert after_ttl.status_code == 404


async def test_rename_changes_download_name_at_once(gateway, image):
    media = gateway.services.catalogue.add_media(gateway.seller_id, image, "old.jpg")
    first = await gateway.client.get(f"/media/{media.id}/old.jpg")

    renamed = await gateway.client.patch(f"/v1/media/{media.id}", json={"name": "new"}, headers=gateway.auth)
    second = await gateway.client.get(f"/media/{media.id}/old.jpg")

    assert renamed.status_code == 200
    assert 'filename="old.jpg"' in first.headers["content-disposition"]
    assert "new" in second.headers["content-disposition"]


async def test_large_blob_streamed_each_time(services, image):
    async with seller_gateway(services, blob_cache_max_item_bytes=len(image) - 1) as opened:
        media = services.catalogue.add_media(opened.seller_id, image, "large.jpg")
        responses = [
            await opened.client.get(f"/media/{media.id}/large.jpg", headers={"Range": "bytes=5-9"}) for _ in range(2)
        ]

    assert [response.content for response in responses] == [image[5:10]] * 2
    assert services.storage.get_calls == [(media.blob_key, 5, 5), (media.blob_key, 5, 5)]


async def test_size_mismatch_is_500_not_cached(gateway, image):
    services = gateway.services
    media = services.catalogue.add_media(gateway.seller_id, image, "short.jpg")
    services.storage.blobs[media.blob_key] = image[:-10]

    response = await gateway.client.get(f"/media/{media.id}/short.jpg")
    services.storage.blobs[media.blob_key] = image
    repaired = await gateway.client.get(f"/media/{media.id}/short.jpg")

    assert response.status_code == 500
    assert response.json()["code"] == "internal"
    assert "does not match its record" in response.json()["detail"]
    assert repaired.status_code == 200
    assert repaired.content == image
