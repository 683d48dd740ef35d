"""Prometheus metrics shared by every service, and the endpoint that exposes them."""

from __future__ import annotations

import logging

from prometheus_client import Counter, Histogram, start_http_server

logger = logging.getLogger(__name__)

RPC_HANDLED = Counter(
    "mediacenter_grpc_server_handled_total",
    "gRPC calls finished by this server, by method and status code.",
    ["method", "code"],
)
RPC_SECONDS = Histogram(
    "mediacenter_grpc_server_handling_seconds",
    "Time from the start of a gRPC call to its end, by method.",
    ["method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def start_metrics_endpoint(host: str, port: int) -> int | None:
    """Serve /metrics on host:port in a background thread; return the bound port, or None when off."""
    if port < 0:
        return None
    server, _thread = start_http_server(port, addr=host)
    bound = server.server_port
    logger.info("metrics endpoint listening", extra={"metrics_port": bound})
    return bound
