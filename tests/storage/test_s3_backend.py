"""Cases only the S3 backend has: an unreachable endpoint and a missing bucket."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc

from services.runtime.server import RunningServer
from services.storage.app import build
from services.storage.settings import StorageSettings
from tests.storage.blobs import put
from tests.storage.conftest import DUMMY_AWS_ENVIRONMENT, make_settings, nothing_referenced


@pytest.fixture
def connect_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[StorageSettings], storage_pb2_grpc.StorageServiceStub]]:
    for name, value in DUMMY_AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    servers: list[RunningServer] = []
    channels: list[grpc.Channel] = []

    def connect(settings: StorageSettings) -> storage_pb2_grpc.StorageServiceStub:
        running = build(settings, referenced_keys=nothing_referenced)
        servers.append(running)
        channels.append(grpc.insecure_channel(f"127.0.0.1:{running.port}"))
        return storage_pb2_grpc.StorageServiceStub(channels[-1])

    yield connect
    for channel in channels:
        channel.close()
    for running in servers:
        running.stop(grace_seconds=1)


def test_unreachable_endpoint_is_unavailable(tmp_path: Path, connect_service):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_endpoint = f"http://127.0.0.1:{probe.getsockname()[1]}"
    stub = connect_service(make_settings("s3", tmp_path, closed_endpoint, s3_create_bucket=False))

    with pytest.raises(grpc.RpcError) as stat_error:
        stub.StatBlob(storage_pb2.StatBlobRequest(key=f"seller-1/{'a' * 64}"), timeout=30)
    with pytest.raises(grpc.RpcError) as put_error:
        put(stub, b"photo")

    assert stat_error.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "MEDIACENTER_S3_ENDPOINT_URL" in stat_error.value.details()
    assert put_error.value.code() == grpc.StatusCode.UNAVAILABLE


def test_missing_bucket_is_unavailable_with_hint(tmp_path: Path, s3_endpoint, connect_service):
    stub = connect_service(make_settings("s3", tmp_path, s3_endpoint, s3_create_bucket=False))

    with pytest.raises(grpc.RpcError) as raised:
        put(stub, b"photo")

    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "MEDIACENTER_S3_CREATE_BUCKET" in raised.value.details()
