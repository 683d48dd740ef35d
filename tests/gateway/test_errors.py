"""The gRPC-to-HTTP error table, seen through real calls to the fake services."""

from __future__ import annotations

import pytest

from services.runtime import errors
from tests.gateway.conftest import open_gateway
from tests.gateway.fakes import _violation

pytestmark = pytest.mark.anyio

# (error raised by the fake catalogue, expected HTTP status, expected problem code)
TABLE = [
    (errors.InvalidArgument("bad_value", "The value is bad."), 422, "invalid_argument"),
    (errors.NotFound("media_not_found", "No such media."), 404, "not_found"),
    (errors.AlreadyExists("folder_name_taken", "Taken."), 409, "already_exists"),
    (errors.FailedPrecondition("folder_not_empty", "Not empty."), 409, "failed_precondition"),
    (errors.Aborted("version_conflict", "Stale version."), 412, "version_conflict"),
    (errors.ResourceExhausted("capacity_exceeded", "Quota full."), 422, "capacity_exceeded"),
    (errors.ResourceExhausted("file_too_large", "Too big."), 413, "file_too_large"),
    (errors.Unauthenticated("invalid_api_key", "Who are you?"), 401, "unauthenticated"),
    (errors.Unavailable("database_unavailable", "The database is down."), 503, "service_unavailable"),
    (errors.DeadlineExceeded("slow", "Too slow."), 504, "timeout"),
    (errors.OutOfRange("range", "Past the end."), 500, "internal"),
    (errors.DomainError("internal", "Secret stack details here."), 500, "internal"),
]


@pytest.mark.parametrize(("error", "status", "code"), TABLE, ids=[row[0].status_code.name + "-" + row[0].reason for row in TABLE])
async def test_grpc_code_maps_to_http(gateway, error, status, code):
    gateway.services.catalogue.failures["GetCapacity"] = error

    response = await gateway.client.get("/v1/capacity", headers=gateway.auth)

    body = response.json()
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:mediacenter:problem:{code}"
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["title"]


async def test_unavailable_carries_retry_after(gateway):
    gateway.services.catalogue.failures["GetCapacity"] = errors.Unavailable("down", "Down.")

    response = await gateway.client.get("/v1/capacity", headers=gateway.auth)

    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0


async def test_internal_error_hides_the_message(gateway):
    gateway.services.catalogue.failures["GetCapacity"] = errors.DomainError("internal", "Secret stack details here.")

    response = await gateway.client.get("/v1/capacity", headers=gateway.auth)

    assert response.status_code == 500
    assert "Secret" not in response.text
    assert "request id" in response.json()["detail"]


async def test_field_violations_become_invalid_params(gateway):
    gateway.services.catalogue.failures["SearchMedia"] = errors.InvalidArgument(
        "invalid_date", "created_on is not a date.", field_violations=[("created_on", "must be YYYY-MM-DD")]
    )

    response = await gateway.client.get("/v1/media?created_on=tomorrow", headers=gateway.auth)

    assert response.status_code == 422
    assert response.json()["invalid_params"] == [{"name": "created_on", "reason": "must be YYYY-MM-DD"}]


async def test_rejection_becomes_errors_list(gateway):
    gateway.services.catalogue.failures["GetCapacity"] = errors.InvalidArgument(
        "upload_rejected", "The file breaks the rules.",
        violations=[_violation("image_too_small", "The image is 200 px wide; it must be at least 300 px.", 200, 300, "px")],
    )

    response = await gateway.client.get("/v1/capacity", headers=gateway.auth)

    assert response.status_code == 422
    assert response.json()["errors"] == [{
        "code": "image_too_small",
        "message": "The image is 200 px wide; it must be at least 300 px.",
        "measured": 200,
        "limit": 300,
        "unit": "px",
    }]


async def test_stopped_backend_gives_503_not_504(services):
    _app, lifespan, client = await open_gateway(services, call_timeout_seconds=60.0)
    _seller, api_key = services.catalogue.create_seller()
    headers = {"Authorization": f"Bearer {api_key}"}
    try:
        before = await client.get("/v1/capacity", headers=headers)
        services.stop("catalogue")
        response = await client.get("/v1/capacity", headers=headers)
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)

    # 503 rather than 504 shows the gateway reported the down service instead of waiting for the deadline.
    assert before.status_code == 200
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["code"] == "service_unavailable"


async def test_stopped_storage_gives_503_on_delivery(gateway):
    media = gateway.services.catalogue.add_media(gateway.seller_id, b"\xff\xd8\xff" + b"x" * 100, "a.jpg")
    gateway.services.stop("storage")

    response = await gateway.client.get(f"/media/{media.id}/a.jpg")

    assert response.status_code == 503
    assert "retry-after" in response.headers


async def test_unknown_route_is_problem_404(gateway):
    response = await gateway.client.get("/v1/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_malformed_json_is_400(gateway):
    response = await gateway.client.post(
        "/v1/folders", headers={**gateway.auth, "Content-Type": "application/json"}, content=b"{not json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


async def test_missing_body_field_is_422_naming_it(gateway):
    response = await gateway.client.post("/v1/folders", headers=gateway.auth, json={"name": "Shoes"})

    assert response.status_code == 422
    assert {"name": "kind", "reason": "Field required"} in response.json()["invalid_params"]
