"""The response cache: the same request twice costs one model call.

Stored with diskcache (SQLite + files; safe across threads and processes) under
``<cache dir>/responses`` — ``AGENTOPS_CACHE_DIR`` or the user cache dir.

The key is the sha256 of a canonical JSON document (sorted keys, no spaces) of everything
that changes the answer::

    {"v": 2, "provider", "endpoint", "model",
     "params": {"temperature", "max_tokens", "method"},
     "messages": [{"role", "content"}, ...], "schema": <output JSON schema>, "trial": N}

``endpoint`` is the normalised base URL (:func:`normalized_endpoint`: scheme, host, port and
path — never user/password, query or fragment), as Inspect AI keys its cache: the same model
name on two servers is two models, and an answer cached from server A must never stand in
for server B (a dead B would otherwise report a perfect, request-free eval). ``trial`` keeps
the K answers of ``eval --trials K`` apart. The API key is not part of the key and nothing
secret is stored. Only validated answers are stored (never errors, never
degraded offline answers), and an entry whose text looks like it holds a secret is skipped.
Entries expire after ``cache.ttl_s`` (0 = never).
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from agentops_cli.config import Settings
from agentops_cli.llm.usage import Usage
from agentops_cli.observability.redact import redact

KEY_VERSION = 2
SUBDIR = "responses"


class CachedAnswer(BaseModel):
    """One stored answer: the validated structured output and what it cost when it was made."""

    answer: dict[str, Any]
    usage: Usage = Field(default_factory=Usage)
    model: str
    schema_name: str
    created: float


class CacheStats(BaseModel):
    path: str
    entries: int
    size_bytes: int
    hits: int
    misses: int
    enabled: bool
    ttl_s: int


class _ProcessCounts:
    """Hits and misses of every response cache in this process, by backend (``/metrics``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[tuple[str, str], int] = {}

    def add(self, backend: str, hit: bool) -> None:
        key = (backend, "hit" if hit else "miss")
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + 1

    def snapshot(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self.counts)


PROCESS_COUNTS = _ProcessCounts()

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalized_endpoint(base_url: str) -> str:
    """``scheme://host:port/path`` of ``base_url``: what identifies the server, nothing secret.

    Lower-cased scheme and host, the port made explicit, no trailing slash; user info
    (``user:key@``), query (``?api-key=``) and fragment are dropped, so a key put in the URL
    never reaches the cache key (it is hashed, but a hash of a short key can be guessed).
    """
    parts = urlsplit(base_url.strip())
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a non-numeric port: keep the URL's shape, not its value
        port = None
    port = port or _DEFAULT_PORTS.get(scheme, 0)
    path = parts.path.rstrip("/")
    return f"{scheme}://{host}:{port}{path}"


def cache_key(
    *,
    provider: str,
    endpoint: str,
    model: str,
    params: dict[str, Any],
    messages: list[dict[str, str]],
    schema: dict[str, Any],
    trial: int,
) -> str:
    """sha256 hex of the canonical request document (see the module docstring)."""
    document = {
        "v": KEY_VERSION,
        "provider": provider,
        "endpoint": endpoint,
        "model": model,
        "params": params,
        "messages": messages,
        "schema": schema,
        "trial": trial,
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cache_dir(settings: Settings) -> Path:
    return settings.resolved_cache_dir() / SUBDIR


class ResponseCache:
    """A thin, typed wrapper over ``diskcache.Cache`` (opened lazily, shared by threads).

    Hits and misses are counted here, in memory, and added to diskcache's own counters in
    one transaction when the cache is closed (or the process exits): with diskcache's
    statistics switched on, every ``get`` becomes a write transaction on the SQLite file,
    and 32 eval threads reading a warm cache spend their time queueing for its write lock.
    """

    def __init__(self, directory: Path, ttl_s: int = 0, size_limit_mb: int = 1024) -> None:
        self.directory = directory
        self.ttl_s = ttl_s
        self.size_limit = size_limit_mb * 1024 * 1024
        self._cache: Any = None
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        self._flush_at_exit = False

    @classmethod
    def from_settings(cls, settings: Settings) -> ResponseCache:
        return cls(cache_dir(settings), settings.cache.ttl_s, settings.cache.size_limit_mb)

    def _open(self) -> Any:
        with self._lock:
            if self._cache is None:
                import atexit

                import diskcache

                self.directory.mkdir(parents=True, exist_ok=True)
                # statistics=0: reads take diskcache's lock-free path (see the class docstring).
                self._cache = diskcache.Cache(str(self.directory), size_limit=self.size_limit, statistics=0)
                if not self._flush_at_exit:
                    atexit.register(self.close)
                    self._flush_at_exit = True
            return self._cache

    def _count(self, hit: bool) -> None:
        PROCESS_COUNTS.add("disk", hit)
        with self._lock:
            if hit:
                self._hits += 1
            else:
                self._misses += 1

    def _flush_counts(self, cache: Any) -> None:
        """Add this process's hits and misses to the totals stored with the cache (atomically)."""
        hits, misses, self._hits, self._misses = self._hits, self._misses, 0, 0
        if hits or misses:
            with cache.transact():
                cache.reset("hits", int(cache.reset("hits")) + hits)
                cache.reset("misses", int(cache.reset("misses")) + misses)

    def get(self, key: str) -> CachedAnswer | None:
        raw = self._open().get(key)
        entry = None
        if raw is not None:
            try:
                entry = CachedAnswer.model_validate_json(raw)
            except ValueError:  # a torn or foreign entry: treat as a miss
                entry = None
        self._count(entry is not None)
        return entry

    def put(self, key: str, entry: CachedAnswer) -> bool:
        """Store ``entry``; False (and nothing written) when its text looks like it holds a secret."""
        text = entry.model_dump_json()
        if redact(text) != text:
            return False
        self._open().set(key, text, expire=self.ttl_s or None)
        return True

    def stats(self) -> tuple[int, int, int, int]:
        """(entries, size in bytes, hits, misses) — hits/misses are counted across processes."""
        cache = self._open()
        with self._lock:
            self._flush_counts(cache)
        cache.expire()
        return len(cache), int(cache.volume()), int(cache.reset("hits")), int(cache.reset("misses"))

    def clear(self) -> int:
        cache = self._open()
        removed = int(cache.clear())
        with self._lock:
            self._hits = self._misses = 0
        cache.stats(enable=False, reset=True)
        return removed

    def close(self) -> None:
        with self._lock:
            if self._cache is not None:
                self._flush_counts(self._cache)
                self._cache.close()
                self._cache = None


class RedisResponseCache:
    """The response cache in Redis, shared by replicas; the same keys and entries as on disk.

    ``cache.backend: redis``. Redis is the first place looked and written; when it is down
    (see :mod:`agentops_cli.shared_state`) the local diskcache answers and stores instead, so
    a Redis outage costs cache hits, never a failed request.
    """

    PREFIX = "agentops:resp:"

    def __init__(self, url: str, local: ResponseCache, ttl_s: int = 0) -> None:
        self.url = url
        self.local = local
        self.ttl_s = ttl_s

    def get(self, key: str) -> CachedAnswer | None:
        from agentops_cli import shared_state

        missing = object()
        raw = shared_state.call(self.url, lambda r: r.get(self.PREFIX + key), lambda: missing)
        if raw is missing:
            return self.local.get(key)
        entry = None
        if raw is not None:
            try:
                entry = CachedAnswer.model_validate_json(raw)
            except ValueError:
                entry = None
        PROCESS_COUNTS.add("redis", entry is not None)
        return entry

    def put(self, key: str, entry: CachedAnswer) -> bool:
        from agentops_cli import shared_state

        text = entry.model_dump_json()
        if redact(text) != text:
            return False
        stored = shared_state.call(
            self.url, lambda r: bool(r.set(self.PREFIX + key, text, ex=self.ttl_s or None)), lambda: False
        )
        return stored or self.local.put(key, entry)

    def close(self) -> None:
        self.local.close()


def open_response_cache(settings: Settings) -> ResponseCache | RedisResponseCache:
    """The response cache ``cache.backend`` asks for (diskcache by default)."""
    local = ResponseCache.from_settings(settings)
    if settings.cache.backend == "redis" and settings.redis_url is not None:
        return RedisResponseCache(settings.redis_url.get_secret_value(), local, settings.cache.ttl_s)
    return local


# -- what ``agentops cache`` calls ----------------------------------------------------------------


def cache_stats(settings: Settings) -> CacheStats:
    directory = cache_dir(settings)
    entries = size = hits = misses = 0
    if directory.is_dir():
        cache = ResponseCache.from_settings(settings)
        try:
            entries, size, hits, misses = cache.stats()
        finally:
            cache.close()
    return CacheStats(
        path=str(directory),
        entries=entries,
        size_bytes=size,
        hits=hits,
        misses=misses,
        enabled=settings.cache.enabled,
        ttl_s=settings.cache.ttl_s,
    )


def clear_cache(settings: Settings) -> int:
    """Remove every cached response; returns how many entries were removed."""
    directory = cache_dir(settings)
    if not directory.is_dir():
        return 0
    cache = ResponseCache.from_settings(settings)
    try:
        removed = cache.clear()
    finally:
        cache.close()
    return removed
