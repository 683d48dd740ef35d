"""Start-up: migrations under concurrent replicas, settings, the process entry point and a missing catalogue."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import grpc
import psycopg
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from mediacenter.listing.v1 import listing_pb2, listing_pb2_grpc

from services.listing.app import build
from services.listing.database import apply_migrations, migration_files, open_pool
from services.listing.settings import ListingSettings
from services.runtime.errors import ErrorDetails

REPOSITORY = Path(__file__).resolve().parents[2]


def test_migrations_apply_once_across_replicas(database_url):
    pools = [open_pool(database_url, max_size=1, lock_timeout_seconds=30) for _ in range(4)]
    applied: list[list[str]] = []
    barrier = threading.Barrier(len(pools))

    def start_replica(pool) -> None:
        barrier.wait(timeout=10)
        applied.append(apply_migrations(pool))

    threads = [threading.Thread(target=start_replica, args=(pool,)) for pool in pools]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for pool in pools:
        pool.close()

    names = [name for _version, name, _sql in migration_files()]
    assert sorted(applied, key=len) == [[], [], [], names]
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT name FROM listing.schema_migrations ORDER BY version").fetchall()
    assert [name for (name,) in rows] == names


def test_settings_name_missing_variables():
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MEDIACENTER_")}

    finished = subprocess.run(
        [sys.executable, "-m", "services.listing"],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode == 2
    assert "MEDIACENTER_DATABASE_URL" in finished.stderr
    assert "MEDIACENTER_CATALOGUE_ADDRESS" in finished.stderr


def test_process_serves_and_stops_on_sigterm(database_url, fake_catalogue_server):
    environment = dict(
        os.environ,
        MEDIACENTER_DATABASE_URL=database_url,
        MEDIACENTER_CATALOGUE_ADDRESS=fake_catalogue_server.address,
        MEDIACENTER_GRPC_PORT="0",
        MEDIACENTER_LOG_FORMAT="json",
        MEDIACENTER_DRAIN_SECONDS="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "services.listing"],
        cwd=REPOSITORY,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = _wait_for_port(process)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service="mediacenter.listing.v1.ListingService"), timeout=10
            )
        assert health.status == health_pb2.HealthCheckResponse.SERVING

        process.send_signal(signal.SIGTERM)

        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stderr.close()


def _wait_for_port(process: subprocess.Popen) -> int:
    """Read the JSON log lines until the server reports its port; fail after 100 lines or when it exits."""
    for _ in range(100):
        line = process.stderr.readline()
        if not line:
            break
        entry = json.loads(line)
        if "grpc_port" in entry:
            return entry["grpc_port"]
    raise AssertionError(f"the listing process never reported its port (exit code {process.poll()})")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_catalogue_down_is_unavailable_and_changes_nothing(database_url):
    settings = ListingSettings(
        database_url=database_url,
        catalogue_address=f"127.0.0.1:{_closed_port()}",
        grpc_port=0,
        call_timeout_seconds=2.0,
    )
    running = build(settings)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = listing_pb2_grpc.ListingServiceStub(channel)
            request = listing_pb2.SetListingMediaRequest(
                seller_id="seller", listing_id="offline", image_ids=["6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"]
            )

            with pytest.raises(grpc.RpcError) as raised:
                stub.SetListingMedia(request, timeout=20)

            assert ErrorDetails.from_rpc_error(raised.value).code == grpc.StatusCode.UNAVAILABLE
    finally:
        running.stop(0)
    with psycopg.connect(database_url) as connection:
        assert connection.execute("SELECT count(*) FROM listing.listings").fetchone() == (0,)
