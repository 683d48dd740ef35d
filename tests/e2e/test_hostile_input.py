"""Hostile and malformed input through the public HTTP API: clear 4xx responses, nothing stored, memory bounded."""

from __future__ import annotations

import socket
import time

import httpx
import psutil
import pytest

from tests.support.media import make_jpeg
from tests.support.stack import start_stack

pytestmark = pytest.mark.e2e

MEMORY_GROWTH_LIMIT_BYTES = 300 * 1024 * 1024


@pytest.fixture(scope="module")
def hostile_stack(tmp_path_factory):
    stack = start_stack(
        tmp_path_factory.mktemp("hostile-stack"),
        MEDIACENTER_UPLOAD_TIMEOUT_SECONDS="3",
        MEDIACENTER_RATE_LIMIT_SEARCHES_PER_MINUTE="30",
    )
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def seller(hostile_stack):
    return hostile_stack.create_seller("hostile tester")


def _client(stack, api_key: str) -> httpx.Client:
    return httpx.Client(base_url=stack.gateway_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=60)


def _resident_bytes(stack) -> dict[str, int]:
    return {process.name: psutil.Process(process.process.pid).memory_info().rss for process in stack.all_processes()}


def _media_count(stack, api_key: str) -> int:
    with _client(stack, api_key) as client:
        return len(client.get("/v1/media", params={"limit": 200}).json()["items"])


def test_body_past_the_limit_is_413_and_stores_nothing(hostile_stack, seller):
    _seller_id, api_key = seller
    before = _media_count(hostile_stack, api_key)
    body = make_jpeg(400, 400, seed=1) + b"\0" * (11 * 1024 * 1024)

    with _client(hostile_stack, api_key) as client:
        response = client.post("/v1/media", files={"file": ("huge.jpg", body, "image/jpeg")})
        capacity = client.get("/v1/capacity").json()

    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _media_count(hostile_stack, api_key) == before
    assert capacity["used_bytes"] == 0 or before > 0


def _raw_upload(stack, api_key: str, raw_file_name: bytes, body: bytes) -> httpx.Response:
    """Send a multipart body built by hand, so the file name reaches the server byte for byte."""
    boundary = b"mediacenter-test-boundary"
    payload = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + raw_file_name + b'"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + body + b"\r\n--" + boundary + b"--\r\n"
    )
    with _client(stack, api_key) as client:
        return client.post(
            "/v1/media",
            content=payload,
            headers={"Content-Type": "multipart/form-data; boundary=" + boundary.decode()},
        )


@pytest.mark.parametrize(
    ("raw_file_name", "expected_name"),
    [
        (b"../../etc/x.jpg", "x.jpg"),
        (b"C:\\Users\\seller\\shoe.jpg", "shoe.jpg"),
        (b"bad\x07name\x1b.jpg", "badname.jpg"),
        ("caf\u00e9 \u5199\u771f.jpg".encode(), "caf\u00e9 \u5199\u771f.jpg"),
    ],
)
def test_file_names_are_cleaned(hostile_stack, seller, raw_file_name, expected_name):
    _seller_id, api_key = seller
    seed = sum(raw_file_name)

    response = _raw_upload(hostile_stack, api_key, raw_file_name, make_jpeg(400, 400, seed=seed))

    assert response.status_code == 201, response.text
    assert response.json()["name"] == expected_name


def test_four_kilobyte_file_name_is_bounded(hostile_stack, seller):
    _seller_id, api_key = seller

    with _client(hostile_stack, api_key) as client:
        response = client.post("/v1/media", files={"file": ("n" * 4096 + ".jpg", make_jpeg(400, 400, seed=88), "image/jpeg")})

    assert response.status_code == 201, response.text
    assert len(response.json()["name"]) <= 255
    assert response.json()["name"].endswith(".jpg")


def test_missing_file_field_and_malformed_multipart_are_4xx(hostile_stack, seller):
    _seller_id, api_key = seller
    with _client(hostile_stack, api_key) as client:
        missing = client.post("/v1/media", files={"other": ("a.jpg", b"abc", "image/jpeg")})
        malformed = client.post(
            "/v1/media",
            content=b"--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nno closing boundary",
            headers={"Content-Type": "multipart/form-data; boundary=xyz"},
        )
        not_multipart = client.post("/v1/media", content=b"{}", headers={"Content-Type": "application/json"})

    for response in (missing, malformed, not_multipart):
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


def test_slow_body_is_cut_off(hostile_stack, seller):
    _seller_id, api_key = seller
    head = (
        "POST /v1/media HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {api_key}\r\n"
        "Content-Type: multipart/form-data; boundary=slow\r\nContent-Length: 100000\r\n\r\n"
        '--slow\r\nContent-Disposition: form-data; name="file"; filename="slow.jpg"\r\n\r\n'
    ).encode()
    port = int(hostile_stack.gateway_url.rsplit(":", 1)[1])

    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        connection.sendall(head)
        started = time.monotonic()
        answer = b""
        for _ in range(20):
            try:
                connection.sendall(b"x")
            except OSError:
                break
            connection.settimeout(1.0)
            try:
                answer = connection.recv(4096)
            except TimeoutError:
                continue
            if answer:
                break
        elapsed = time.monotonic() - started

    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert elapsed < 15


def test_ranges_past_the_end_and_thousands_of_ranges(hostile_stack, seller):
    _seller_id, api_key = seller
    with _client(hostile_stack, api_key) as client:
        item = client.post("/v1/media", files={"file": ("r.jpg", make_jpeg(400, 400, seed=5), "image/jpeg")}).json()
    thousand = ",".join(f"{index * 2}-{index * 2}" for index in range(1000))
    too_long = ",".join(f"{index}-{index}" for index in range(5000))

    past_end = httpx.get(item["url"], headers={"Range": f"bytes={item['byte_size'] + 10}-"}, timeout=30)
    thousands = httpx.get(item["url"], headers={"Range": f"bytes={thousand}"}, timeout=30)
    oversized = httpx.get(item["url"], headers={"Range": f"bytes={too_long}"}, timeout=30)

    assert past_end.status_code == 416
    assert past_end.headers["content-range"] == f"bytes */{item['byte_size']}"
    assert thousands.status_code == 200
    assert len(thousands.content) == item["byte_size"]
    assert oversized.status_code == 431


def test_oversized_headers_are_rejected(hostile_stack, seller):
    _seller_id, api_key = seller

    with _client(hostile_stack, api_key) as client:
        response = client.get("/v1/capacity", headers={"X-Padding": "a" * (40 * 1024)})

    assert response.status_code == 431, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_search_rate_limit_answers_429_with_retry_after(hostile_stack):
    _seller_id, api_key = hostile_stack.create_seller("rate limited")
    with _client(hostile_stack, api_key) as client:
        statuses = []
        limited = None
        for _ in range(60):
            response = client.get("/v1/media", params={"q": "x"})
            statuses.append(response.status_code)
            if response.status_code == 429:
                limited = response
                break

    assert limited is not None, statuses
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["content-type"].startswith("application/problem+json")


def test_memory_stays_bounded_under_hostile_uploads(hostile_stack, seller):
    _seller_id, api_key = seller
    before = _resident_bytes(hostile_stack)
    body = b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024 - 3)

    with _client(hostile_stack, api_key) as client:
        for index in range(15):
            client.post("/v1/media", files={"file": (f"junk-{index}.jpg", body, "image/jpeg")})
    after = _resident_bytes(hostile_stack)

    for name, resident in after.items():
        assert resident - before[name] < MEMORY_GROWTH_LIMIT_BYTES, (name, before[name], resident)
