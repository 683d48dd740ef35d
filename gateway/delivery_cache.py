"""Two small in-memory caches that let hot media URLs skip the gRPC hops.

Resolutions (public media id to its record) are kept for a few seconds. A URL
fetched many times a second then reaches the catalogue once per period, and a
deleted item stops being served soon on every gateway replica. The replica
that handles a delete or a rename drops the id from its cache at once.

Blob bytes are kept by storage key within a byte budget, and the least
recently used go first. A storage key names its content (seller namespace,
SHA-256 and suffix), so the bytes behind a key never change and an entry never
goes stale. A deleted item stops being served because its id no longer
resolves.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class ResolutionCache(Generic[Value]):
    """Values by id, each kept for `ttl_seconds` and at most `max_entries` in all. A ttl of 0 keeps nothing."""

    def __init__(self, ttl_seconds: float, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Value]] = OrderedDict()

    def get(self, key: str) -> Value | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if self._clock() >= expires:
            del self._entries[key]
            return None
        return value

    def put(self, key: str, value: Value) -> None:
        if self._ttl <= 0:
            return
        self._entries[key] = (self._clock() + self._ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)


class BlobCache:
    """Whole blobs by storage key within `budget_bytes`. Blobs over `max_item_bytes` are not kept.

    Concurrent misses on one key share a single load, so a burst of requests for a new URL reads
    the blob from storage once.
    """

    def __init__(self, budget_bytes: int, max_item_bytes: int):
        self.budget_bytes = budget_bytes
        self.max_item_bytes = min(max_item_bytes, budget_bytes)
        self.used_bytes = 0
        self._blobs: OrderedDict[str, bytes] = OrderedDict()
        self._loading: dict[str, asyncio.Future[bytes]] = {}

    def accepts(self, size: int) -> bool:
        """Return whether a blob of `size` bytes would be kept."""
        return 0 < size <= self.max_item_bytes

    def get(self, key: str) -> bytes | None:
        blob = self._blobs.get(key)
        if blob is not None:
            self._blobs.move_to_end(key)
        return blob

    async def load(self, key: str, loader: Callable[[], Awaitable[bytes]]) -> bytes:
        """Return the cached bytes of `key`, calling `loader` once for all callers that miss together.

        The load runs as its own task, so a caller that goes away does not cancel it for the others.
        """
        blob = self.get(key)
        if blob is not None:
            return blob
        task = self._loading.get(key)
        if task is None:
            task = asyncio.ensure_future(loader())
            self._loading[key] = task
            task.add_done_callback(lambda done: self._finish(key, done))
        return await asyncio.shield(task)

    def _finish(self, key: str, task: asyncio.Future[bytes]) -> None:
        del self._loading[key]
        if not task.cancelled() and task.exception() is None:
            self._put(key, task.result())

    def _put(self, key: str, blob: bytes) -> None:
        if not self.accepts(len(blob)) or key in self._blobs:
            return
        self._blobs[key] = blob
        self.used_bytes += len(blob)
        while self.used_bytes > self.budget_bytes:
            _old_key, old_blob = self._blobs.popitem(last=False)
            self.used_bytes -= len(old_blob)

    def __len__(self) -> int:
        return len(self._blobs)
