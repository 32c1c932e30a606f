"""Token buckets per caller (API key, session or client address), in this process.

Each API process limits on its own: with N processes behind a balancer a caller gets up to N
times the rate. That bounds abuse without a round trip to a shared store on every request.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict


class TokenBuckets:
    """`rate_per_minute` tokens refill continuously up to `burst`; one request takes one."""

    def __init__(self, rate_per_minute: float, burst: int, *, max_callers: int = 100_000) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.max_callers = max_callers
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, caller: str, now: float | None = None) -> float:
        """0 when allowed, else the seconds until the next token."""
        if not self.enabled:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(caller, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[caller] = (tokens, now)
            if len(self._buckets) > self.max_callers:  # forget the longest idle caller
                self._buckets.popitem(last=False)
            return wait


def retry_after(wait: float) -> int:
    return max(1, math.ceil(wait))
