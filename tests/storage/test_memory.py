"""Memory stays flat: a 10 MiB put or get holds only a few 1 MiB chunks at a time.

Python allocations are traced with tracemalloc while the client and the
service run in this process. The S3 server runs in a child process here, so
that the bytes it keeps are not counted as the service's.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc

from services.storage.app import build
from services.storage.settings import StorageSettings
from tests.storage.blobs import MIB, put_requests, random_bytes
from tests.storage.conftest import DUMMY_AWS_ENVIRONMENT, make_settings, nothing_referenced

BLOB_BYTES = 10 * MIB
# Client and service both run in this process, and each side holds up to three copies of one chunk
# (the bytes, the serialized message and the parsed message), so six chunks: well under the whole blob.
MAX_PEAK_BYTES = 6 * MIB


@pytest.fixture(scope="module")
def s3_child_endpoint() -> Iterator[str]:
    """Yield the URL of a moto S3 server in a child process on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, **DUMMY_AWS_ENVIRONMENT}
    child = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"The moto server did not start on 127.0.0.1:{port} within 20 s.")
        yield f"http://127.0.0.1:{port}"
    finally:
        child.terminate()
        child.wait(timeout=10)


@pytest.fixture
def memory_settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> StorageSettings:
    endpoint = request.getfixturevalue("s3_child_endpoint") if backend == "s3" else None
    return make_settings(backend, tmp_path, endpoint)


@pytest.fixture
def memory_stub(memory_settings: StorageSettings) -> Iterator[storage_pb2_grpc.StorageServiceStub]:
    running = build(memory_settings, referenced_keys=nothing_referenced)
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield storage_pb2_grpc.StorageServiceStub(channel)
    running.stop(grace_seconds=1)


def traced_peak(action) -> int:
    """Run ``action`` and return the peak of Python allocations above the level before it."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def test_put_of_ten_mib_holds_few_chunks(memory_stub):
    data = random_bytes(BLOB_BYTES)
    responses = []

    peak = traced_peak(lambda: responses.append(memory_stub.PutBlob(put_requests(data), timeout=60)))

    assert responses[0].byte_size == BLOB_BYTES
    assert peak < MAX_PEAK_BYTES


def test_get_of_ten_mib_holds_few_chunks(memory_stub):
    data = random_bytes(BLOB_BYTES)
    key = memory_stub.PutBlob(put_requests(data), timeout=60).key
    digest = hashlib.sha256()

    def read_whole_blob() -> None:
        for response in memory_stub.GetBlob(storage_pb2.GetBlobRequest(key=key), timeout=60):
            digest.update(response.chunk)

    peak = traced_peak(read_whole_blob)

    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
    assert peak < MAX_PEAK_BYTES
