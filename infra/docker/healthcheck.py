"""Container health check: exit 0 when the server in this container reports healthy, 1 otherwise.

Usage: python healthcheck.py grpc|http [--timeout SECONDS]

grpc: calls grpc.health.v1.Health/Check for the overall server status ("") on
127.0.0.1 at MEDIACENTER_GRPC_PORT (default 50051) and expects SERVING.
http: sends GET /healthz to 127.0.0.1 at MEDIACENTER_HTTP_PORT (default 8080)
and expects status 200.

Only the standard library and the grpc packages every image installs are used,
so the check adds nothing to the images. It prints one line saying why it failed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys

DEFAULT_GRPC_PORT = 50051
DEFAULT_HTTP_PORT = 8080


def check_grpc(port: int, timeout: float) -> str | None:
    """Return None when the gRPC server reports SERVING, or the reason it is not healthy."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        except grpc.RpcError as error:
            return f"gRPC health check on port {port} failed: {error.code().name} {error.details()}"
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        return f"gRPC server on port {port} reports {status}"
    return None


def check_http(port: int, timeout: float) -> str | None:
    """Return None when GET /healthz returns status 200, or the reason it is not healthy."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        status = connection.getresponse().status
    except OSError as error:
        return f"GET /healthz on port {port} failed: {error}"
    finally:
        connection.close()
    if status != 200:
        return f"GET /healthz on port {port} returned status {status}"
    return None


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Exit 0 when this container's server is healthy.")
    parser.add_argument("kind", choices=("grpc", "http"), help="protocol of the server to check")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for the response")
    options = parser.parse_args(arguments)

    if options.kind == "grpc":
        port = int(os.environ.get("MEDIACENTER_GRPC_PORT", DEFAULT_GRPC_PORT))
        problem = check_grpc(port, options.timeout)
    else:
        port = int(os.environ.get("MEDIACENTER_HTTP_PORT", DEFAULT_HTTP_PORT))
        problem = check_http(port, options.timeout)

    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
