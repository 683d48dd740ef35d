"""Uploads racing each other: the quota holds and identical bytes become one item."""

from concurrent.futures import ThreadPoolExecutor

import grpc
import psycopg
from mediacenter.catalogue.v1 import catalogue_pb2

from services.runtime.errors import ErrorDetails
from tests.support.media import make_jpeg

FILE_BYTES = 40_000


def _padded_jpeg(seed: int) -> bytes:
    """Return a distinct JPEG of exactly FILE_BYTES bytes (bytes after the end marker are ignored by readers)."""
    data = make_jpeg(320, 320, seed=seed)
    assert len(data) <= FILE_BYTES
    return data + bytes(FILE_BYTES - len(data))


def _try_upload(catalogue, seller_id, data):
    try:
        return catalogue.upload(seller_id, data), None
    except grpc.RpcError as error:
        return None, ErrorDetails.from_rpc_error(error)


def _live_sizes(catalogue, seller_id):
    with psycopg.connect(catalogue.database_url) as connection:
        return connection.execute(
            "SELECT count(*), coalesce(sum(byte_size), 0) FROM catalogue.media"
            " WHERE seller_id = %s AND deleted_at IS NULL",
            (seller_id,),
        ).fetchone()


def test_racing_uploads_never_pass_quota(catalogue):
    files = [_padded_jpeg(seed) for seed in range(32)]
    seller_id = catalogue.new_seller(quota_bytes=10 * FILE_BYTES + FILE_BYTES // 2).seller.id

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(lambda data: _try_upload(catalogue, seller_id, data), files))

    accepted = [response for response, _ in results if response is not None]
    errors = [error for _, error in results if error is not None]
    live_count, live_bytes = _live_sizes(catalogue, seller_id)
    capacity = catalogue.stub.GetCapacity(catalogue_pb2.GetCapacityRequest(seller_id=seller_id))
    assert len(accepted) == 10
    assert {error.reason for error in errors} == {"capacity_exceeded"}
    assert live_count == 10
    assert capacity.used_bytes == live_bytes == 10 * FILE_BYTES
    assert capacity.used_bytes <= capacity.total_bytes


def test_identical_parallel_uploads_make_one_item(catalogue):
    data = make_jpeg(seed=99)
    seller_id = catalogue.new_seller().seller.id

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: _try_upload(catalogue, seller_id, data), range(8)))

    responses = [response for response, _ in results]
    assert all(response is not None for response in responses)
    assert len({response.media.id for response in responses}) == 1
    assert sum(not response.duplicate for response in responses) == 1
    assert tuple(_live_sizes(catalogue, seller_id)) == (1, len(data))
    capacity = catalogue.stub.GetCapacity(catalogue_pb2.GetCapacityRequest(seller_id=seller_id))
    assert capacity.used_bytes == len(data)
