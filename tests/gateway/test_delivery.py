"""Public media delivery: bytes, ranges, caching headers, previews and HEAD.

Each test runs twice: once with the delivery caches on, as the gateway starts by
default, and once with them off, so that every byte is streamed from storage.
"""

from __future__ import annotations

import re

import pytest

from gateway.routes.delivery import content_disposition
from tests.gateway.conftest import seller_gateway
from tests.gateway.fakes import FAKE_PREVIEW
from tests.support.media import make_jpeg

pytestmark = pytest.mark.anyio

STREAMED = {"blob_cache_bytes": 0, "resolve_cache_seconds": 0}


@pytest.fixture(params=["cached", "streamed"])
def mode(request) -> str:
    return request.param


def _overrides(mode: str) -> dict[str, object]:
    return STREAMED if mode == "streamed" else {}


@pytest.fixture
async def gateway(services, mode):
    async with seller_gateway(services, **_overrides(mode)) as opened:
        yield opened


@pytest.fixture
def image() -> bytes:
    # Larger than one storage chunk (256 KiB), so streaming spans several messages.
    return make_jpeg(1600, 1200, seed=1, quality=100)


@pytest.fixture
def media(gateway, image):
    return gateway.services.catalogue.add_media(gateway.seller_id, image, "shoe.jpg")


async def test_whole_file_with_caching_headers(gateway, media, image):
    response = await gateway.client.get(f"/media/{media.id}/shoe.jpg")

    assert response.status_code == 200
    assert response.content == image
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["content-length"] == str(len(image))
    assert response.headers["etag"] == f'"{media.sha256}"'
    assert response.headers["cache-control"] == "public, max-age=86400, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-disposition"] == 'inline; filename="shoe.jpg"'


async def test_no_api_key_needed(gateway, media):
    response = await gateway.client.get(media.url.removeprefix("http://gateway.test"))

    assert response.status_code == 200


async def test_other_file_name_still_serves(gateway, media, image):
    response = await gateway.client.get(f"/media/{media.id}/old-name.jpg")

    assert response.content == image


async def test_unknown_id_is_404(gateway):
    response = await gateway.client.get("/media/00000000-0000-0000-0000-000000000000/x.jpg")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_deleted_media_is_404(gateway, media):
    await gateway.client.delete(f"/v1/media/{media.id}", headers=gateway.auth)

    response = await gateway.client.get(f"/media/{media.id}/shoe.jpg")

    assert response.status_code == 404


async def test_if_none_match_gives_304(gateway, media):
    response = await gateway.client.get(f"/media/{media.id}/shoe.jpg", headers={"If-None-Match": f'"{media.sha256}"'})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == f'"{media.sha256}"'
    assert gateway.services.storage.get_calls == []


async def test_other_etag_gives_200(gateway, media):
    response = await gateway.client.get(f"/media/{media.id}/shoe.jpg", headers={"If-None-Match": '"other"'})

    assert response.status_code == 200


async def test_single_range_is_206(gateway, media, image, mode):
    response = await gateway.client.get(f"/media/{media.id}/shoe.jpg", headers={"Range": "bytes=100-299"})

    assert response.status_code == 206
    assert response.content == image[100:300]
    assert response.headers["content-range"] == f"bytes 100-299/{len(image)}"
    assert response.headers["content-length"] == "200"
    if mode == "streamed":
        assert gateway.services.storage.get_calls == [(media.blob_key, 100, 200)]
    else:
        assert gateway.services.storage.get_calls == [(media.blob_key, 0, len(image))]


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=-500", -500, None), ("bytes=1000-", 1000, None), ("bytes=0-99999999", 0, None)],
)
async def test_open_and_suffix_ranges(gateway, media, image, header, start, end):
    response = await gateway.client.get(f"/media/{media.id}/shoe.jpg", headers={"Range": header})

    expected = image[start:end]
    assert response.status_code == 206
    assert response.content == expected
    first = len(image) + start if start < 0 else start
    assert response.headers["content-range"] == f"bytes {first}-{len(image) - 1}/{len(image)}"


async def test_multiple_ranges_are_multipart_byteranges(gateway, media, image):
    response = await gateway.client.get(f"/media/{media.id}/shoe.jpg", headers={"Range": "bytes=0-9, 500-509, -5"})

    assert response.status_code == 206
    content_type = response.headers["content-type"]
    assert content_type.startswith("multipart/byteranges; boundary=")
    boundary = content_type.split("boundary=")[1]
    assert int(response.headers["content-length"]) == len(response.content)
    parts = response.content.split(f"--{boundary}".encode())
    assert parts[0] == b""
    assert parts[-1] == b"--\r\n"
    bodies = []
    ranges = []
    for part in parts[1:-1]:
        head, _, body = part.partition(b"\r\n\r\n")
        assert b"Content-Type: image/jpeg" in head
        ranges.append(re.search(rb"Content-Range: (bytes [^\r]+)", head).group(1).decode())
        bodies.append(body.removesuffix(b"\r\n"))
    size = len(image)
    assert ranges == [f"bytes 0-9/{size}", f"bytes 500-509/{size}", f"bytes {size - 5}-{size - 1}/{size}"]
    assert bodies == [image[0:10], image[500:510], image[-5:]]


async def test_unsatisfiable_range_is_416(gateway, media, image):
    response = await gateway.client.get(f"/media/{media.id}/shoe.jpg", headers={"Range": f"bytes={len(image)}-"})

    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(image)}"
    assert gateway.services.storage.get_calls == []


async def test_1000_ranges_get_the_whole_file(gateway, media, image):
    header = "bytes=" + ",".join(f"{n * 10}-{n * 10 + 1}" for n in range(1000))

    response = await gateway.client.get(f"/media/{media.id}/shoe.jpg", headers={"Range": header})

    assert response.status_code == 200
    assert response.content == image
    assert len(gateway.services.storage.get_calls) == 1


async def test_overlapping_ranges_get_the_whole_file(gateway, media, image):
    response = await gateway.client.get(f"/media/{media.id}/shoe.jpg", headers={"Range": "bytes=0-100,50-150"})

    assert response.status_code == 200
    assert response.content == image


async def test_invalid_range_header_is_ignored(gateway, media, image):
    response = await gateway.client.get(f"/media/{media.id}/shoe.jpg", headers={"Range": "bytes=abc"})

    assert response.status_code == 200
    assert response.content == image


async def test_if_range_with_other_etag_gives_whole_file(gateway, media, image):
    response = await gateway.client.get(
        f"/media/{media.id}/shoe.jpg", headers={"Range": "bytes=0-9", "If-Range": '"stale"'}
    )

    assert response.status_code == 200
    assert response.content == image


async def test_head_sends_headers_without_body(gateway, media, image):
    response = await gateway.client.head(f"/media/{media.id}/shoe.jpg")

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(image))
    assert response.headers["etag"] == f'"{media.sha256}"'
    assert gateway.services.storage.get_calls == []


async def test_preview_is_webp(gateway, media):
    response = await gateway.client.get(f"/media/{media.id}/preview.webp")

    assert response.status_code == 200
    assert response.content == FAKE_PREVIEW
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["etag"] == f'"{media.sha256}-preview"'
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_non_ascii_name_has_both_file_names(gateway, image):
    media = gateway.services.catalogue.add_media(gateway.seller_id, image + b"\x00", "Été – bleu.jpg")

    response = await gateway.client.get(f"/media/{media.id}/x.jpg")

    assert response.headers["content-disposition"] == (
        "inline; filename=\"Ete  bleu.jpg\"; filename*=UTF-8''%C3%89t%C3%A9%20%E2%80%93%20bleu.jpg"
    )


def test_content_disposition_escapes_quotes():
    assert content_disposition('a"b\\c.jpg') == "inline; filename=\"a_b_c.jpg\"; filename*=UTF-8''a%22b%5Cc.jpg"


def test_content_disposition_without_ascii_letters():
    assert content_disposition("写真") == "inline; filename=\"download\"; filename*=UTF-8''%E5%86%99%E7%9C%9F"


async def test_stream_may_outlast_call_deadline(services, image, mode):
    services.storage.message_delay = 0.3
    async with seller_gateway(services, call_timeout_seconds=1.0, **_overrides(mode)) as slow:
        media = services.catalogue.add_media(slow.seller_id, image, "slow.jpg")
        response = await slow.client.get(f"/media/{media.id}/slow.jpg")

    # Four 256 KiB messages at 0.3 s each take longer than the 1 s call deadline.
    assert len(image) > 3 * 256 * 1024
    assert response.status_code == 200
    assert response.content == image


async def test_silent_storage_is_504(services, image, mode):
    services.storage.message_delay = 3.0
    async with seller_gateway(services, call_timeout_seconds=0.5, **_overrides(mode)) as stuck:
        media = services.catalogue.add_media(stuck.seller_id, image, "stuck.jpg")
        response = await stuck.client.get(f"/media/{media.id}/stuck.jpg")

    assert response.status_code == 504
    assert response.json()["code"] == "timeout"
