"""Per-seller token buckets kept in memory, for uploads and searches."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

from gateway.errors import ApiError

# Buckets of sellers not seen for a while are dropped so memory stays bounded.
MAX_TRACKED_SELLERS = 100_000


class TokenBucketLimiter:
    """Allow each key `per_minute` requests a minute on average, with bursts up to a minute's worth."""

    def __init__(self, per_minute: int, *, action: str, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError(f"A rate limit for {action} must be at least 1 per minute, not {per_minute}.")
        self._capacity = float(per_minute)
        self._rate = per_minute / 60.0
        self._action = action
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> None:
        """Take one token for `key`, or raise a 429 ApiError with Retry-After when none is left."""
        now = self._clock()
        tokens, updated = self._buckets.pop(key, (self._capacity, now))
        tokens = min(self._capacity, tokens + (now - updated) * self._rate)
        if tokens < 1.0:
            self._remember(key, tokens, now)
            retry_after = max(1, math.ceil((1.0 - tokens) / self._rate))
            raise ApiError(
                429,
                "rate_limited",
                "Too many requests",
                f"Too many {self._action} from this seller. Try again in {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
            )
        self._remember(key, tokens - 1.0, now)

    def _remember(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > MAX_TRACKED_SELLERS:
            self._buckets.popitem(last=False)
