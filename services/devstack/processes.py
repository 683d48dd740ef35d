"""Start the services and the gateway as separate processes on loopback, and stop them cleanly."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

logger = logging.getLogger(__name__)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now (another process could still take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ManagedProcess:
    """One part of the product running as a child process, with its log file."""

    name: str
    module: str
    environment: dict[str, str]
    log_path: Path
    port: int
    health_kind: str  # "grpc" or "http"
    metrics_port: int | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it open; closed after it ends
        environment = {**os.environ, **self.environment}
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module],
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log_file.close()
        logger.info("started %s (pid %d) on %s", self.name, self.process.pid, self.address)

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout_seconds: float = 60.0) -> None:
        """Wait until the process passes its health check; raise with the log's tail if it exits or times out."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if not self.is_running():
                raise RuntimeError(f"{self.name} exited during start-up.\n{self.log_tail()}")
            if self.is_healthy():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become healthy within {timeout_seconds:.0f} s.\n{self.log_tail()}")

    def is_healthy(self) -> bool:
        if self.health_kind == "http":
            try:
                with urllib.request.urlopen(f"http://{self.address}/healthz", timeout=1) as response:
                    return response.status == 200
            except (urllib.error.URLError, OSError):
                return False
        with grpc.insecure_channel(self.address) as channel:
            try:
                reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
            except grpc.RpcError:
                return False
            return reply.status == health_pb2.HealthCheckResponse.SERVING

    def stop(self, timeout_seconds: float = 15.0) -> None:
        """Send SIGTERM so the process drains, then SIGKILL if it has not exited in time."""
        if not self.is_running():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout_seconds)
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop within %.0f s; killing it", self.name, timeout_seconds)
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """Kill the process at once (SIGKILL), as a crash would."""
        if self.is_running():
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return f"(no log at {self.log_path})"
        return "\n".join(text.splitlines()[-lines:])
