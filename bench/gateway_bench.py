"""GET throughput and latency of a 1.3 MB image through the gateway, against nginx serving the same file.

Both servers run on 127.0.0.1 in this run and get the same load from wrk
(or, without wrk, from a small httpx client). Behind the gateway are the real
storage service (local folder backend) and, by default, the real catalogue on
an embedded PostgreSQL with the image uploaded through the real upload flow.
With `--catalogue fake` the in-memory catalogue from the gateway tests serves
ResolvePublicMedia instead. The listing service is always the fake, because a
GET of media bytes never calls it.

Run: .venv/bin/python -m bench.gateway_bench [--seconds 10] [--connections 16] [--catalogue real|fake]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc
from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc
from PIL import Image

from services.catalogue.app import build as build_catalogue
from services.catalogue.settings import CatalogueSettings
from services.devstack.postgres import EmbeddedPostgres
from services.runtime.server import RunningServer
from services.storage.app import build as build_storage
from services.storage.settings import StorageSettings
from services.validation.app import build as build_validation
from services.validation.settings import ValidationSettings
from tests.gateway.fakes import start_fake_services

IMAGE_BYTES_TARGET = 1_300_000
FILE_NAME = "product.jpg"


@dataclass
class Result:
    name: str
    requests_per_second: float
    latency_ms: dict[str, float]
    errors: int


def make_image(target: int) -> bytes:
    """Return a real JPEG of about `target` bytes (noise compresses badly, so the size is easy to steer)."""
    rng = random.Random(7)
    side = 600
    while True:
        noise = Image.frombytes("RGB", (side // 4, side // 4), rng.randbytes((side // 4) ** 2 * 3)).resize((side, side))
        buffer = io.BytesIO()
        noise.save(buffer, "JPEG", quality=92)
        if buffer.tell() >= target:
            return buffer.getvalue()
        side += 100


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not respond within {timeout:g} s")


@contextmanager
def process(command: list[str], env: dict[str, str] | None = None, log: Path | None = None) -> Iterator[subprocess.Popen]:
    with open(log or os.devnull, "wb") as output:
        child = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            yield child
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        sys.exit("nginx is not installed: run `apt-get install -y nginx-light` and try again.")
    return found


def nginx_config(root: Path, port: int, workdir: Path) -> Path:
    config = workdir / "nginx.conf"
    config.write_text(
        f"""
worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    types {{ image/jpeg jpg; }}
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        add_header Cache-Control "public, max-age=86400, immutable";
        add_header X-Content-Type-Options nosniff;
    }}
}}
"""
    )
    return config


def run_wrk(url: str, seconds: int, connections: int, threads: int) -> Result:
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {}
    for percentile in ("50", "90", "99"):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        latency[f"p{percentile}"] = _to_ms(float(match.group(1)), match.group(2))
    errors_match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*?timeout (\d+)", output)
    errors = int(errors_match.group(1)) if errors_match else 0
    errors += int(socket_errors.group(1)) if socket_errors else 0
    return Result(url, rate, latency, errors)


def _to_ms(value: float, unit: str) -> float:
    return {"us": value / 1000, "ms": value, "s": value * 1000}[unit]


async def _python_load(url: str, seconds: int, connections: int) -> Result:
    """Fallback load without wrk: `connections` clients that each GET in a loop until the time is up."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    errors += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(fraction: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * fraction))]

    summary = {"p50": percentile(0.5), "p90": percentile(0.9), "p99": percentile(0.99)}
    return Result(url, len(latencies) / elapsed, summary, errors)


def measure(url: str, seconds: int, connections: int, threads: int) -> Result:
    if shutil.which("wrk"):
        return run_wrk(url, seconds, connections, threads)
    return asyncio.run(_python_load(url, seconds, connections))


def store_in_storage(address: str, namespace: str, data: bytes) -> str:
    with grpc.insecure_channel(address) as channel:
        stub = storage_pb2_grpc.StorageServiceStub(channel)
        chunks = [storage_pb2.PutBlobRequest(header=storage_pb2.PutBlobHeader(namespace=namespace, content_type="image/jpeg"))]
        chunks += [storage_pb2.PutBlobRequest(chunk=data[i:i + 1024 * 1024]) for i in range(0, len(data), 1024 * 1024)]
        return stub.PutBlob(iter(chunks), timeout=30).key


@dataclass
class Published:
    """The benchmark image as published by the catalogue: its public path and the SHA-256 of its bytes."""

    path: str
    sha256: str


def publish_with_fake_catalogue(fakes, storage_address: str, image: bytes) -> Published:
    seller_id, _api_key = fakes.catalogue.create_seller()
    media = fakes.catalogue.add_media(seller_id, image, FILE_NAME)
    media.blob_key = store_in_storage(storage_address, seller_id, image)
    return Published(f"/media/{media.id}/{FILE_NAME}", media.sha256)


def publish_with_real_catalogue(catalogue_address: str, image: bytes) -> Published:
    """Create a seller and upload the image through the catalogue's full upload flow."""
    with grpc.insecure_channel(catalogue_address) as channel:
        stub = catalogue_pb2_grpc.CatalogueServiceStub(channel)
        seller = stub.CreateSeller(catalogue_pb2.CreateSellerRequest(name="Benchmark shop"), timeout=30).seller
        header = catalogue_pb2.UploadHeader(seller_id=seller.id, file_name=FILE_NAME)
        requests = [catalogue_pb2.UploadMediaRequest(header=header)]
        requests += [
            catalogue_pb2.UploadMediaRequest(chunk=image[i:i + 1024 * 1024]) for i in range(0, len(image), 1024 * 1024)
        ]
        requests.append(catalogue_pb2.UploadMediaRequest(end=catalogue_pb2.UploadEnd(byte_size=len(image))))
        media = stub.UploadMedia(iter(requests), timeout=60).media
    return Published(f"/media/{media.id}/{media.file_name}", media.sha256)


def start_real_catalogue(workdir: Path, validation_address: str, storage_address: str, started: list) -> str:
    """Start PostgreSQL and the catalogue; return the catalogue's address."""
    postgres = EmbeddedPostgres(workdir / "postgres")
    postgres.start()
    started.append(postgres.stop)
    catalogue = build_catalogue(CatalogueSettings(
        grpc_port=0,
        database_url=postgres.ensure_database("gateway_bench"),
        validation_address=validation_address,
        storage_address=storage_address,
        upload_spool_dir=str(workdir),
    ))
    started.append(lambda: catalogue.stop(0))
    return f"127.0.0.1:{catalogue.port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each load run, in seconds")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--catalogue", choices=("real", "fake"), default="real",
        help="real: the catalogue on an embedded PostgreSQL; fake: the in-memory one from the gateway tests",
    )
    args = parser.parse_args()

    image = make_image(IMAGE_BYTES_TARGET)
    workdir = Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    # nginx workers run as an unprivileged user when started by root, so the files must be world-readable.
    workdir.chmod(0o755)
    cleanups = []
    if args.catalogue == "real":
        # Validation forks its inspection workers, so it starts before any other gRPC server runs threads here.
        validation = build_validation(ValidationSettings(grpc_port=0))
        cleanups.append(lambda: validation.stop(0))
    fakes = start_fake_services()
    storage: RunningServer = build_storage(
        StorageSettings(grpc_port=0, storage_backend="local", storage_root=workdir / "blobs")
    )
    cleanups += [fakes.stop_all, lambda: storage.stop(0)]
    try:
        storage_address = f"127.0.0.1:{storage.port}"
        if args.catalogue == "real":
            validation_address = f"127.0.0.1:{validation.port}"
            catalogue_address = start_real_catalogue(workdir, validation_address, storage_address, cleanups)
            published = publish_with_real_catalogue(catalogue_address, image)
        else:
            catalogue_address = fakes.address("catalogue")
            published = publish_with_fake_catalogue(fakes, storage_address, image)

        # nginx serves the same bytes at the same path, from a file on disk.
        static_root = workdir / "static"
        static_file = static_root / published.path.lstrip("/")
        static_file.parent.mkdir(parents=True)
        static_file.write_bytes(image)
        for folder in (static_root, static_root / "media", static_file.parent):
            folder.chmod(0o755)
        static_file.chmod(0o644)
        nginx_port = free_port()
        (workdir / "body").mkdir()
        config = nginx_config(static_root, nginx_port, workdir)

        common_env = {
            **os.environ,
            "MEDIACENTER_CATALOGUE_ADDRESS": catalogue_address,
            "MEDIACENTER_LISTING_ADDRESS": fakes.address("listing"),
            "MEDIACENTER_STORAGE_ADDRESS": storage_address,
            "MEDIACENTER_LOG_LEVEL": "WARNING",
        }
        # The second gateway has its delivery caches turned off, so every request resolves the id at the
        # catalogue and streams the bytes from storage: the cost of a URL that is not hot.
        gateway_ports = {"gateway": free_port(), "gateway-nc": free_port()}
        uncached = {"MEDIACENTER_BLOB_CACHE_BYTES": "0", "MEDIACENTER_RESOLVE_CACHE_SECONDS": "0"}
        path = published.path
        with (
            process(
                [sys.executable, "-m", "gateway"],
                env={**common_env, "MEDIACENTER_HTTP_PORT": str(gateway_ports["gateway"])},
                log=workdir / "gateway.log",
            ),
            process(
                [sys.executable, "-m", "gateway"],
                env={**common_env, **uncached, "MEDIACENTER_HTTP_PORT": str(gateway_ports["gateway-nc"])},
                log=workdir / "gateway-nc.log",
            ),
            process([nginx_binary(), "-c", str(config), "-p", str(workdir)], log=workdir / "nginx.log"),
        ):
            urls = {name: f"http://127.0.0.1:{port}{path}" for name, port in gateway_ports.items()}
            urls["nginx"] = f"http://127.0.0.1:{nginx_port}{path}"
            for name, port in gateway_ports.items():
                try:
                    wait_for(f"http://127.0.0.1:{port}/healthz")
                except RuntimeError:
                    sys.stderr.write((workdir / f"{name}.log").read_text(errors="replace")[-3000:])
                    raise
            wait_for(urls["nginx"])
            for url in urls.values():
                body = httpx.get(url, timeout=10).content
                if hashlib.sha256(body).hexdigest() != published.sha256:
                    sys.exit(f"{url} served other bytes than the stored image: {body[:300]!r}")
            for url in urls.values():
                measure(url, 2, args.connections, args.threads)  # warm-up
            results = {name: measure(url, args.seconds, args.connections, args.threads) for name, url in urls.items()}
    finally:
        for cleanup in reversed(cleanups):
            cleanup()
        shutil.rmtree(workdir, ignore_errors=True)

    tool = "wrk" if shutil.which("wrk") else "httpx (wrk not installed)"
    print(f"GET of a {len(image):,} byte JPEG, {args.connections} connections, {args.seconds} s per server, load: {tool}")
    catalogue_kind = "real catalogue on embedded PostgreSQL" if args.catalogue == "real" else "in-memory catalogue from tests/gateway/fakes.py"
    print(f"behind the gateway: real storage service (local folder), {catalogue_kind}")
    print("gateway: delivery caches on (the default); gateway-nc: caches off, every byte streamed from storage")
    print(f"{'server':<10} {'req/s':>9} {'MB/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'errors':>7} {'x nginx':>8}")
    nginx = results["nginx"]
    for name, result in results.items():
        print(
            f"{name:<10} {result.requests_per_second:>9.1f} {result.requests_per_second * len(image) / 1e6:>8.1f} "
            f"{result.latency_ms['p50']:>8.2f} {result.latency_ms['p90']:>8.2f} {result.latency_ms['p99']:>8.2f} "
            f"{result.errors:>7} {result.requests_per_second / nginx.requests_per_second:>8.3f}"
        )
    gateway = results["gateway"]
    print(f"throughput ratio gateway/nginx: {gateway.requests_per_second / nginx.requests_per_second:.3f}")
    print(f"p50 latency ratio gateway/nginx: {gateway.latency_ms['p50'] / nginx.latency_ms['p50']:.1f}")

if __name__ == "__main__":
    main()
