"""Helpers that talk to the storage service the way its callers do."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc

MIB = 1024 * 1024


def random_bytes(size: int) -> bytes:
    return os.urandom(size)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put_requests(
    data: bytes, namespace: str = "seller-1", suffix: str = ".jpg", chunk_size: int = MIB, **header: str
) -> Iterator[storage_pb2.PutBlobRequest]:
    yield storage_pb2.PutBlobRequest(
        header=storage_pb2.PutBlobHeader(namespace=namespace, suffix=suffix, **header)
    )
    for start in range(0, len(data), chunk_size):
        yield storage_pb2.PutBlobRequest(chunk=data[start : start + chunk_size])


def put(
    stub: storage_pb2_grpc.StorageServiceStub, data: bytes, namespace: str = "seller-1", suffix: str = ".jpg", **header: str
) -> storage_pb2.PutBlobResponse:
    return stub.PutBlob(put_requests(data, namespace, suffix, **header), timeout=30)


def get(stub: storage_pb2_grpc.StorageServiceStub, key: str, offset: int = 0, length: int = 0) -> tuple[storage_pb2.BlobInfo, bytes]:
    responses = list(stub.GetBlob(storage_pb2.GetBlobRequest(key=key, offset=offset, length=length), timeout=30))
    return responses[0].info, b"".join(response.chunk for response in responses)


def list_all(stub: storage_pb2_grpc.StorageServiceStub, prefix: str = "", page_size: int = 0) -> list[list[str]]:
    """Return the keys of every page, page by page."""
    pages = []
    token = ""
    for _ in range(10_000):
        response = stub.ListBlobs(
            storage_pb2.ListBlobsRequest(prefix=prefix, page_token=token, page_size=page_size), timeout=30
        )
        pages.append([blob.key for blob in response.blobs])
        token = response.next_page_token
        if not token:
            return pages
    raise AssertionError("ListBlobs kept returning page tokens")
