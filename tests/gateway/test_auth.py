"""Authentication and request ids at the gateway."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_missing_key_is_401_with_challenge(gateway):
    response = await gateway.client.get("/v1/capacity")

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert "Authorization header is missing" in response.json()["detail"]


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "mc_abc", "Bearer \u00e9t\u00e9"])
async def test_malformed_header_is_401(gateway, header):
    response = await gateway.client.get("/v1/capacity", headers={"Authorization": header.encode("utf-8")})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthenticated"


async def test_unknown_key_is_401(gateway):
    response = await gateway.client.get("/v1/capacity", headers={"Authorization": "Bearer mc_not_a_key"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_revoked_key_is_401(gateway):
    before = await gateway.client.get("/v1/capacity", headers=gateway.auth)
    gateway.services.catalogue.revoke(gateway.api_key)

    after = await gateway.client.get("/v1/capacity", headers=gateway.auth)

    assert before.status_code == 200
    assert after.status_code == 401
    assert after.headers["www-authenticate"].startswith("Bearer")


async def test_request_id_is_kept_and_returned(gateway):
    response = await gateway.client.get("/v1/capacity", headers={"X-Request-ID": "trace-42"})

    assert response.headers["x-request-id"] == "trace-42"
    assert response.json()["request_id"] == "trace-42"


async def test_request_id_is_made_when_missing_or_unusable(gateway):
    missing = await gateway.client.get("/v1/capacity")
    unusable = await gateway.client.get("/v1/capacity", headers={"X-Request-ID": "has spaces in it"})

    assert len(missing.headers["x-request-id"]) == 32
    assert missing.json()["request_id"] == missing.headers["x-request-id"]
    assert unusable.headers["x-request-id"] != "has spaces in it"


async def test_request_id_reaches_the_services(gateway):
    await gateway.client.get("/v1/capacity", headers={**gateway.auth, "X-Request-ID": "hop-7"})

    assert ("AuthenticateApiKey", "hop-7") in gateway.services.catalogue.calls
    assert ("GetCapacity", "hop-7") in gateway.services.catalogue.calls
