"""An adaptive concurrency limit (AIMD): back off on rate limits and latency growth.

Fixed concurrency is what makes other eval tools hang on 429s: every worker keeps
hammering a provider that is already saying "slow down". Here the limit halves on a
rate-limit signal (at most once per cool-down), drops by one when latency climbs well
above the best latency seen, and grows back by one after a window of healthy answers,
never above what the user asked for.

Rate-limit signals come from two places: an example whose final error says so, and — much
sooner — every HTTP 429 the LLM layer sees while it retries (``rate_limit_signal``, by
default :func:`agentops_cli.llm.resilience.rate_limit_events`, a process-wide count). The
dispatcher consults :meth:`can_start` before each dispatch, so a burst of 429s lowers the
number of examples in flight before the retries that follow it go out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agentops_cli.llm.resilience import rate_limit_events

RATE_LIMIT_MARKERS = ("429", "rate limit", "ratelimit", "rate_limit", "too many requests")


def is_rate_limited(text: str | None) -> bool:
    low = (text or "").lower()
    return any(marker in low for marker in RATE_LIMIT_MARKERS)


@dataclass
class AdaptiveLimiter:
    """Thread-safe; the dispatcher asks :meth:`can_start`, workers report :meth:`record`."""

    maximum: int
    minimum: int = 1
    latency_factor: float = 3.0
    cooldown_s: float = 2.0
    adaptive: bool = True
    rate_limit_signal: Callable[[], int] = rate_limit_events
    limit: int = 0
    in_flight: int = 0
    backoffs: int = 0
    _best_ms: float | None = None
    _ewma_ms: float | None = None
    _healthy: int = 0
    _last_cut: float = 0.0
    _signals_seen: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.limit = self.limit or self.maximum
        self._signals_seen = self.rate_limit_signal()

    def can_start(self) -> bool:
        with self._lock:
            if self.adaptive:
                seen = self.rate_limit_signal()
                if seen > self._signals_seen:  # the model said "slow down" since we last looked
                    self._signals_seen = seen
                    self._cut(time.monotonic(), halve=True)
            return self.in_flight < self.limit

    def started(self) -> None:
        with self._lock:
            self.in_flight += 1

    def finished(self) -> None:
        with self._lock:
            self.in_flight = max(0, self.in_flight - 1)

    def record(self, latency_ms: float, *, rate_limited: bool = False, now: float | None = None) -> None:
        """Feed one finished request; adjusts ``limit``."""
        if not self.adaptive:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            if rate_limited:
                self._cut(now, halve=True)
                return
            self._ewma_ms = latency_ms if self._ewma_ms is None else 0.8 * self._ewma_ms + 0.2 * latency_ms
            self._best_ms = self._ewma_ms if self._best_ms is None else min(self._best_ms, self._ewma_ms)
            if self._best_ms > 0 and self._ewma_ms > self.latency_factor * self._best_ms:
                self._cut(now, halve=False)
                return
            self._healthy += 1
            if self._healthy >= self.limit and self.limit < self.maximum:
                self.limit += 1
                self._healthy = 0

    def _cut(self, now: float, *, halve: bool) -> None:
        if now - self._last_cut < self.cooldown_s:
            return
        new = max(self.minimum, self.limit // 2 if halve else self.limit - 1)
        if new < self.limit:
            self.backoffs += 1
        self.limit = new
        self._last_cut = now
        self._healthy = 0
        if not halve and self._ewma_ms is not None:
            # what we see now is the new normal under this load; only further growth counts
            self._best_ms = max(self._best_ms or 0.0, self._ewma_ms / self.latency_factor)
