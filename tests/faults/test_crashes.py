"""Kill -9 each part, PostgreSQL included, in the middle of uploads; the invariants still hold."""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import httpx
import psycopg
import pytest
from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc

from tests.support.media import make_jpeg

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

UPLOADS = 120
MAX_UPLOADS = 2_000
CLIENTS = 4


def _upload(base_url: str, api_key: str, index: int) -> tuple[int, dict | None]:
    photo = make_jpeg(400, 400, seed=10_000 + index, quality=80)
    try:
        response = httpx.post(
            f"{base_url}/v1/media",
            files={"file": (f"crash-{index}.jpg", photo, "image/jpeg")},
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=30,
        )
    except httpx.HTTPError:
        return index, None
    if response.status_code in (200, 201):
        return index, response.json()
    return index, None


def _crash_and_restart(stack) -> list[str]:
    """Kill each part once with SIGKILL while uploads run, restarting it after a moment."""
    killed = []
    for name in ("validation", "storage", "catalogue", "postgres", "listing"):
        time.sleep(1.0)
        if name == "postgres":
            stack.postgres.process.kill()
            stack.postgres.process.wait()
            time.sleep(0.5)
            stack.postgres.start()
        else:
            process = stack.processes[name][0]
            process.kill()
            time.sleep(0.5)
            process.start()
            process.wait_ready()
        killed.append(name)
    return killed


def _blob_exists(stack, key: str) -> bool:
    with grpc.insecure_channel(stack.processes["storage"][0].address) as channel:
        try:
            storage_pb2_grpc.StorageServiceStub(channel).StatBlob(storage_pb2.StatBlobRequest(key=key), timeout=10)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                return False
            raise
    return True


def _put_orphan(stack, namespace: str, content: bytes) -> str:
    """Store a blob that no record points at, as a crash between storing and recording leaves it."""
    requests = iter([
        storage_pb2.PutBlobRequest(header=storage_pb2.PutBlobHeader(namespace=namespace, suffix=".jpg")),
        storage_pb2.PutBlobRequest(chunk=content),
    ])
    with grpc.insecure_channel(stack.processes["storage"][0].address) as channel:
        return storage_pb2_grpc.StorageServiceStub(channel).PutBlob(requests, timeout=10).key


def _live_records(database_url: str) -> list[tuple[str, str, str, int]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT id::text, blob_key, preview_blob_key, byte_size FROM catalogue.media WHERE deleted_at IS NULL"
        ).fetchall()


def _capacity(database_url: str, seller_id: str) -> tuple[int, int]:
    with psycopg.connect(database_url) as connection:
        used = connection.execute("SELECT used_bytes FROM catalogue.sellers WHERE id = %s", (seller_id,)).fetchone()[0]
        live_sum = connection.execute(
            "SELECT coalesce(sum(byte_size), 0) FROM catalogue.media WHERE seller_id = %s AND deleted_at IS NULL",
            (seller_id,),
        ).fetchone()[0]
    return used, live_sum


def test_kill_each_part_mid_upload_keeps_invariants(fault_stack):
    seller_id, api_key = fault_stack.create_seller("crash seller")
    crasher_result: list[str] = []
    crasher = threading.Thread(target=lambda: crasher_result.extend(_crash_and_restart(fault_stack)))
    indexes = iter(range(MAX_UPLOADS))
    lock = threading.Lock()

    def client() -> list[tuple[int, dict | None]]:
        # Keep uploading until every part has been killed once and at least UPLOADS were tried,
        # so that each crash lands in the middle of traffic however fast the machine is.
        mine = []
        while True:
            with lock:
                index = next(indexes, None)
            if index is None or (index >= UPLOADS and not crasher.is_alive()):
                return mine
            mine.append(_upload(fault_stack.gateway_url, api_key, index))

    crasher.start()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = [item for done in pool.map(lambda _i: client(), range(CLIENTS)) for item in done]
    crasher.join()
    for process in fault_stack.all_processes():
        if not process.is_running():
            process.start()
            process.wait_ready()

    succeeded = [item for _index, item in results if item is not None]
    records = _live_records(fault_stack.database_url)
    used, live_sum = _capacity(fault_stack.database_url, seller_id)

    assert crasher_result == ["validation", "storage", "catalogue", "postgres", "listing"]
    assert len(succeeded) > UPLOADS // 4
    for _media_id, blob_key, preview_key, _size in records:
        assert _blob_exists(fault_stack, blob_key), blob_key
        assert _blob_exists(fault_stack, preview_key), preview_key
    assert used == live_sum
    for item in succeeded:
        served = httpx.get(item["url"], timeout=30)
        assert served.status_code == 200, item["url"]
        assert len(served.content) == item["byte_size"]


def test_sweep_after_crashes_removes_only_orphans(fault_stack):
    seller_id, api_key = fault_stack.create_seller("orphan seller")
    kept = _upload(fault_stack.gateway_url, api_key, 99_001)[1]
    orphan = _put_orphan(fault_stack, seller_id, b"left behind by a crash between storing and recording")
    time.sleep(2.1)

    with grpc.insecure_channel(fault_stack.processes["storage"][0].address) as channel:
        reply = storage_pb2_grpc.StorageServiceStub(channel).SweepOrphans(
            storage_pb2.SweepOrphansRequest(grace_seconds=2), timeout=60
        )

    assert orphan in reply.removed_keys
    assert not _blob_exists(fault_stack, orphan)
    assert kept is not None
    assert httpx.get(kept["url"], timeout=30).status_code == 200
    for _media_id, blob_key, preview_key, _size in _live_records(fault_stack.database_url):
        assert _blob_exists(fault_stack, blob_key), blob_key
        assert _blob_exists(fault_stack, preview_key), preview_key


@pytest.mark.parametrize("part", ["catalogue", "listing"])
def test_paused_service_gives_504_then_recovers(fault_stack, part):
    _seller_id, api_key = fault_stack.create_seller(f"pause {part}")
    headers = {"Authorization": f"Bearer {api_key}"}
    path = "/v1/capacity" if part == "catalogue" else "/v1/listings/any-listing/media"
    process = fault_stack.processes[part][0].process

    process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        paused = httpx.get(f"{fault_stack.gateway_url}{path}", headers=headers, timeout=30)
        elapsed = time.monotonic() - started
    finally:
        process.send_signal(signal.SIGCONT)
    recovered = httpx.get(f"{fault_stack.gateway_url}{path}", headers=headers, timeout=30)

    assert paused.status_code in (503, 504), paused.text
    assert paused.headers["content-type"].startswith("application/problem+json")
    assert elapsed < 10
    assert recovered.status_code in (200, 404)


def test_stopped_service_gives_503_with_retry_after_then_recovers(fault_stack):
    _seller_id, api_key = fault_stack.create_seller("stopped catalogue")
    headers = {"Authorization": f"Bearer {api_key}"}
    catalogue = fault_stack.processes["catalogue"][0]

    catalogue.stop()
    try:
        started = time.monotonic()
        down = httpx.get(f"{fault_stack.gateway_url}/v1/folders", headers=headers, timeout=30)
        elapsed = time.monotonic() - started
    finally:
        catalogue.start()
        catalogue.wait_ready()
    deadline = time.monotonic() + 15
    recovered = httpx.get(f"{fault_stack.gateway_url}/v1/folders", headers=headers, timeout=30)
    while recovered.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        recovered = httpx.get(f"{fault_stack.gateway_url}/v1/folders", headers=headers, timeout=30)

    assert down.status_code == 503, down.text
    assert int(down.headers["retry-after"]) >= 1
    assert elapsed < 10
    assert recovered.status_code == 200
