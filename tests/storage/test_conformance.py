"""One suite of cases that every blob backend must pass, run through the gRPC service on port 0."""

from __future__ import annotations

import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from mediacenter.storage.v1 import storage_pb2

from services.runtime.errors import ErrorDetails
from services.storage.keys import KEY_PATTERN
from services.storage.settings import StorageSettings
from tests.storage.blobs import MIB, get, list_all, put, put_requests, random_bytes, sha256_hex

TRAVERSAL_KEYS = [
    "../etc/passwd",
    "seller-1/../../etc/passwd",
    "/etc/passwd",
    "seller-1/" + "a" * 64 + "/../x",
    "../" + "a" * 64,
    "./" + "a" * 64,
    ".incoming/" + "a" * 64,
    "seller-1/" + "A" * 64,
    "seller-1\\" + "a" * 64,
    "seller-1/" + "a" * 64 + ".jpg\x00",
    "seller-1/" + "a" * 64 + "/",
    "seller-1//" + "a" * 64,
    "",
]


def code_of(error: grpc.RpcError) -> grpc.StatusCode:
    return error.code()


def test_put_then_get_returns_exact_bytes(stub):
    data = random_bytes(3 * MIB + 12345)

    stored = put(stub, data, namespace="seller-1", suffix=".jpg", content_type="image/jpeg")
    info, read_back = get(stub, stored.key)

    assert stored.key == f"seller-1/{sha256_hex(data)}.jpg"
    assert stored.sha256 == sha256_hex(data)
    assert stored.byte_size == len(data)
    assert stored.created is True
    assert read_back == data
    assert info.key == stored.key
    assert info.byte_size == len(data)


def test_get_sends_chunks_of_at_most_one_mib(stub):
    stored = put(stub, random_bytes(2 * MIB + 1))

    responses = list(stub.GetBlob(storage_pb2.GetBlobRequest(key=stored.key), timeout=30))

    assert [len(response.chunk) <= MIB for response in responses] == [True] * len(responses)
    assert responses[0].HasField("info")
    assert [response.HasField("info") for response in responses[1:]] == [False] * (len(responses) - 1)


def test_empty_blob_round_trip(stub):
    stored = put(stub, b"", suffix="")

    info, read_back = get(stub, stored.key)

    assert stored.key == f"seller-1/{sha256_hex(b'')}"
    assert read_back == b""
    assert info.byte_size == 0


@pytest.mark.parametrize(
    ("offset", "length", "expected_slice"),
    [
        (0, 10, slice(0, 10)),
        (1000, 5000, slice(1000, 6000)),
        (MIB - 3, 10, slice(MIB - 3, MIB + 7)),
        (2 * MIB - 100, 0, slice(2 * MIB - 100, None)),
        (2 * MIB - 100, 5000, slice(2 * MIB - 100, None)),
        (2 * MIB - 1, 1, slice(2 * MIB - 1, None)),
    ],
    ids=["start", "middle", "across-chunks", "end", "past-end-cut", "last-byte"],
)
def test_get_range(stub, offset, length, expected_slice):
    data = random_bytes(2 * MIB)
    stored = put(stub, data)

    info, read_back = get(stub, stored.key, offset=offset, length=length)

    assert read_back == data[expected_slice]
    assert info.byte_size == len(data)


@pytest.mark.parametrize("offset", [1000, 1001, 50_000])
def test_range_past_end_is_out_of_range(stub, offset):
    stored = put(stub, random_bytes(1000))

    with pytest.raises(grpc.RpcError) as raised:
        get(stub, stored.key, offset=offset)

    assert code_of(raised.value) == grpc.StatusCode.OUT_OF_RANGE
    assert "1000 bytes long" in raised.value.details()
    assert ErrorDetails.from_rpc_error(raised.value).metadata["byte_size"] == "1000"


def test_negative_range_is_invalid(stub):
    stored = put(stub, random_bytes(100))

    with pytest.raises(grpc.RpcError) as raised:
        get(stub, stored.key, offset=-1)

    assert code_of(raised.value) == grpc.StatusCode.INVALID_ARGUMENT


def test_stat_returns_size_and_time_of_storing(stub):
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    stored = put(stub, random_bytes(4321))
    after = datetime.now(UTC) + timedelta(seconds=1)

    info = stub.StatBlob(storage_pb2.StatBlobRequest(key=stored.key), timeout=10)

    assert info.key == stored.key
    assert info.byte_size == 4321
    assert before <= info.stored_at.ToDatetime(tzinfo=UTC) <= after


def test_delete_is_idempotent(stub):
    stored = put(stub, random_bytes(100))

    first = stub.DeleteBlob(storage_pb2.DeleteBlobRequest(key=stored.key), timeout=10)
    second = stub.DeleteBlob(storage_pb2.DeleteBlobRequest(key=stored.key), timeout=10)

    assert first.deleted is True
    assert second.deleted is False
    with pytest.raises(grpc.RpcError) as raised:
        stub.StatBlob(storage_pb2.StatBlobRequest(key=stored.key), timeout=10)
    assert code_of(raised.value) == grpc.StatusCode.NOT_FOUND


def test_list_pages_through_keys_in_order(stub):
    seller_keys = sorted(put(stub, random_bytes(64), namespace="seller-a").key for _ in range(7))
    other_keys = sorted(put(stub, random_bytes(64), namespace="seller-a-b").key for _ in range(2))

    pages = list_all(stub, prefix="seller-a/", page_size=3)
    everything = list_all(stub)

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [key for page in pages for key in page] == seller_keys
    assert everything == [sorted(seller_keys + other_keys)]


def test_list_returns_sizes_and_times(stub):
    stored = put(stub, random_bytes(77), namespace="seller-z")

    response = stub.ListBlobs(storage_pb2.ListBlobsRequest(prefix="seller-z/"), timeout=10)

    assert [(blob.key, blob.byte_size) for blob in response.blobs] == [(stored.key, 77)]
    assert response.blobs[0].stored_at.seconds > 0
    assert response.next_page_token == ""


@pytest.mark.parametrize("page_size", [-1, 1001])
def test_list_page_size_out_of_range_is_invalid(stub, page_size):
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListBlobs(storage_pb2.ListBlobsRequest(page_size=page_size), timeout=10)

    assert code_of(raised.value) == grpc.StatusCode.INVALID_ARGUMENT


def test_same_bytes_stored_once(stub):
    data = random_bytes(5000)

    first = put(stub, data)
    second = put(stub, data)
    other_namespace = put(stub, data, namespace="seller-2")

    assert second.key == first.key
    assert first.created is True
    assert second.created is False
    assert other_namespace.created is True
    assert list_all(stub, prefix="seller-1/") == [[first.key]]


def test_same_bytes_again_refreshes_time_of_storing(stub):
    data = random_bytes(5000)
    first = put(stub, data)
    first_time = stub.StatBlob(storage_pb2.StatBlobRequest(key=first.key), timeout=10).stored_at.ToDatetime()
    # S3 keeps LastModified to the second, so the second put must come in a later second.
    time.sleep(1.1)

    put(stub, data)
    second_time = stub.StatBlob(storage_pb2.StatBlobRequest(key=first.key), timeout=10).stored_at.ToDatetime()

    assert second_time > first_time


def test_concurrent_puts_of_same_bytes_create_once(stub):
    data = random_bytes(300_000)
    start = threading.Barrier(8)

    def put_after_barrier(_index: int) -> storage_pb2.PutBlobResponse:
        start.wait(timeout=10)
        return put(stub, data)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(put_after_barrier, range(8)))

    assert {result.key for result in results} == {f"seller-1/{sha256_hex(data)}.jpg"}
    assert sum(result.created for result in results) == 1
    assert get(stub, results[0].key)[1] == data


def test_put_stopped_mid_stream_leaves_nothing(stub, settings: StorageSettings):
    data = random_bytes(3 * MIB)

    def failing_requests():
        requests = put_requests(data, namespace="seller-cancel")
        yield next(requests)
        yield next(requests)
        yield next(requests)
        raise RuntimeError("the client stopped sending")

    with pytest.raises(grpc.RpcError) as raised:
        stub.PutBlob(failing_requests(), timeout=30)

    assert code_of(raised.value) in (grpc.StatusCode.CANCELLED, grpc.StatusCode.UNKNOWN)
    assert list_all(stub, prefix="seller-cancel/") == [[]]
    with pytest.raises(grpc.RpcError) as missing:
        stub.StatBlob(storage_pb2.StatBlobRequest(key=f"seller-cancel/{sha256_hex(data)}.jpg"), timeout=10)
    assert code_of(missing.value) == grpc.StatusCode.NOT_FOUND
    if settings.storage_backend == "local":
        assert wait_for_no_temporaries(settings.storage_root / ".incoming") == []


def test_put_cancelled_by_client_leaves_nothing(stub, settings: StorageSettings):
    data = random_bytes(2 * MIB)
    sent_two_chunks = threading.Event()
    release = threading.Event()

    def slow_requests():
        requests = put_requests(data, namespace="seller-cancel")
        yield next(requests)
        yield next(requests)
        sent_two_chunks.set()
        release.wait(timeout=10)
        yield from requests

    future = stub.PutBlob.future(slow_requests(), timeout=30)
    assert sent_two_chunks.wait(timeout=10)
    future.cancel()
    release.set()

    assert future.cancelled()
    assert list_all(stub, prefix="seller-cancel/") == [[]]
    if settings.storage_backend == "local":
        assert wait_for_no_temporaries(settings.storage_root / ".incoming") == []


def test_put_with_wrong_expected_digest_stores_nothing(stub):
    data = random_bytes(1000)

    with pytest.raises(grpc.RpcError) as raised:
        put(stub, data, namespace="seller-digest", expected_sha256="0" * 64)

    assert code_of(raised.value) == grpc.StatusCode.INVALID_ARGUMENT
    assert sha256_hex(data) in raised.value.details()
    assert list_all(stub, prefix="seller-digest/") == [[]]


def test_put_with_matching_expected_digest_succeeds(stub):
    data = random_bytes(1000)

    stored = put(stub, data, expected_sha256=sha256_hex(data))

    assert stored.sha256 == sha256_hex(data)


@pytest.mark.parametrize(
    ("namespace", "suffix"),
    [
        ("..", ""),
        ("../x", ""),
        ("", ".jpg"),
        ("Seller", ".jpg"),
        ("seller/1", ".jpg"),
        ("s" * 65, ".jpg"),
        ("seller-1", "jpg"),
        ("seller-1", ".JPG"),
        ("seller-1", "/../../x"),
        ("seller-1", ".abcdefghijk"),
        ("seller-1", "."),
    ],
)
def test_put_with_bad_namespace_or_suffix_is_invalid(stub, namespace, suffix):
    with pytest.raises(grpc.RpcError) as raised:
        put(stub, b"data", namespace=namespace, suffix=suffix)

    assert code_of(raised.value) == grpc.StatusCode.INVALID_ARGUMENT


def test_put_without_header_is_invalid(stub):
    with pytest.raises(grpc.RpcError) as raised:
        stub.PutBlob(iter([storage_pb2.PutBlobRequest(chunk=b"data")]), timeout=10)

    assert code_of(raised.value) == grpc.StatusCode.INVALID_ARGUMENT


def test_put_with_chunk_over_one_mib_is_invalid(stub):
    with pytest.raises(grpc.RpcError) as raised:
        stub.PutBlob(put_requests(random_bytes(MIB + 1), chunk_size=MIB + 1), timeout=10)

    assert code_of(raised.value) == grpc.StatusCode.INVALID_ARGUMENT
    assert list_all(stub) == [[]]


@pytest.mark.parametrize("key", TRAVERSAL_KEYS)
def test_traversal_keys_are_rejected_everywhere(stub, key, tmp_path: Path):
    outside_before = sorted(path.name for path in tmp_path.iterdir())
    calls = [
        lambda: list(stub.GetBlob(storage_pb2.GetBlobRequest(key=key), timeout=10)),
        lambda: stub.StatBlob(storage_pb2.StatBlobRequest(key=key), timeout=10),
        lambda: stub.DeleteBlob(storage_pb2.DeleteBlobRequest(key=key), timeout=10),
        lambda: stub.PresignBlob(storage_pb2.PresignBlobRequest(key=key), timeout=10),
        lambda: stub.ListBlobs(storage_pb2.ListBlobsRequest(page_token=key or "x"), timeout=10),
    ]

    codes = []
    for call in calls:
        with pytest.raises(grpc.RpcError) as raised:
            call()
        codes.append(code_of(raised.value))

    assert codes == [grpc.StatusCode.INVALID_ARGUMENT] * len(calls)
    assert sorted(path.name for path in tmp_path.iterdir()) == outside_before


def test_unknown_key_is_not_found(stub):
    key = f"seller-1/{'f' * 64}.jpg"

    codes = []
    for call in (
        lambda: list(stub.GetBlob(storage_pb2.GetBlobRequest(key=key), timeout=10)),
        lambda: stub.StatBlob(storage_pb2.StatBlobRequest(key=key), timeout=10),
        lambda: stub.PresignBlob(storage_pb2.PresignBlobRequest(key=key), timeout=10),
    ):
        with pytest.raises(grpc.RpcError) as raised:
            call()
        codes.append(code_of(raised.value))

    assert codes == [grpc.StatusCode.NOT_FOUND] * 3
    assert KEY_PATTERN.fullmatch(key)


def test_presign(stub, backend):
    data = random_bytes(2000)
    stored = put(stub, data)

    if backend == "local":
        with pytest.raises(grpc.RpcError) as raised:
            stub.PresignBlob(storage_pb2.PresignBlobRequest(key=stored.key), timeout=10)
        assert code_of(raised.value) == grpc.StatusCode.FAILED_PRECONDITION
        assert "MEDIACENTER_STORAGE_BACKEND=s3" in raised.value.details()
        return

    issued = datetime.now(UTC)
    response = stub.PresignBlob(storage_pb2.PresignBlobRequest(key=stored.key, expires_in_seconds=120), timeout=10)

    assert response.url.startswith("http://127.0.0.1:")
    expires_at = response.expires_at.ToDatetime(tzinfo=UTC)
    assert issued + timedelta(seconds=110) <= expires_at <= issued + timedelta(seconds=130)
    with urllib.request.urlopen(response.url, timeout=10) as fetched:
        assert fetched.read() == data


@pytest.mark.parametrize("expires_in_seconds", [-1, 604801])
def test_presign_lifetime_out_of_range_is_invalid(stub, expires_in_seconds):
    stored = put(stub, random_bytes(10))

    with pytest.raises(grpc.RpcError) as raised:
        stub.PresignBlob(
            storage_pb2.PresignBlobRequest(key=stored.key, expires_in_seconds=expires_in_seconds), timeout=10
        )

    assert code_of(raised.value) == grpc.StatusCode.INVALID_ARGUMENT


def wait_for_no_temporaries(folder: Path) -> list[str]:
    """Return the temporary files left in ``folder`` once the server has finished (at most 10 s)."""
    for _ in range(100):
        left = sorted(path.name for path in folder.iterdir())
        if not left:
            return left
        time.sleep(0.1)
    return left
