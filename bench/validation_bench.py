"""Validation benchmark: inspecting a file against the bare library work it is built on, side by side.

For each file, in one run and in interleaved rounds, it times:
- the domain function `inspect_file` in this process (sniffing, header checks, SHA-256, decode, preview);
- the worker pool the server uses, called directly (the time limit and memory limit included);
- the same file through a real gRPC server in its own process on 127.0.0.1 (streaming, spooling,
  the worker pool), as the catalogue calls it;
- transfer: the same stream sent to a bare gRPC server in its own process that receives the
  messages and drops them, which is the cost of moving the bytes between two processes;
- bare Pillow (open, thumbnail to 320 px, WebP) for images, or a bare header-only MediaInfo parse
  plus a PyAV poster frame (open, decode one frame, scale to 320 px, WebP) for videos.
It prints the median milliseconds per file, the ratios against the bare work, and the gRPC call
against the bare work plus the transfer, which is what a bare service would pay for the same call.

Run: .venv/bin/python -m bench.validation_bench [--rounds N]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import multiprocessing.synchronize
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent import futures
from multiprocessing.connection import Connection
from pathlib import Path

import av
import grpc
from mediacenter.validation.v1 import validation_pb2, validation_pb2_grpc
from PIL import Image
from pymediainfo import MediaInfo

from services.runtime.server import MAX_MESSAGE_BYTES
from services.validation.app import build
from services.validation.inspection import file_sha256, inspect_file
from services.validation.policy import CURRENT_POLICY
from services.validation.settings import ValidationSettings
from services.validation.verdict import Kind
from services.validation.workers import InspectionPool
from tests.validation import media_factory as media

CHUNK_BYTES = 1024 * 1024
PREVIEW_BOX = (320, 320)


def build_files(folder: Path) -> dict[str, list[Path]]:
    """Write the benchmark inputs: typical product photos and short product videos."""
    images = {
        "photo-4000x3000.jpg": media.jpeg(4000, 3000, quality=90, seed=1),
        "photo-1600x1200.jpg": media.jpeg(1600, 1200, quality=90, seed=2),
        "cutout-1200x1200-rgba.png": media.png(1200, 1200, mode="RGBA", seed=3),
        "render-1600x1000.png": media.png(1600, 1000, seed=4),
    }
    videos = {
        "clip-1280x720-10s-audio.mp4": media.mp4(1280, 720, frames=300, fps=30, audio_seconds=10, noise="blocks", seed=5),
        "phone-1920x1080-rot90-5s.mp4": media.mp4(1920, 1080, frames=150, fps=30, rotation_clockwise=90, noise="blocks", seed=6),
        "clip-640x360-20s.mp4": media.mp4(640, 360, frames=500, fps=25, audio_seconds=20, movflags="faststart", seed=7),
    }
    written: dict[str, list[Path]] = {"image": [], "video": []}
    for kind, files in (("image", images), ("video", videos)):
        for name, data in files.items():
            path = folder / name
            path.write_bytes(data)
            written[kind].append(path)
    return written


def bare_image(path: Path) -> None:
    with Image.open(path) as image:
        image.thumbnail(PREVIEW_BOX)
        image.convert("RGBA" if "A" in image.mode else "RGB").save(io.BytesIO(), "WEBP", quality=80)


def bare_video(path: Path) -> None:
    # The same header-only MediaInfo parse as the service, so the ratio shows the service's own work.
    MediaInfo.parse(str(path), parse_speed=0)
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        image = frame.to_image()
    image.thumbnail(PREVIEW_BOX)
    image.save(io.BytesIO(), "WEBP", quality=80)


def service_in_process(path: Path) -> None:
    verdict = inspect_file(str(path))
    if not verdict.accepted:
        raise RuntimeError(f"{path.name} was rejected: {verdict.codes}")


def service_in_pool(pool: InspectionPool) -> Callable[[Path], None]:
    def inspect(path: Path) -> None:
        verdict = pool.inspect(str(path), expected_kind=Kind.UNKNOWN, sha256=file_sha256(str(path)))
        if not verdict.accepted:
            raise RuntimeError(f"{path.name} was rejected in the worker pool: {verdict.codes}")

    return inspect


def service_over_grpc(stub: validation_pb2_grpc.ValidationServiceStub, *, sink: bool = False) -> Callable[[Path], None]:
    def inspect(path: Path) -> None:
        data = path.read_bytes()
        requests = [validation_pb2.InspectMediaRequest(header=validation_pb2.InspectHeader(file_name=path.name))]
        requests += [
            validation_pb2.InspectMediaRequest(chunk=data[offset : offset + CHUNK_BYTES])
            for offset in range(0, len(data), CHUNK_BYTES)
        ]
        response = stub.InspectMedia(iter(requests), timeout=60)
        if not sink and not response.accepted:
            raise RuntimeError(f"{path.name} was rejected over gRPC: {[v.code for v in response.violations]}")

    return inspect


def time_ms(function: Callable[[Path], None], path: Path) -> float:
    started = time.perf_counter()
    function(path)
    return (time.perf_counter() - started) * 1000


def serve(port_sender: Connection, stop: multiprocessing.synchronize.Event) -> None:
    """Run the validation server in its own process, as deployed, until stop is set."""
    running = build(ValidationSettings(grpc_port=0, inspect_workers=2, log_level="WARNING"))
    port_sender.send(running.port)
    stop.wait()
    running.stop(1)


class _Sink(validation_pb2_grpc.ValidationServiceServicer):
    """Receives the stream and drops it: the transfer with no service work at all."""

    def InspectMedia(self, request_iterator, context):
        for _request in request_iterator:
            pass
        return validation_pb2.InspectMediaResponse()


def serve_sink(port_sender: Connection, stop: multiprocessing.synchronize.Event) -> None:
    """Run the bare gRPC server in its own process, with the service's message size limits."""
    limits = [
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=limits)
    validation_pb2_grpc.add_ValidationServiceServicer_to_server(_Sink(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    port_sender.send(port)
    stop.wait()
    server.stop(1)


def run(rounds: int) -> None:
    context = multiprocessing.get_context("spawn")
    port_receiver, port_sender = context.Pipe(duplex=False)
    stop = context.Event()
    server = context.Process(target=serve, args=(port_sender, stop), name="validation-server")
    server.start()
    sink_receiver, sink_sender = context.Pipe(duplex=False)
    sink = context.Process(target=serve_sink, args=(sink_sender, stop), name="bare-grpc-server")
    sink.start()
    with tempfile.TemporaryDirectory() as folder:
        files = build_files(Path(folder))
        port = port_receiver.recv()
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        stub = validation_pb2_grpc.ValidationServiceStub(channel)
        sink_channel = grpc.insecure_channel(f"127.0.0.1:{sink_receiver.recv()}")
        sink_stub = validation_pb2_grpc.ValidationServiceStub(sink_channel)
        pool = InspectionPool(workers=2, timeout_seconds=60, memory_limit_bytes=2048 * 1024 * 1024, policy=CURRENT_POLICY)
        try:
            for kind, bare in (("image", bare_image), ("video", bare_video)):
                methods = {
                    "in-process": service_in_process,
                    "pool": service_in_pool(pool),
                    "gRPC": service_over_grpc(stub),
                    "transfer": service_over_grpc(sink_stub, sink=True),
                    "bare": bare,
                }
                _report(kind, files[kind], methods, rounds)
        finally:
            pool.close()
            channel.close()
            sink_channel.close()
            stop.set()
            server.join(timeout=30)
            sink.join(timeout=30)


def _report(kind: str, paths: list[Path], methods: dict[str, Callable[[Path], None]], rounds: int) -> None:
    samples: dict[tuple[str, str], list[float]] = {(path.name, name): [] for path in paths for name in methods}
    for path in paths:
        for function in methods.values():
            function(path)  # warm-up: first calls load libraries and fill caches
    for _ in range(rounds):
        for path in paths:
            for name, function in methods.items():
                samples[(path.name, name)].append(time_ms(function, path))

    print(f"\n{kind}s: median ms per file over {rounds} rounds")
    names = list(methods)
    ratio_names = [name for name in names if name not in ("transfer", "bare")]
    print(
        f"{'file':34} {'bytes':>10} " + " ".join(f"{name:>10}" for name in names)
        + "   ratios to bare: " + ", ".join(ratio_names) + "; gRPC to transfer + bare"
    )
    totals = dict.fromkeys(methods, 0.0)
    for path in paths:
        medians = {name: statistics.median(samples[(path.name, name)]) for name in methods}
        for name, value in medians.items():
            totals[name] += value
        _print_row(path.name, f"{path.stat().st_size:,}", medians)
    _print_row(f"all {kind}s (sum of medians)", "", totals)


def _print_row(label: str, size: str, milliseconds: dict[str, float]) -> None:
    bare = milliseconds["bare"]
    times = " ".join(f"{value:>10.1f}" for value in milliseconds.values())
    ratios = " ".join(f"{value / bare:>6.2f}" for name, value in milliseconds.items() if name not in ("transfer", "bare"))
    over_transfer = milliseconds["gRPC"] / (milliseconds["transfer"] + bare)
    print(f"{label:34} {size:>10} {times}   {ratios}  {over_transfer:>6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per file and method (default 7)")
    run(parser.parse_args().rounds)


if __name__ == "__main__":
    main()
