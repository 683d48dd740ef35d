"""The reconciliation sweep: it removes old orphans and never a blob that a record points at."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc
from prometheus_client import REGISTRY

from services.runtime.clients import open_channel
from services.runtime.server import RunningServer
from services.storage.app import build
from services.storage.backends.base import BlobStore
from services.storage.settings import StorageSettings
from services.storage.sweep import CatalogueReferences, Sweeper
from tests.storage.blobs import list_all, put, random_bytes
from tests.storage.fake_catalogue import FakeCatalogue, RunningCatalogue

# Blobs stored before this pause are older than GRACE_SECONDS. S3 keeps LastModified to the
# second, so the pause is longer than the grace period by more than a second. The grace period
# leaves a blob stored after the pause young even when a busy machine takes seconds to start the sweep.
AGEING_SECONDS = 4.2
GRACE_SECONDS = 3


@pytest.fixture
def catalogue() -> Iterator[RunningCatalogue]:
    running = RunningCatalogue(FakeCatalogue())
    yield running
    running.stop()


@pytest.fixture
def start_server() -> Iterator[Callable[..., RunningServer]]:
    servers: list[RunningServer] = []

    def start(settings: StorageSettings, **kwargs: object) -> RunningServer:
        running = build(settings, **kwargs)
        servers.append(running)
        return running

    yield start
    for running in servers:
        running.stop(grace_seconds=1)


def connect(running: RunningServer) -> storage_pb2_grpc.StorageServiceStub:
    return storage_pb2_grpc.StorageServiceStub(grpc.insecure_channel(f"127.0.0.1:{running.port}"))


def put_blob(store: BlobStore, data: bytes, namespace: str = "seller-1") -> str:
    return store.put(namespace, ".jpg", [data]).key


def exists(store: BlobStore, key: str) -> bool:
    return any(blob.key == key for blob in store.list_page(prefix=key).blobs)


def metric(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


def test_sweep_removes_only_old_unreferenced_blobs(settings_for, catalogue, start_server):
    stub = connect(start_server(settings_for(catalogue_address=catalogue.address)))
    referenced = put(stub, random_bytes(100))
    orphan = put(stub, random_bytes(250))
    catalogue.catalogue.commit_record(referenced.key)
    time.sleep(AGEING_SECONDS)
    young = put(stub, random_bytes(100))
    removed_before = metric("mediacenter_storage_sweep_removed_blobs_total")
    bytes_before = metric("mediacenter_storage_sweep_removed_bytes_total")

    result = stub.SweepOrphans(storage_pb2.SweepOrphansRequest(grace_seconds=GRACE_SECONDS), timeout=30)

    assert list(result.removed_keys) == [orphan.key]
    assert result.removed_bytes == 250
    assert result.scanned == 3
    assert list_all(stub) == [sorted([referenced.key, young.key])]
    assert metric("mediacenter_storage_sweep_removed_blobs_total") == removed_before + 1
    assert metric("mediacenter_storage_sweep_removed_bytes_total") == bytes_before + 250


def test_sweep_dry_run_removes_nothing(settings_for, catalogue, start_server):
    stub = connect(start_server(settings_for(catalogue_address=catalogue.address)))
    orphan = put(stub, random_bytes(100))
    time.sleep(AGEING_SECONDS)

    result = stub.SweepOrphans(
        storage_pb2.SweepOrphansRequest(grace_seconds=GRACE_SECONDS, dry_run=True), timeout=30
    )

    assert list(result.removed_keys) == [orphan.key]
    assert list_all(stub) == [[orphan.key]]


def test_sweep_default_grace_protects_recent_orphans(settings_for, catalogue, start_server):
    stub = connect(start_server(settings_for(catalogue_address=catalogue.address)))
    orphan = put(stub, random_bytes(100))

    result = stub.SweepOrphans(storage_pb2.SweepOrphansRequest(), timeout=30)

    assert list(result.removed_keys) == []
    assert result.scanned == 1
    assert list_all(stub) == [[orphan.key]]


def test_sweep_without_catalogue_is_failed_precondition(settings, start_server):
    stub = connect(start_server(settings))

    with pytest.raises(grpc.RpcError) as raised:
        stub.SweepOrphans(storage_pb2.SweepOrphansRequest(), timeout=10)

    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "MEDIACENTER_CATALOGUE_ADDRESS" in raised.value.details()


def test_sweep_catalogue_down_is_unavailable(settings_for, start_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = settings_for(catalogue_address=f"127.0.0.1:{closed_port}", call_timeout_seconds=5)
    stub = connect(start_server(settings))
    orphan = put(stub, random_bytes(100))
    time.sleep(AGEING_SECONDS)

    with pytest.raises(grpc.RpcError) as raised:
        stub.SweepOrphans(storage_pb2.SweepOrphansRequest(grace_seconds=GRACE_SECONDS), timeout=30)

    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "catalogue" in raised.value.details()
    assert list_all(stub) == [[orphan.key]]


def test_periodic_sweep_removes_orphans(settings_for, catalogue, start_server):
    settings = settings_for(
        catalogue_address=catalogue.address, sweep_grace_seconds=0, sweep_interval_seconds=0.2
    )
    stub = connect(start_server(settings))
    referenced = put(stub, random_bytes(100))
    catalogue.catalogue.commit_record(referenced.key)
    put(stub, random_bytes(100))

    for _ in range(100):
        if list_all(stub) == [[referenced.key]]:
            break
        time.sleep(0.1)

    assert list_all(stub) == [[referenced.key]]


@pytest.fixture
def references(catalogue) -> Iterator[CatalogueReferences]:
    channel = open_channel(catalogue.address, 10)
    yield CatalogueReferences(channel)
    channel.close()


def test_sweep_never_removes_referenced_blobs(store, catalogue, references):
    keys = [put_blob(store, random_bytes(50)) for _ in range(9)]
    referenced_keys = set(keys[::2])
    for key in referenced_keys:
        catalogue.catalogue.commit_record(key)
    time.sleep(AGEING_SECONDS)

    result = Sweeper(store, references, GRACE_SECONDS, page_size=2).run()

    assert sorted(result.removed_keys) == sorted(set(keys) - referenced_keys)
    assert {key for key in keys if exists(store, key)} == referenced_keys
    assert len(catalogue.catalogue.calls) == 5


def test_sweep_keeps_blob_whose_record_commits_during_run(store, catalogue, references):
    keys = sorted(put_blob(store, random_bytes(50)) for _ in range(6))
    late_record = keys[4]
    time.sleep(AGEING_SECONDS)
    catalogue.catalogue.before_answer = lambda _keys: catalogue.catalogue.commit_record(late_record)

    result = Sweeper(store, references, GRACE_SECONDS, page_size=2).run()

    assert late_record not in result.removed_keys
    assert exists(store, late_record)
    assert sorted(result.removed_keys) == [key for key in keys if key != late_record]


def test_sweep_keeps_blob_stored_during_run(store, catalogue, references):
    put_blob(store, random_bytes(50))
    time.sleep(AGEING_SECONDS)
    stored_meanwhile: list[str] = []

    def store_new_upload(_keys):
        if not stored_meanwhile:
            stored_meanwhile.append(put_blob(store, random_bytes(50), namespace="seller-0"))

    catalogue.catalogue.before_answer = store_new_upload

    Sweeper(store, references, GRACE_SECONDS, page_size=1).run()

    assert exists(store, stored_meanwhile[0])


def test_sweep_keeps_orphan_stored_again_during_run(store, catalogue, references):
    data = random_bytes(50)
    orphan = put_blob(store, data)
    time.sleep(AGEING_SECONDS)
    started = datetime.now(UTC)

    def upload_same_bytes_again(keys):
        # The record of the new upload is not committed yet when the catalogue returns its result.
        if orphan in keys:
            assert put_blob(store, data) == orphan

    catalogue.catalogue.before_answer = upload_same_bytes_again

    result = Sweeper(store, references, GRACE_SECONDS).run()

    assert list(result.removed_keys) == []
    assert exists(store, orphan)
    assert store.stat(orphan).stored_at >= started.replace(microsecond=0) - timedelta(seconds=GRACE_SECONDS)
