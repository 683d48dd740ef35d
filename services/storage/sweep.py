"""Reconciliation sweep: removes blobs that no live media record points at, after a grace period.

A blob is removed only when it is older than the grace period and the
catalogue, asked for each page right before the deletes, reports that no record
points at it. The grace period protects a blob stored just now whose record
is not committed yet, and a put of bytes that exist already refreshes the
blob's time of storing, so a re-upload of an orphan is protected the same
way. The delete itself re-checks the time (``BlobStore.delete`` with
``stored_before``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import grpc
from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc
from prometheus_client import Counter

from services.runtime.errors import ErrorDetails, Unavailable
from services.storage.backends.base import MAX_PAGE_SIZE, BlobStore

logger = logging.getLogger(__name__)

# Returns the subset of the given keys (at most MAX_PAGE_SIZE) that a live media record points at.
ReferencedKeys = Callable[[Sequence[str]], set[str]]

SWEEP_REMOVED_BLOBS = Counter(
    "mediacenter_storage_sweep_removed_blobs_total", "Blobs the reconciliation sweep removed as orphans."
)
SWEEP_REMOVED_BYTES = Counter(
    "mediacenter_storage_sweep_removed_bytes_total", "Bytes the reconciliation sweep freed."
)
SWEEP_RUNS = Counter(
    "mediacenter_storage_sweep_runs_total", "Reconciliation sweeps run, by outcome.", ["outcome"]
)


@dataclass
class SweepResult:
    scanned: int = 0
    removed_keys: list[str] = field(default_factory=list)
    removed_bytes: int = 0


class CatalogueReferences:
    """Asks the catalogue's FilterReferencedBlobKeys which keys live records point at."""

    def __init__(self, channel: grpc.Channel) -> None:
        self._stub = catalogue_pb2_grpc.CatalogueServiceStub(channel)

    def __call__(self, keys: Sequence[str]) -> set[str]:
        try:
            response = self._stub.FilterReferencedBlobKeys(
                catalogue_pb2.FilterReferencedBlobKeysRequest(keys=list(keys))
            )
        except grpc.RpcError as error:
            details = ErrorDetails.from_rpc_error(error)
            raise Unavailable(
                "catalogue_unavailable",
                f"The sweep could not ask the catalogue which blobs are in use ({details.code.name}: "
                f"{details.message}); nothing more was removed. Check MEDIACENTER_CATALOGUE_ADDRESS and retry.",
            ) from error
        return set(response.referenced_keys)


class Sweeper:
    """Runs sweeps one at a time over a BlobStore."""

    def __init__(
        self,
        store: BlobStore,
        referenced_keys: ReferencedKeys,
        grace_seconds: float,
        *,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        self._store = store
        self._referenced_keys = referenced_keys
        self._grace_seconds = grace_seconds
        self._page_size = page_size
        self._lock = threading.Lock()

    def run(self, *, grace_seconds: float | None = None, dry_run: bool = False) -> SweepResult:
        """Remove (or, on a dry run, only report) orphans older than the grace period."""
        grace = self._grace_seconds if grace_seconds is None else grace_seconds
        with self._lock:
            started = time.perf_counter()
            cutoff = datetime.now(UTC) - timedelta(seconds=grace)
            result = SweepResult()
            try:
                if not dry_run:
                    self._store.remove_stale_temporaries()
                self._sweep(cutoff, dry_run, result)
            except Exception:
                SWEEP_RUNS.labels(outcome="failed").inc()
                logger.exception(
                    "sweep stopped after scanning %d blobs and removing %d",
                    result.scanned,
                    len(result.removed_keys),
                )
                raise
            SWEEP_RUNS.labels(outcome="dry_run" if dry_run else "completed").inc()
            logger.info(
                "sweep %s: scanned %d blobs, %s %d orphans (%d bytes) older than %.0f s in %.1f ms",
                "dry run" if dry_run else "done",
                result.scanned,
                "would remove" if dry_run else "removed",
                len(result.removed_keys),
                result.removed_bytes,
                grace,
                (time.perf_counter() - started) * 1000,
                extra={"scanned": result.scanned, "removed": len(result.removed_keys), "dry_run": dry_run},
            )
            return result

    def _sweep(self, cutoff: datetime, dry_run: bool, result: SweepResult) -> None:
        start_after = ""
        while True:
            page = self._store.list_page(start_after=start_after, page_size=self._page_size)
            result.scanned += len(page.blobs)
            old_enough = [blob for blob in page.blobs if blob.stored_at < cutoff]
            if old_enough:
                referenced = self._referenced_keys([blob.key for blob in old_enough])
                for blob in old_enough:
                    if blob.key in referenced:
                        continue
                    if dry_run or self._store.delete(blob.key, stored_before=cutoff):
                        self._record_removal(blob.key, blob.byte_size, dry_run, result)
            if not page.next_page_token:
                return
            start_after = page.next_page_token

    @staticmethod
    def _record_removal(key: str, byte_size: int, dry_run: bool, result: SweepResult) -> None:
        result.removed_keys.append(key)
        result.removed_bytes += byte_size
        if dry_run:
            return
        SWEEP_REMOVED_BLOBS.inc()
        SWEEP_REMOVED_BYTES.inc(byte_size)
        logger.info("sweep removed orphan blob %s (%d bytes)", key, byte_size, extra={"key": key, "byte_size": byte_size})


class PeriodicSweep:
    """A daemon thread that runs the sweep every ``interval_seconds`` until stopped."""

    def __init__(self, sweeper: Sweeper, interval_seconds: float) -> None:
        self._sweeper = sweeper
        self._interval = interval_seconds
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="storage-sweep", daemon=True)

    def start(self) -> None:
        self._thread.start()
        logger.info("periodic sweep every %.0f s", self._interval)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self._sweeper.run()
            except Exception:  # noqa: BLE001, S112 - run() logged it; the next interval tries again
                continue
