"""The container health check script, run against real servers on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from tests.infra.manifests import REPOSITORY

SCRIPT = REPOSITORY / "infra" / "docker" / "healthcheck.py"


def run_check(kind: str, port_variable: str, port: int) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, port_variable: str(port)}
    return subprocess.run(
        [sys.executable, str(SCRIPT), kind, "--timeout", "5"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def grpc_health_server() -> Iterator[tuple[int, health.HealthServicer]]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield port, servicer
    finally:
        server.stop(grace=None)


class HealthzHandler(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), HealthzHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        HealthzHandler.status = 200


def test_grpc_check_passes_when_serving(grpc_health_server) -> None:
    port, servicer = grpc_health_server
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)

    result = run_check("grpc", "MEDIACENTER_GRPC_PORT", port)

    assert result.returncode == 0, result.stderr


def test_grpc_check_fails_when_not_serving(grpc_health_server) -> None:
    port, servicer = grpc_health_server
    servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)

    result = run_check("grpc", "MEDIACENTER_GRPC_PORT", port)

    assert result.returncode == 1
    assert "NOT_SERVING" in result.stderr


def test_grpc_check_fails_when_nothing_listens() -> None:
    port = unused_port()

    result = run_check("grpc", "MEDIACENTER_GRPC_PORT", port)

    assert result.returncode == 1
    assert "UNAVAILABLE" in result.stderr


def test_http_check_passes_on_200(http_server) -> None:
    port = http_server.server_address[1]

    result = run_check("http", "MEDIACENTER_HTTP_PORT", port)

    assert result.returncode == 0, result.stderr


def test_http_check_fails_on_503(http_server) -> None:
    HealthzHandler.status = 503
    port = http_server.server_address[1]

    result = run_check("http", "MEDIACENTER_HTTP_PORT", port)

    assert result.returncode == 1
    assert "status 503" in result.stderr


def test_http_check_fails_when_nothing_listens() -> None:
    port = unused_port()

    result = run_check("http", "MEDIACENTER_HTTP_PORT", port)

    assert result.returncode == 1
    assert "failed" in result.stderr
