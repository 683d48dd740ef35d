"""Load test: a mix of uploads, searches, listing edits and media reads against one deployment.

Run against the embedded stack (``make run`` in another terminal):

    .venv/bin/python -m bench.loadtest --duration 600

or against any deployment you operate:

    .venv/bin/python -m bench.loadtest --url http://127.0.0.1:8080 --api-key KEY --duration 60

It sends traffic only to --url (127.0.0.1:8080 by default), stops after
--duration seconds or --max-requests requests, whichever comes first, and
prints throughput, p50/p95/p99 latency and errors per operation. Use a seller
whose quota fits the run (``mediacenter seller create load --quota 50GB``).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import statistics
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from PIL import Image, ImageDraw

DEFAULT_MIX = "upload_image=3,upload_video=1,search=4,listing_edit=1,media_get=4"


@dataclass
class OperationStats:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def record(self, seconds: float, outcome: str | None) -> None:
        self.latencies.append(seconds)
        if outcome is not None:
            self.errors[outcome] += 1


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class MediaMaker:
    """Makes distinct product photos and short videos, so uploads are new items and not duplicates."""

    def __init__(self, seed: int, image_side: int) -> None:
        self._random = random.Random(seed)
        self._image_side = image_side
        noise = Image.frombytes("RGB", (48, 48), self._random.randbytes(48 * 48 * 3))
        self._base = noise.resize((image_side, image_side), Image.Resampling.BICUBIC)
        self._counter = 0

    def image(self) -> bytes:
        self._counter += 1
        image = self._base.copy()
        draw = ImageDraw.Draw(image)
        for _ in range(12):
            x, y = self._random.randrange(self._image_side), self._random.randrange(self._image_side)
            colour = tuple(self._random.randrange(256) for _ in range(3))
            draw.rectangle((x, y, x + 40, y + 40), fill=colour)
        draw.text((10, 10), f"load {self._counter} {self._random.random()}", fill=(255, 255, 255))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        return buffer.getvalue()

    def video(self) -> bytes:
        import av
        import numpy

        self._counter += 1
        generator = numpy.random.default_rng(self._random.randrange(2**32))
        buffer = io.BytesIO()
        with av.open(buffer, "w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=10)
            stream.width, stream.height, stream.pix_fmt = 320, 568, "yuv420p"
            for _ in range(10):
                pixels = generator.integers(0, 256, (568, 320, 3), dtype=numpy.uint8)
                for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        return buffer.getvalue()


class LoadTest:
    def __init__(self, arguments: argparse.Namespace) -> None:
        self.arguments = arguments
        self.stats: dict[str, OperationStats] = defaultdict(OperationStats)
        self.media_ids: list[str] = []
        self.image_ids: list[str] = []
        self.media_urls: list[str] = []
        self.sent = 0
        self.deadline = 0.0
        self.maker = MediaMaker(arguments.seed, arguments.image_side)
        self.encoder = ThreadPoolExecutor(max_workers=2)
        self.random = random.Random(arguments.seed)
        weights = dict(part.split("=") for part in arguments.mix.split(","))
        self.operations = list(weights)
        self.weights = [float(weights[name]) for name in self.operations]

    def _take_slot(self) -> bool:
        if time.monotonic() >= self.deadline or self.sent >= self.arguments.max_requests:
            return False
        self.sent += 1
        return True

    async def run(self) -> float:
        headers = {"Authorization": f"Bearer {self.arguments.api_key}"}
        limits = httpx.Limits(max_connections=self.arguments.concurrency * 2)
        async with httpx.AsyncClient(base_url=self.arguments.url, headers=headers, limits=limits, timeout=60) as client:
            await self._seed(client)
            started = time.monotonic()
            self.deadline = started + self.arguments.duration
            await asyncio.gather(*(self._worker(client) for _ in range(self.arguments.concurrency)))
            return time.monotonic() - started

    async def _seed(self, client: httpx.AsyncClient) -> None:
        """Upload a few images first so reads and listing edits have something to use."""
        for _ in range(10):
            await self._upload(client, "upload_image", record=False)

    async def _worker(self, client: httpx.AsyncClient) -> None:
        while self._take_slot():
            name = self.random.choices(self.operations, self.weights)[0]
            await getattr(self, f"_op_{name}")(client)

    async def _timed(self, name: str, call) -> httpx.Response | None:
        started = time.perf_counter()
        outcome = None
        response = None
        try:
            response = await call()
            if response.status_code >= 400:
                outcome = str(response.status_code)
        except httpx.HTTPError as error:
            outcome = type(error).__name__
        self.stats[name].record(time.perf_counter() - started, outcome)
        return response

    async def _upload(self, client: httpx.AsyncClient, name: str, record: bool = True) -> None:
        make = self.maker.video if name == "upload_video" else self.maker.image
        body = await asyncio.get_running_loop().run_in_executor(self.encoder, make)
        file_name = f"load-{self.random.randrange(10**9)}.{'mp4' if name == 'upload_video' else 'jpg'}"
        mime = "video/mp4" if name == "upload_video" else "image/jpeg"

        async def call():
            return await client.post("/v1/media", files={"file": (file_name, body, mime)})

        if record:
            response = await self._timed(name, call)
        else:
            response = await call()
        if response is not None and response.status_code in (200, 201):
            item = response.json()
            self.media_ids.append(item["id"])
            self.media_urls.append(item["url"])
            if item["kind"] == "image":
                self.image_ids.append(item["id"])

    async def _op_upload_image(self, client):
        await self._upload(client, "upload_image")

    async def _op_upload_video(self, client):
        await self._upload(client, "upload_video")

    async def _op_search(self, client):
        query = self.random.choice(["load", "jpg", "load 1", "mp4", ""])
        await self._timed("search", lambda: client.get("/v1/media", params={"q": query, "limit": 50}))

    async def _op_listing_edit(self, client):
        if not self.image_ids:
            return
        images = self.random.sample(self.image_ids, min(len(self.image_ids), self.random.randint(1, 9)))
        listing = f"load-listing-{self.random.randrange(50)}"
        await self._timed(
            "listing_edit",
            lambda: client.put(f"/v1/listings/{listing}/media", json={"images": images, "video": None, "size_chart": None}),
        )

    async def _op_media_get(self, client):
        if not self.media_urls:
            return
        url = self.random.choice(self.media_urls)
        await self._timed("media_get", lambda: client.get(url))

    def report(self, elapsed: float) -> dict:
        rows = {}
        for name in sorted(self.stats):
            stats = self.stats[name]
            count = len(stats.latencies)
            rows[name] = {
                "requests": count,
                "per_second": count / elapsed if elapsed else 0.0,
                "p50_ms": percentile(stats.latencies, 0.50) * 1000,
                "p95_ms": percentile(stats.latencies, 0.95) * 1000,
                "p99_ms": percentile(stats.latencies, 0.99) * 1000,
                "mean_ms": statistics.fmean(stats.latencies) * 1000 if count else float("nan"),
                "errors": dict(stats.errors),
            }
        return {"elapsed_seconds": elapsed, "requests": self.sent, "operations": rows}


def print_report(report: dict) -> None:
    print(f"\n{report['requests']} requests in {report['elapsed_seconds']:.1f} s")
    print(f"{'operation':<14}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  errors")
    for name, row in report["operations"].items():
        errors = ", ".join(f"{code}: {count}" for code, count in row["errors"].items()) or "none"
        print(
            f"{name:<14}{row['requests']:>8}{row['per_second']:>9.1f}{row['p50_ms']:>9.1f}"
            f"{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}  {errors}"
        )


def default_api_key() -> str | None:
    key_file = Path(os.environ.get("MEDIACENTER_VAR_DIR", "var")) / "demo-api-key"
    return key_file.read_text().strip() if key_file.exists() else None


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Load test one Media Center deployment over its HTTP API.")
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="Gateway base URL (default 127.0.0.1:8080).")
    parser.add_argument("--api-key", default=os.environ.get("MEDIACENTER_API_KEY") or default_api_key(),
                        help="API key (default: MEDIACENTER_API_KEY, then var/demo-api-key).")
    parser.add_argument("--duration", type=float, default=60.0, help="Seconds to run (default 60).")
    parser.add_argument("--max-requests", type=int, default=100_000, help="Stop after this many requests.")
    parser.add_argument("--concurrency", type=int, default=8, help="Requests in flight at once (default 8).")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"Relative weights of operations (default {DEFAULT_MIX}).")
    parser.add_argument("--image-side", type=int, default=800, help="Side of uploaded images in pixels (default 800).")
    parser.add_argument("--seed", type=int, default=1, help="Random seed, for repeatable runs.")
    parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
    arguments = parser.parse_args(argv)
    if not arguments.api_key:
        parser.error("No API key: pass --api-key, set MEDIACENTER_API_KEY, or start the embedded run first.")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    test = LoadTest(arguments)
    elapsed = asyncio.run(test.run())
    report = test.report(elapsed)
    if arguments.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
