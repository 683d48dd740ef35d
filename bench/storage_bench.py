"""Storage service throughput against bare file and boto3 work, side by side in one run.

    .venv/bin/python -m bench.storage_bench [--rounds 3] [--backends local,s3]

For each backend, starts the storage service as its own process on
127.0.0.1 and measures, on the same distinct random files:
- local: PutBlob and GetBlob over gRPC on loopback, against bare writes
  (write, fsync, rename) and bare reads in 1 MiB chunks of the same files in
  a folder on the same disk;
- s3: the service against bare boto3 put_object and streamed get_object
  calls to the same moto S3 server, which runs in its own process on
  127.0.0.1 with dummy credentials.
Prints MB/s (1 MB = 10^6 bytes) of each side, medians over --rounds, and
the ratio service / bare. The last column is gRPC alone: a child process
that serves the same calls with no storage work (puts are read and dropped,
gets send bytes from memory), which is the ceiling for the service here.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from pathlib import Path

import boto3
import grpc
from botocore.config import Config
from grpc_health.v1 import health_pb2, health_pb2_grpc
from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc

CHUNK_BYTES = 1024 * 1024
# (file size in bytes, number of files): small photos, large photos and videos.
WORKLOADS = [(256 * 1024, 64), (4 * 1024 * 1024, 16), (10 * 1024 * 1024, 6)]
DUMMY_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, description: str) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{description} did not start on 127.0.0.1:{port} within 30 s.")


@contextmanager
def child_process(command: list[str], environment: dict[str, str], *, quiet: bool = False) -> Iterator[None]:
    """Run a child process for the duration of the block; ``quiet`` drops its standard error too."""
    child = subprocess.Popen(
        command,
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if quiet else None,
    )
    try:
        yield
    finally:
        child.terminate()
        child.wait(timeout=30)


@contextmanager
def moto_server() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    # moto logs every request on standard error.
    with child_process(command, DUMMY_AWS_ENVIRONMENT, quiet=True):
        wait_for_port(port, "The moto S3 server")
        yield f"http://127.0.0.1:{port}"


@contextmanager
def storage_service(environment: dict[str, str]) -> Iterator[storage_pb2_grpc.StorageServiceStub]:
    port = free_port()
    settings = {
        **DUMMY_AWS_ENVIRONMENT,
        **environment,
        "MEDIACENTER_GRPC_HOST": "127.0.0.1",
        "MEDIACENTER_GRPC_PORT": str(port),
        "MEDIACENTER_LOG_LEVEL": "WARNING",
        "MEDIACENTER_SWEEP_INTERVAL_SECONDS": "0",
    }
    with (
        child_process([sys.executable, "-m", "services.storage"], settings),
        grpc.insecure_channel(f"127.0.0.1:{port}") as channel,
    ):
        health = health_pb2_grpc.HealthStub(channel)
        health.Check(health_pb2.HealthCheckRequest(), timeout=30, wait_for_ready=True)
        yield storage_pb2_grpc.StorageServiceStub(channel)


class TransportOnlyServicer(storage_pb2_grpc.StorageServiceServicer):
    """Serves PutBlob and GetBlob with no storage work, to measure what gRPC alone costs."""

    def __init__(self) -> None:
        self._buffer = os.urandom(CHUNK_BYTES)

    def PutBlob(self, request_iterator, context):
        size = sum(len(request.chunk) for request in request_iterator)
        return storage_pb2.PutBlobResponse(key=f"transport/{size}", byte_size=size, created=True)

    def GetBlob(self, request, context):
        remaining = int(request.key.rsplit("/", 1)[1])
        while remaining > 0:
            size = min(CHUNK_BYTES, remaining)
            yield storage_pb2.GetBlobResponse(chunk=self._buffer[:size])
            remaining -= size


def serve_transport_only(port: int) -> None:
    """Run the TransportOnlyServicer on 127.0.0.1:port until terminated (the child side of the bench)."""
    options = [
        ("grpc.max_receive_message_length", 4 * CHUNK_BYTES),
        ("grpc.max_send_message_length", 4 * CHUNK_BYTES),
    ]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=options)
    storage_pb2_grpc.add_StorageServiceServicer_to_server(TransportOnlyServicer(), server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    server.wait_for_termination()


@contextmanager
def transport_only_service() -> Iterator[storage_pb2_grpc.StorageServiceStub]:
    port = free_port()
    with child_process([sys.executable, "-m", "bench.storage_bench", "--serve-transport-only", str(port)], {}):
        wait_for_port(port, "The gRPC transport-only server")
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield storage_pb2_grpc.StorageServiceStub(channel)


def put_requests(data: bytes) -> Iterator[storage_pb2.PutBlobRequest]:
    yield storage_pb2.PutBlobRequest(header=storage_pb2.PutBlobHeader(namespace="bench", suffix=".bin"))
    view = memoryview(data)
    for start in range(0, len(data), CHUNK_BYTES):
        yield storage_pb2.PutBlobRequest(chunk=bytes(view[start : start + CHUNK_BYTES]))


def service_put(stub: storage_pb2_grpc.StorageServiceStub, files: list[bytes]) -> list[str]:
    keys = []
    for data in files:
        response = stub.PutBlob(put_requests(data), timeout=60)
        assert response.created, "the benchmark needs distinct files, but one was stored already"
        keys.append(response.key)
    return keys


def service_get(stub: storage_pb2_grpc.StorageServiceStub, keys: list[str]) -> int:
    total = 0
    for key in keys:
        for response in stub.GetBlob(storage_pb2.GetBlobRequest(key=key), timeout=60):
            total += len(response.chunk)
    return total


def bare_write(folder: Path, files: list[bytes]) -> list[Path]:
    paths = []
    for data in files:
        temporary = folder / f"{uuid.uuid4().hex}.part"
        path = folder / uuid.uuid4().hex
        view = memoryview(data)
        with open(temporary, "xb") as handle:
            handle.writelines(view[start : start + CHUNK_BYTES] for start in range(0, len(data), CHUNK_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(temporary, path)
        paths.append(path)
    return paths


def bare_read(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                total += len(chunk)
    return total


def bare_s3_put(client, bucket: str, files: list[bytes]) -> list[str]:
    keys = []
    for data in files:
        key = f"bare/{uuid.uuid4().hex}"
        client.put_object(Bucket=bucket, Key=key, Body=data)
        keys.append(key)
    return keys


def bare_s3_get(client, bucket: str, keys: list[str]) -> int:
    total = 0
    for key in keys:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        for chunk in body.iter_chunks(CHUNK_BYTES):
            total += len(chunk)
    return total


def measure(rounds: int, size: int, count: int, sides: dict[str, tuple[Callable, Callable]]) -> dict[str, float]:
    """Return the median MB/s of each side's puts and gets, over fresh random files each round."""
    speeds: dict[str, list[float]] = {f"{side} {operation}": [] for side in sides for operation in ("put", "get")}
    megabytes = size * count / 1e6
    for _round in range(rounds):
        for side, (put, get) in sides.items():
            files = [os.urandom(size) for _ in range(count)]
            started = time.perf_counter()
            handles = put(files)
            put_seconds = time.perf_counter() - started
            started = time.perf_counter()
            total = get(handles)
            get_seconds = time.perf_counter() - started
            assert total == size * count, f"{side} read {total} bytes, expected {size * count}"
            speeds[f"{side} put"].append(megabytes / put_seconds)
            speeds[f"{side} get"].append(megabytes / get_seconds)
    return {name: statistics.median(values) for name, values in speeds.items()}


def print_rows(backend: str, size: int, count: int, speeds: dict[str, float]) -> None:
    for operation in ("put", "get"):
        service = speeds[f"service {operation}"]
        bare = speeds[f"bare {operation}"]
        print(
            f"{backend:6} {operation:4} {size // 1024:>6} KiB x{count:<3} "
            f"{service:9.1f} {bare:9.1f} {service / bare:7.2f} {speeds[f'grpc {operation}']:10.1f}"
        )


def transport_ops(stub: storage_pb2_grpc.StorageServiceStub) -> tuple[Callable, Callable]:
    def put(files: list[bytes]) -> list[str]:
        return [stub.PutBlob(put_requests(data), timeout=60).key for data in files]

    return put, lambda keys: service_get(stub, keys)


def bench_local(rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="storage-bench-", dir=os.environ.get("BENCH_DIR")) as folder:
        root = Path(folder)
        (root / "bare").mkdir()
        environment = {"MEDIACENTER_STORAGE_BACKEND": "local", "MEDIACENTER_STORAGE_ROOT": str(root / "blobs")}
        with storage_service(environment) as stub, transport_only_service() as transport:
            for size, count in WORKLOADS:
                sides = {
                    "service": (lambda files: service_put(stub, files), lambda keys: service_get(stub, keys)),
                    "bare": (lambda files: bare_write(root / "bare", files), bare_read),
                    "grpc": transport_ops(transport),
                }
                speeds = measure(rounds, size, count, sides)
                print_rows("local", size, count, speeds)


def bench_s3(rounds: int) -> None:
    with moto_server() as endpoint:
        bucket = f"bench-{uuid.uuid4().hex[:12]}"
        environment = {
            "MEDIACENTER_STORAGE_BACKEND": "s3",
            "MEDIACENTER_S3_BUCKET": bucket,
            "MEDIACENTER_S3_ENDPOINT_URL": endpoint,
            "MEDIACENTER_S3_ACCESS_KEY_ID": "testing",
            "MEDIACENTER_S3_SECRET_ACCESS_KEY": "testing",
            "MEDIACENTER_S3_CREATE_BUCKET": "true",
        }
        client = boto3.session.Session().client(
            "s3",
            region_name="us-east-1",
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(s3={"addressing_style": "path"}),
        )
        with storage_service(environment) as stub, transport_only_service() as transport:
            for size, count in WORKLOADS:
                sides = {
                    "service": (lambda files: service_put(stub, files), lambda keys: service_get(stub, keys)),
                    "bare": (
                        lambda files: bare_s3_put(client, bucket, files),
                        lambda keys: bare_s3_get(client, bucket, keys),
                    ),
                    "grpc": transport_ops(transport),
                }
                speeds = measure(rounds, size, count, sides)
                print_rows("s3", size, count, speeds)
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per workload; medians are printed")
    parser.add_argument("--backends", default="local,s3", help="comma-separated: local, s3")
    parser.add_argument("--serve-transport-only", type=int, metavar="PORT", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_transport_only:
        serve_transport_only(arguments.serve_transport_only)
        return
    backends = [name.strip() for name in arguments.backends.split(",") if name.strip()]

    print("MB/s = 10^6 bytes per second, one client, one file at a time; ratio = service / bare")
    print(f"{'backend':6} {'op':4} {'files':>16} {'service':>9} {'bare':>9} {'ratio':>7} {'gRPC alone':>10}")
    for backend in backends:
        {"local": bench_local, "s3": bench_s3}[backend](arguments.rounds)


if __name__ == "__main__":
    main()
