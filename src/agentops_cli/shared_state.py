"""Redis shared by replicas (response cache, rate limits), with a local fallback when it is away.

One client per URL per process (redis-py clients are thread-safe and pool connections).
Every use goes through :func:`call`: a Redis error marks the URL *down* for a short back-off,
during which callers go straight to their local fallback instead of each paying a connect
timeout — so a dead Redis slows nothing and fails nothing; ``/readyz`` reports it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

SOCKET_TIMEOUT_S = 0.25  # a loopback/LAN Redis answers in well under a millisecond
RETRY_AFTER_DOWN_S = 2.0  # how long a failed Redis is skipped before it is tried again

_clients: dict[str, Any] = {}
_down_until: dict[str, float] = {}
_last_error: dict[str, str] = {}
_lock = threading.Lock()


def client(url: str) -> Any:
    """The process's Redis client for ``url`` (imported and built on first use)."""
    with _lock:
        found = _clients.get(url)
        if found is None:
            import redis

            found = redis.Redis.from_url(
                url,
                socket_timeout=SOCKET_TIMEOUT_S,
                socket_connect_timeout=SOCKET_TIMEOUT_S,
                health_check_interval=0,
            )
            _clients[url] = found
        return found


def is_down(url: str) -> bool:
    return _down_until.get(url, 0.0) > time.monotonic()


def call(url: str, action: Callable[[Any], T], fallback: Callable[[], T]) -> T:
    """``action(client)``, or ``fallback()`` when Redis is down or fails now (never raises its errors)."""
    if is_down(url):
        return fallback()
    import redis

    try:
        result = action(client(url))
    except (redis.RedisError, OSError) as exc:
        with _lock:
            _down_until[url] = time.monotonic() + RETRY_AFTER_DOWN_S
            _last_error[url] = type(exc).__name__
        return fallback()
    _down_until.pop(url, None)
    return result


def ping(url: str) -> str | None:
    """None when Redis answers a PING now, else why not (``/readyz``)."""
    import redis

    try:
        client(url).ping()
    except (redis.RedisError, OSError) as exc:
        with _lock:
            _down_until[url] = time.monotonic() + RETRY_AFTER_DOWN_S
            _last_error[url] = type(exc).__name__
        return f"redis unreachable ({type(exc).__name__})"
    _down_until.pop(url, None)
    return None


def reset() -> None:
    """Forget clients and outages (tests that restart Redis on the same port)."""
    with _lock:
        for found in _clients.values():
            found.close()
        _clients.clear()
        _down_until.clear()
        _last_error.clear()
