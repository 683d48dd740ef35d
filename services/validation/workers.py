"""A pool of worker processes that inspect files under a time limit and a memory limit.

Decoders run in separate processes so that a file which makes one loop, allocate
without end or crash costs only that worker: it is killed or replaced, and the
file gets a verdict. Workers start from a fork server that has already imported
the decoders, so a replacement is ready in milliseconds.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import resource
import threading
import time
import warnings
from dataclasses import dataclass
from multiprocessing.connection import Connection

from pymediainfo import MediaInfo

from services.runtime.logging import configure_logging
from services.validation import messages
from services.validation.inspection import inspect_file
from services.validation.policy import UploadPolicy
from services.validation.verdict import Kind, MediaMetadata, Verdict, Violation

logger = logging.getLogger(__name__)

# Modules the fork server imports once, so each worker starts with the decoders loaded.
_PRELOADED_MODULES = [
    "services.validation.inspection",
    "PIL.JpegImagePlugin",
    "PIL.PngImagePlugin",
    "PIL.WebPImagePlugin",
]


@dataclass(frozen=True)
class _WorkerOptions:
    policy: UploadPolicy
    # Address space limit, bytes; 0 means none.
    memory_limit_bytes: int
    log_format: str
    log_level: str


@dataclass(frozen=True)
class _Job:
    path: str
    expected_kind: Kind
    sha256: str


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, context: multiprocessing.context.BaseContext, options: _WorkerOptions) -> None:
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_end, options), name="inspection-worker", daemon=True)
        self.process.start()
        child_end.close()

    def stop(self) -> None:
        """Kill the process at once: it may be stuck inside a decoder that never returns."""
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class InspectionPool:
    """Runs inspections in a fixed number of worker processes, one file per worker at a time."""

    def __init__(
        self,
        *,
        workers: int,
        timeout_seconds: float,
        memory_limit_bytes: int,
        policy: UploadPolicy,
        log_format: str = "auto",
        log_level: str = "INFO",
    ) -> None:
        if workers < 1:
            raise ValueError(f"An inspection pool needs at least 1 worker, got {workers}.")
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOADED_MODULES)
        self._timeout_seconds = timeout_seconds
        self._policy = policy
        self._options = _WorkerOptions(policy, memory_limit_bytes, log_format, log_level)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(workers):
            self._release(self._start_worker())

    def inspect(self, path: str, *, expected_kind: Kind, sha256: str) -> Verdict:
        """Inspect the file at path in a worker; a file that hits the time limit gets inspection_timed_out."""
        worker = self._idle.get()
        job = _Job(path, expected_kind, sha256)
        started = time.monotonic()
        try:
            worker.connection.send(job)
            if worker.connection.poll(self._timeout_seconds):
                verdict = worker.connection.recv()
                self._release(worker)
                return verdict
        except (EOFError, OSError) as error:
            exit_code = worker.process.exitcode
            logger.error(
                "inspection worker %s died while reading %s (exit code %s): %s", worker.process.pid, path, exit_code, error
            )
            self._replace(worker)
            return self._failed_verdict(job, messages.worker_failed())
        elapsed = time.monotonic() - started
        logger.warning("inspection of %s stopped after %.1f s, over the time limit", path, elapsed)
        self._replace(worker)
        return self._failed_verdict(job, messages.inspection_timed_out(self._timeout_seconds))

    def close(self) -> None:
        """Stop every worker; inspections still running end with a failed verdict."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()

    def _start_worker(self) -> _Worker:
        worker = _Worker(self._context, self._options)
        with self._lock:
            self._all.add(worker)
        return worker

    def _release(self, worker: _Worker) -> None:
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
        worker.stop()
        if not closed:
            self._release(self._start_worker())

    def _failed_verdict(self, job: _Job, violation: Violation) -> Verdict:
        return Verdict(
            kind=Kind.UNKNOWN,
            metadata=MediaMetadata(),
            violations=[violation],
            sha256=job.sha256,
            policy_version=self._policy.version,
        )


def _serve(connection: Connection, options: _WorkerOptions) -> None:
    """Run in the worker: inspect each job received and send back its verdict, until the pipe closes."""
    configure_logging("validation-worker", options.log_format, options.log_level)
    # Pillow warns about each malformed EXIF block of hostile files; the verdict already covers them.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
    if options.memory_limit_bytes > 0:
        # Address space, not resident memory: the only limit the kernel enforces on every allocation.
        limit = options.memory_limit_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Load the MediaInfo library now, so that the first video's time limit is not spent on it.
    MediaInfo.can_parse()
    while True:
        try:
            job: _Job = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(_inspect(job, options.policy))


def _inspect(job: _Job, policy: UploadPolicy) -> Verdict:
    try:
        return inspect_file(job.path, expected_kind=job.expected_kind, policy=policy, sha256=job.sha256)
    except MemoryError:
        logger.warning("inspection of %s ran out of memory", job.path)
        violation = messages.corrupt_file(
            "Reading the file needed more memory than allowed.", "Export the file again in a standard format."
        )
    except Exception:
        logger.exception("inspection of %s failed with an unexpected error", job.path)
        violation = messages.worker_failed()
    return Verdict(
        kind=Kind.UNKNOWN, metadata=MediaMetadata(), violations=[violation], sha256=job.sha256, policy_version=policy.version
    )
