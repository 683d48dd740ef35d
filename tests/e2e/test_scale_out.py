"""Two replicas of every service behind client-side round robin: nothing lost, nothing done twice."""

from __future__ import annotations

import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from services.devstack.stack import Stack
from tests.support.media import make_jpeg
from tests.support.stack import _external_database

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

UPLOADS = 120
SEARCHES = 120
LISTING_EDITS = 60


@pytest.fixture(scope="module")
def replicated_stack(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("replicated")
    stack = Stack(var_dir=var_dir, http_port=0, replicas=2, database_url=_external_database(var_dir.name))
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def _handled_calls(metrics_port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
        text = response.read().decode()
    pattern = re.compile(r'^mediacenter_grpc_server_handled_total\{[^}]*method="/mediacenter[^}]*\} (\S+)$', re.MULTILINE)
    return sum(float(value) for value in pattern.findall(text))


def test_mixed_requests_over_two_replicas(replicated_stack):
    _seller_id, api_key = replicated_stack.create_seller("scale out")
    headers = {"Authorization": f"Bearer {api_key}"}
    photos = [make_jpeg(320, 320, seed=7000 + index, quality=70) for index in range(UPLOADS)]

    def upload(index: int) -> httpx.Response:
        return httpx.post(f"{replicated_stack.gateway_url}/v1/media", headers=headers, timeout=60,
                          files={"file": (f"scale-{index}.jpg", photos[index], "image/jpeg")})

    with ThreadPoolExecutor(max_workers=8) as pool:
        uploads = list(pool.map(upload, range(UPLOADS)))
    ids = [response.json()["id"] for response in uploads]

    def search(index: int) -> httpx.Response:
        return httpx.get(f"{replicated_stack.gateway_url}/v1/media", headers=headers, timeout=60,
                         params={"q": f"scale-{index}", "limit": 200})

    def edit(index: int) -> httpx.Response:
        chosen = ids[index % UPLOADS: index % UPLOADS + 3]
        return httpx.put(f"{replicated_stack.gateway_url}/v1/listings/scale-{index}/media", headers=headers,
                         timeout=60, json={"images": chosen})

    with ThreadPoolExecutor(max_workers=8) as pool:
        searches = list(pool.map(search, range(SEARCHES)))
        edits = list(pool.map(edit, range(LISTING_EDITS)))
    everything = httpx.get(f"{replicated_stack.gateway_url}/v1/media", headers=headers, timeout=60,
                           params={"limit": 200}).json()["items"]
    capacity = httpx.get(f"{replicated_stack.gateway_url}/v1/capacity", headers=headers, timeout=60).json()

    assert [response.status_code for response in uploads] == [201] * UPLOADS
    assert len(set(ids)) == UPLOADS
    assert sorted(item["id"] for item in everything) == sorted(ids)
    assert capacity["used_bytes"] == sum(len(photo) for photo in photos)
    assert all(response.status_code == 200 for response in searches)
    assert all(response.status_code == 200 for response in edits)
    for index in range(LISTING_EDITS):
        listing = httpx.get(f"{replicated_stack.gateway_url}/v1/listings/scale-{index}/media", headers=headers,
                            timeout=60).json()
        assert [image["id"] for image in listing["images"]] == ids[index % UPLOADS: index % UPLOADS + 3]
        assert listing["version"] == 1
    for name in ("validation", "storage", "catalogue", "listing"):
        calls = [_handled_calls(process.metrics_port) for process in replicated_stack.processes[name]]
        assert all(count > 0 for count in calls), (name, calls)
