"""Fixtures of the storage tests: both backends, a loopback S3 server and a running storage service."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import grpc
import pytest
from mediacenter.storage.v1 import storage_pb2_grpc
from moto.server import ThreadedMotoServer

from services.runtime.server import RunningServer
from services.storage.app import build
from services.storage.backends import open_store
from services.storage.backends.base import BlobStore
from services.storage.settings import StorageSettings

BACKENDS = ["local", "s3"]

# Dummy credentials, and no config files or instance metadata, so boto3 never looks for real ones.
DUMMY_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(autouse=True)
def info_logging(caplog: pytest.LogCaptureFixture) -> None:
    """Build every INFO record, so a log call with a bad ``extra`` fails the test as it fails in production."""
    caplog.set_level(logging.INFO)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """Yield the URL of a moto S3 server listening on 127.0.0.1 for the whole session."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in DUMMY_AWS_ENVIRONMENT.items():
            patch.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def make_settings(backend: str, tmp_path: Path, s3_endpoint: str | None, **overrides: object) -> StorageSettings:
    """Settings for one backend: a fresh folder, or a fresh bucket on the loopback S3 server."""
    values: dict[str, object] = {
        "grpc_host": "127.0.0.1",
        "grpc_port": 0,
        "metrics_port": -1,
        "sweep_interval_seconds": 0,
    }
    if backend == "local":
        values.update(storage_backend="local", storage_root=tmp_path / "blobs")
    else:
        values.update(
            storage_backend="s3",
            s3_bucket=f"media-{uuid.uuid4().hex[:16]}",
            s3_endpoint_url=s3_endpoint,
            s3_access_key_id="testing",
            s3_secret_access_key="testing",
            s3_create_bucket=True,
        )
    values.update(overrides)
    return StorageSettings(**values)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def settings_for(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., StorageSettings]:
    """Return a factory of settings for the current backend; the S3 server starts only when needed."""
    endpoint = request.getfixturevalue("s3_endpoint") if backend == "s3" else None

    def factory(**overrides: object) -> StorageSettings:
        return make_settings(backend, tmp_path, endpoint, **overrides)

    return factory


@pytest.fixture
def settings(settings_for: Callable[..., StorageSettings]) -> StorageSettings:
    return settings_for()


@pytest.fixture
def store(settings: StorageSettings) -> Iterator[BlobStore]:
    blob_store = open_store(settings)
    yield blob_store
    blob_store.close()


def nothing_referenced(_keys: Sequence[str]) -> set[str]:
    return set()


@pytest.fixture
def server(settings: StorageSettings) -> Iterator[RunningServer]:
    running = build(settings, referenced_keys=nothing_referenced)
    yield running
    running.stop(grace_seconds=1)


@pytest.fixture
def stub(server: RunningServer) -> Iterator[storage_pb2_grpc.StorageServiceStub]:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield storage_pb2_grpc.StorageServiceStub(channel)
