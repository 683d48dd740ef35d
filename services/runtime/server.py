"""Server bootstrap: one factory builds every service's gRPC server the same way.

Each server gets the shared interceptor, the standard health service, server
reflection and a Prometheus endpoint, and drains in-flight calls on SIGTERM.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent import futures
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.runtime.interceptors import ServiceInterceptor
from services.runtime.metrics import start_metrics_endpoint
from services.runtime.settings import ServiceSettings

logger = logging.getLogger(__name__)

# Chunks are at most 1 MiB; the headroom covers the other fields of a message.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024


@dataclass
class RunningServer:
    """A started gRPC server with the port it bound and its health service."""

    server: grpc.Server
    port: int
    health: health.HealthServicer
    service_names: Sequence[str]
    metrics_port: int | None = None
    on_stop: list[Callable[[], None]] = field(default_factory=list)

    def stop(self, grace_seconds: float) -> None:
        """Report NOT_SERVING, let in-flight calls finish within the grace period, then run cleanups."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace_seconds).wait()
        for cleanup in reversed(self.on_stop):
            cleanup()


def build_server(
    settings: ServiceSettings,
    *,
    service_names: Sequence[str],
    register: Callable[[grpc.Server], None],
) -> RunningServer:
    """Build, bind and start a server for the given services; port 0 in settings picks a free port."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=settings.grpc_workers, thread_name_prefix="grpc"),
        interceptors=[ServiceInterceptor()],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),
        ],
    )
    register(server)

    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        [*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )

    address = f"{settings.grpc_host}:{settings.grpc_port}"
    port = server.add_insecure_port(address)
    if port == 0:
        raise RuntimeError(f"Could not bind the gRPC server to {address}: the address is in use or invalid.")
    server.start()

    for name in ("", *service_names):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    metrics_port = start_metrics_endpoint(settings.grpc_host, settings.metrics_port)
    logger.info("gRPC server listening", extra={"grpc_port": port, "services": list(service_names)})
    return RunningServer(server, port, health_servicer, service_names, metrics_port)


def serve_until_signalled(running: RunningServer, settings: ServiceSettings) -> None:
    """Block until SIGTERM or SIGINT, then drain in-flight calls and stop."""
    stop_requested = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        logger.info("received %s, draining for up to %.1f s", signal.Signals(signum).name, settings.drain_seconds)
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    stop_requested.wait()
    running.stop(settings.drain_seconds)
    logger.info("stopped")
