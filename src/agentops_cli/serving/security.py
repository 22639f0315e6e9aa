"""API keys, per-key rate limits and daily quotas, and the audit log of ``agentops serve``.

Keys are configured as sha256 hex digests (``serve.api_keys: {KEY_ID: DIGEST}``): a leaked
config file gives no usable key. A presented key is hashed and compared with every digest
in constant time (``hmac.compare_digest``), so timing tells nothing about near matches.

Limits count requests per key id (per client IP without keys) in a fixed one-minute window
and a UTC day. With ``redis_url`` set the counters live in Redis (INCR + EXPIRE, shared by
replicas); when Redis is away each process counts locally until it is back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentops_cli.observability.redact import redact

MINUTE_S = 60
DAY_S = 24 * 3600


def key_digest(key: str) -> str:
    """The sha256 hex digest that ``serve.api_keys`` stores for ``key``."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeys:
    """Which key id (if any) a bearer token belongs to."""

    def __init__(self, digests: dict[str, str]) -> None:
        self._digests = [(key_id, bytes.fromhex(digest)) for key_id, digest in digests.items()]

    @property
    def enabled(self) -> bool:
        return bool(self._digests)

    def identify(self, authorization: str | None) -> str | None:
        """The key id of ``Authorization: Bearer KEY``, or None for a missing or unknown key."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        presented = hashlib.sha256(token.strip().encode("utf-8")).digest()
        found = None
        for key_id, digest in self._digests:  # every digest compared: no early exit to time
            if hmac.compare_digest(presented, digest):
                found = key_id
        return found


@dataclass(frozen=True)
class Verdict:
    """A rate-limit decision: allowed, or refused with the seconds until the window reopens."""

    allowed: bool
    retry_after_s: int = 0
    reason: str = ""


class _LocalCounters:
    """Fixed-window counters in this process (the default, and Redis's fallback)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def incr(self, key: str, window_s: int, now: float) -> int:
        with self._lock:
            count, expires = self._counts.get(key, (0, 0.0))
            if expires <= now:
                count, expires = 0, now + window_s
            count += 1
            self._counts[key] = (count, expires)
            if len(self._counts) > 100_000:  # bounded: drop expired windows
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            return count


class RateLimiter:
    """Requests per minute and per UTC day for one caller (key id or client IP)."""

    def __init__(
        self, per_minute: int, per_day: int, redis_url: str | None = None, clock: Any = time.time
    ) -> None:
        self.per_minute = per_minute
        self.per_day = per_day
        self.redis_url = redis_url
        self._clock = clock
        self._local = _LocalCounters()

    @property
    def remote(self) -> bool:
        """Whether a check may wait on the network (Redis): callers on an event loop offload it."""
        return self.redis_url is not None and bool(self.per_minute or self.per_day)

    def _incr(self, key: str, window_s: int, now: float) -> int:
        def local() -> int:
            return self._local.incr(key, window_s, now)

        if self.redis_url is None:
            return local()
        from agentops_cli import shared_state

        def remote(client: Any) -> int:
            pipe = client.pipeline()
            pipe.set(key, 0, ex=window_s + 5, nx=True)  # the window's first request starts its clock
            pipe.incr(key)
            return int(pipe.execute()[1])

        return shared_state.call(self.redis_url, remote, local)

    def check(self, caller: str) -> Verdict:
        now = self._clock()
        if self.per_minute:
            window = int(now // MINUTE_S)
            count = self._incr(f"agentops:rl:{caller}:{window}", MINUTE_S, now)
            if count > self.per_minute:
                retry = max(1, int((window + 1) * MINUTE_S - now) + 1)
                return Verdict(False, retry, f"rate limit: {self.per_minute} requests a minute")
        if self.per_day:
            day = int(now // DAY_S)
            count = self._incr(f"agentops:quota:{caller}:{day}", DAY_S, now)
            if count > self.per_day:
                retry = max(1, int((day + 1) * DAY_S - now) + 1)
                return Verdict(False, retry, f"daily quota: {self.per_day} requests a day")
        return Verdict(True)


class AuditLog:
    """One JSON line per request: time, key id, agent, status, latency, cost — never inputs.

    Every line goes through the one redactor before it is written (a key id or agent name
    that looks like a secret is masked too).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, **fields: Any) -> None:
        """One ``O_APPEND`` write of the whole line (as the run log): lines from threads and
        from the workers of ``--workers N`` never interleave, and a rotated file is followed."""
        record = {"time": round(time.time(), 3), **fields}
        line = redact(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
