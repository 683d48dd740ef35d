"""Liveness, readiness, metrics, OpenAPI docs and the page's static files."""

from __future__ import annotations

import re

import pytest

from gateway.app import STATIC_DIR

pytestmark = pytest.mark.anyio


async def test_healthz_is_ok(gateway):
    response = await gateway.client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_when_every_service_serves(gateway):
    response = await gateway.client.get("/readyz")

    assert response.status_code == 200


async def test_readyz_lists_a_stopped_service(gateway):
    gateway.services.stop("listing")

    response = await gateway.client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["unavailable"] == ["mediacenter.listing.v1.ListingService"]
    assert "retry-after" in response.headers


async def test_metrics_count_requests_per_route(gateway):
    await gateway.client.get("/v1/capacity", headers=gateway.auth)

    response = await gateway.client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'mediacenter_http_requests_total{method="GET",route="/v1/capacity",status="200"}' in response.text
    assert 'mediacenter_http_request_seconds_bucket{le="0.005",method="GET",route="/v1/capacity"}' in response.text


async def test_openapi_describes_every_route(gateway):
    response = await gateway.client.get("/openapi.json")
    docs = await gateway.client.get("/docs")

    paths = response.json()["paths"]
    assert docs.status_code == 200
    assert "/swagger/" in docs.text
    assert "/docs" not in paths
    for path in (
        "/v1/capacity", "/v1/folders", "/v1/folders/{folder_id}", "/v1/media", "/v1/media/{media_id}",
        "/v1/media/export-urls", "/v1/listings/{listing_id}/media", "/v1/listings/export.csv",
        "/media/{media_id}/{file_name}", "/media/{media_id}/preview.webp", "/healthz", "/readyz", "/metrics",
    ):
        assert path in paths, path
        for operation in paths[path].values():
            assert operation.get("summary"), (path, operation)
    assert "multipart/form-data" in paths["/v1/media"]["post"]["requestBody"]["content"]


@pytest.mark.skipif(not (STATIC_DIR / "index.html").is_file(), reason="the page is not in gateway/static yet")
async def test_root_serves_the_page(gateway):
    response = await gateway.client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


async def test_static_unknown_file_is_404(gateway):
    response = await gateway.client.get("/static/no-such-file.js")

    assert response.status_code == 404


async def test_docs_page_needs_no_other_host(gateway):
    docs = await gateway.client.get("/docs")
    assets = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", docs.text)
    local = (str(gateway.client.base_url), "/")
    external = [asset for asset in assets if not asset.startswith(local) or asset.startswith("//")]
    script = await gateway.client.get("/swagger/swagger-ui-bundle.js")
    style = await gateway.client.get("/swagger/swagger-ui.css")

    assert docs.status_code == 200
    assert len(assets) >= 3
    assert external == []
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("application/javascript")
    assert style.status_code == 200
    assert style.headers["content-type"].startswith("text/css")
