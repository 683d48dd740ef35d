"""The whole product on one machine: PostgreSQL, the four services and the gateway.

Used by `mediacenter up` (and so `make run`) and by the end-to-end tests, so
the tests start every process exactly the way the embedded run does.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc

from services.devstack.postgres import EmbeddedPostgres
from services.devstack.processes import ManagedProcess, free_port

logger = logging.getLogger(__name__)

DATABASE_NAME = "mediacenter"
DEFAULT_HTTP_PORT = 8080
# Parts in the order of their dependencies; stopping goes in reverse.
PARTS = ("validation", "storage", "catalogue", "listing", "gateway")


def _require_free_port(port: int) -> None:
    """Fail with a clear message when the gateway's port on 127.0.0.1 is taken by another program."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # uvicorn sets SO_REUSEADDR too, so connections of an earlier run in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise RuntimeError(
                f"Port {port} on 127.0.0.1 is in use by another program ({error.strerror}). Choose another "
                f"port: MEDIACENTER_HTTP_PORT={port + 1} make run, or mediacenter up --port {port + 1}."
            ) from None


def _live_pid(pid_file: Path) -> int | None:
    """Return the pid in a PostgreSQL pid file when that process is alive, else None."""
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _saved_gateway_url(stack_file: Path) -> str | None:
    try:
        description = json.loads(stack_file.read_text())
    except (OSError, ValueError):
        return None
    url = description.get("gateway_url") if isinstance(description, dict) else None
    return url if isinstance(url, str) else None


def default_var_dir() -> Path:
    configured = os.environ.get("MEDIACENTER_VAR_DIR")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parents[2] / "var"


@dataclass
class Stack:
    """Every process of the product, with the addresses clients need."""

    var_dir: Path
    http_port: int = DEFAULT_HTTP_PORT
    database_url: str | None = None
    extra_environment: dict[str, str] = field(default_factory=dict)
    # Processes per gRPC service; callers spread their calls over them round robin.
    replicas: int = 1
    postgres: EmbeddedPostgres | None = None
    processes: dict[str, list[ManagedProcess]] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def address(self, part: str) -> str:
        """Return the part's address, or its replicas' addresses separated by commas."""
        return ",".join(process.address for process in self.processes[part])

    def all_processes(self) -> list[ManagedProcess]:
        return [process for name in PARTS for process in self.processes.get(name, [])]

    def start(self) -> None:
        """Start PostgreSQL (unless an external one is configured) and every part, in order."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self._fail_if_running()
        if self.http_port:
            _require_free_port(self.http_port)
        if self.database_url is None:
            self.postgres = EmbeddedPostgres(self.var_dir / "postgres" / "data")
            self.postgres.start()
            self.database_url = self.postgres.ensure_database(DATABASE_NAME)
        try:
            self._plan_processes()
            # Every part connects to the others lazily, so all of them can start at once.
            for process in self.all_processes():
                process.start()
            for process in self.all_processes():
                process.wait_ready()
            self._write_stack_file()
        except BaseException:
            self.stop()
            raise

    def _fail_if_running(self) -> None:
        """Fail with a clear message when another embedded run uses this var folder."""
        pid = _live_pid(self.var_dir / "postgres" / "data" / "postmaster.pid")
        if pid is None:
            return
        address = _saved_gateway_url(self.var_dir / "stack.json")
        where = f" at {address}" if address else ""
        raise RuntimeError(
            f"The Media Center already runs from {self.var_dir}{where} (its PostgreSQL has pid {pid}). "
            "Use that one, or stop it with Ctrl-C in its terminal. To run a second copy, give it its own "
            "folder and port: mediacenter up --var-dir OTHER_FOLDER --port 8081."
        )

    def _plan_processes(self) -> None:
        ports = {name: [free_port() for _ in range(self.replicas)] for name in PARTS if name != "gateway"}
        ports["gateway"] = [self.http_port or free_port()]
        self.http_port = ports["gateway"][0]
        address = {name: ",".join(f"127.0.0.1:{port}" for port in numbers) for name, numbers in ports.items()}
        common = {
            "MEDIACENTER_GRPC_HOST": "127.0.0.1",
            "MEDIACENTER_LOG_FORMAT": "text",
            "PYTHONUNBUFFERED": "1",
        }
        specific = {
            "validation": {},
            "storage": {
                "MEDIACENTER_STORAGE_BACKEND": "local",
                "MEDIACENTER_STORAGE_ROOT": str(self.var_dir / "blobs"),
                "MEDIACENTER_CATALOGUE_ADDRESS": address["catalogue"],
            },
            "catalogue": {
                "MEDIACENTER_DATABASE_URL": self.database_url,
                "MEDIACENTER_VALIDATION_ADDRESS": address["validation"],
                "MEDIACENTER_STORAGE_ADDRESS": address["storage"],
                "MEDIACENTER_PUBLIC_BASE_URL": self.gateway_url,
                "MEDIACENTER_UPLOAD_SPOOL_DIR": str(self.var_dir / "spool"),
            },
            "listing": {
                "MEDIACENTER_DATABASE_URL": self.database_url,
                "MEDIACENTER_CATALOGUE_ADDRESS": address["catalogue"],
            },
            "gateway": {
                "MEDIACENTER_HTTP_HOST": "127.0.0.1",
                "MEDIACENTER_HTTP_PORT": str(self.http_port),
                "MEDIACENTER_CATALOGUE_ADDRESS": address["catalogue"],
                "MEDIACENTER_LISTING_ADDRESS": address["listing"],
                "MEDIACENTER_STORAGE_ADDRESS": address["storage"],
                "MEDIACENTER_DEMO_API_KEY_FILE": str(self.var_dir / "demo-api-key"),
            },
        }
        (self.var_dir / "spool").mkdir(parents=True, exist_ok=True)
        for name in PARTS:
            self.processes[name] = []
            for index, port in enumerate(ports[name], start=1):
                metrics_port = free_port() if name != "gateway" else None
                environment = {**common, "MEDIACENTER_GRPC_PORT": str(port), **specific[name]}
                if metrics_port is not None:
                    environment["MEDIACENTER_METRICS_PORT"] = str(metrics_port)
                environment.update(self.extra_environment)
                label = name if len(ports[name]) == 1 else f"{name}-{index}"
                self.processes[name].append(
                    ManagedProcess(
                        name=label,
                        module="gateway" if name == "gateway" else f"services.{name}",
                        environment=environment,
                        log_path=self.var_dir / "logs" / f"{label}.log",
                        port=port,
                        health_kind="http" if name == "gateway" else "grpc",
                        metrics_port=metrics_port,
                    )
                )

    def start_part(self, name: str) -> None:
        for process in self.processes[name]:
            process.start()
        for process in self.processes[name]:
            process.wait_ready()

    def stop(self) -> None:
        """Stop every part in reverse order, then PostgreSQL."""
        for name in reversed(PARTS):
            for process in self.processes.get(name, []):
                process.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def _write_stack_file(self) -> None:
        description = {
            "gateway_url": self.gateway_url,
            **{f"{name}_address": self.address(name) for name in PARTS if name != "gateway"},
        }
        (self.var_dir / "stack.json").write_text(json.dumps(description, indent=2) + "\n")

    def catalogue_stub(self) -> tuple[grpc.Channel, catalogue_pb2_grpc.CatalogueServiceStub]:
        channel = grpc.insecure_channel(self.processes["catalogue"][0].address)
        return channel, catalogue_pb2_grpc.CatalogueServiceStub(channel)

    def create_seller(self, name: str, quota_bytes: int | None = None) -> tuple[str, str]:
        """Create a seller through the catalogue and return (seller id, API key)."""
        channel, stub = self.catalogue_stub()
        with channel:
            reply = stub.CreateSeller(
                catalogue_pb2.CreateSellerRequest(name=name, quota_bytes=quota_bytes or 0), timeout=10
            )
        return reply.seller.id, reply.api_key

    def ensure_demo_seller(self) -> str:
        """Return the demo seller's API key, creating the seller on the first run."""
        key_file = self.var_dir / "demo-api-key"
        if key_file.exists():
            key = key_file.read_text().strip()
            channel, stub = self.catalogue_stub()
            with channel:
                try:
                    stub.AuthenticateApiKey(catalogue_pb2.AuthenticateApiKeyRequest(api_key=key), timeout=10)
                    return key
                except grpc.RpcError as error:
                    if error.code() != grpc.StatusCode.UNAUTHENTICATED:
                        raise
                    logger.warning("the saved demo key is no longer valid; creating a new demo seller")
        seller_id, key = self.create_seller("Demo seller")
        key_file.write_text(key + "\n")
        key_file.chmod(0o600)
        (self.var_dir / "demo-seller-id").write_text(seller_id + "\n")
        return key
