"""End-to-end image ingest: the whole product against the bare library work, side by side in one run.

    .venv/bin/python -m bench.ingest_bench [--files 100] [--clients 8] [--side 2000]

Makes distinct noisy JPEGs (2000x2000, about 1.5 MB each), then
1. bare: decode each with Pillow, make a 320 px WebP preview, hash it with
   SHA-256 and write it to disk with fsync, on a pool of --clients threads;
2. product: starts every process as the embedded run does (private
   PostgreSQL, four services, gateway on 127.0.0.1) and uploads the same files
   over HTTP from --clients concurrent clients.
Prints files per second and p50/p95 latency for both, and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import os
import random
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from PIL import Image

from services.devstack.stack import Stack


def make_photos(count: int, side: int, seed: int) -> list[bytes]:
    generator = random.Random(seed)
    photos = []
    for index in range(count):
        coarse = Image.frombytes("RGB", (side // 8, side // 8), generator.randbytes((side // 8) ** 2 * 3))
        fine = Image.frombytes("L", (side, side), generator.randbytes(side * side)).convert("RGB")
        image = Image.blend(coarse.resize((side, side), Image.Resampling.BILINEAR), fine, 0.15)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        photos.append(buffer.getvalue())
        if index == 0:
            print(f"photo size: {len(buffer.getvalue()) / 1e6:.2f} MB")
    return photos


def bare_ingest(photo: bytes, folder: Path) -> None:
    image = Image.open(io.BytesIO(photo))
    image.load()
    preview = image.copy()
    preview.thumbnail((320, 320))
    preview_buffer = io.BytesIO()
    preview.save(preview_buffer, "WEBP", quality=80)
    digest = hashlib.sha256(photo).hexdigest()
    for name, data in ((digest, photo), (digest + ".webp", preview_buffer.getvalue())):
        path = folder / name
        with open(path, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())


def run_bare(photos: list[bytes], clients: int, folder: Path) -> tuple[float, list[float]]:
    latencies: list[float] = []

    def one(photo: bytes) -> None:
        started = time.perf_counter()
        bare_ingest(photo, folder)
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, photos))
    return time.perf_counter() - started, latencies


async def run_product(photos: list[bytes], clients: int, base_url: str, api_key: str) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for index, photo in enumerate(photos):
        queue.put_nowait((index, photo))
    failures: list[str] = []

    async def client_loop(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            index, photo = queue.get_nowait()
            started = time.perf_counter()
            response = await client.post("/v1/media", files={"file": (f"bench-{index}.jpg", photo, "image/jpeg")})
            latencies.append(time.perf_counter() - started)
            if response.status_code != 201:
                failures.append(f"{index}: {response.status_code} {response.text[:200]}")

    headers = {"Authorization": f"Bearer {api_key}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit("uploads failed:\n" + "\n".join(failures[:10]))
    return elapsed, latencies


def summary(name: str, elapsed: float, latencies: list[float]) -> float:
    rate = len(latencies) / elapsed
    quantiles = statistics.quantiles(latencies, n=20)
    print(f"{name:<10}{rate:>10.2f}{statistics.median(latencies) * 1000:>12.1f}{quantiles[18] * 1000:>12.1f}")
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100, help="Distinct photos to ingest (default 100).")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients or threads (default 8).")
    parser.add_argument("--side", type=int, default=2000, help="Photo width and height in pixels (default 2000).")
    arguments = parser.parse_args(argv)

    photos = make_photos(arguments.files, arguments.side, seed=3)
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as scratch:
        scratch_path = Path(scratch)
        (scratch_path / "bare").mkdir()
        bare_elapsed, bare_latencies = run_bare(photos, arguments.clients, scratch_path / "bare")

        stack = Stack(var_dir=scratch_path / "var", http_port=0)
        stack.start()
        try:
            _seller, api_key = stack.create_seller("ingest bench", quota_bytes=100 * 1024**3)
            product_elapsed, product_latencies = asyncio.run(
                run_product(photos, arguments.clients, stack.gateway_url, api_key)
            )
        finally:
            stack.stop()

    print(f"\n{arguments.files} photos of {arguments.side}x{arguments.side}, {arguments.clients} concurrent clients")
    print(f"{'':<10}{'files/s':>10}{'p50 ms':>12}{'p95 ms':>12}")
    bare_rate = summary("bare", bare_elapsed, bare_latencies)
    product_rate = summary("product", product_elapsed, product_latencies)
    print(f"\nproduct / bare throughput: {product_rate / bare_rate:.2f}x (target at least 0.6x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
