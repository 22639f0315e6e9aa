"""The response cache: key, storage, TTL, secrets, stats and clear — on real diskcache files."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from agentops_cli.config import load_settings
from agentops_cli.llm.cache import (
    CachedAnswer,
    ResponseCache,
    cache_dir,
    cache_key,
    cache_stats,
    clear_cache,
    normalized_endpoint,
)
from agentops_cli.llm.usage import Usage

BASE = {
    "provider": "openai",
    "endpoint": "http://127.0.0.1:8000/v1",
    "model": "gpt-4o-mini",
    "params": {"temperature": 0.0, "max_tokens": 1024, "method": "json_schema"},
    "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}],
    "schema": {"title": "Intent", "type": "object"},
    "trial": 0,
}


def entry(**answer: object) -> CachedAnswer:
    return CachedAnswer(
        answer=dict(answer) or {"intent": "billing"},
        usage=Usage(input_tokens=10, output_tokens=5, cached_tokens=2),
        model="gpt-4o-mini",
        schema_name="Intent",
        created=time.time(),
    )


def test_key_is_stable_and_sensitive_to_every_part() -> None:
    key = cache_key(**BASE)
    assert len(key) == 64 and key == cache_key(**dict(BASE))
    # dict order does not matter (canonical JSON)
    assert key == cache_key(
        **{**BASE, "params": {"method": "json_schema", "max_tokens": 1024, "temperature": 0.0}}
    )
    variants = [
        {"provider": "other"},
        {"endpoint": "http://127.0.0.1:8001/v1"},
        {"model": "gpt-4o"},
        {"params": {**BASE["params"], "temperature": 0.7}},
        {"params": {**BASE["params"], "max_tokens": 10}},
        {"messages": [{"role": "user", "content": "U"}]},
        {"schema": {"title": "Other", "type": "object"}},
        {"trial": 1},
    ]
    keys = {cache_key(**{**BASE, **v}) for v in variants}
    assert len(keys) == len(variants) and key not in keys


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
        ("HTTP://LocalHost:8000/v1/", "http://localhost:8000/v1"),
        ("https://api.openai.com/v1", "https://api.openai.com:443/v1"),
        ("http://gateway.example/v1", "http://gateway.example:80/v1"),
        (
            "https://user:sk-secret-123@proxy.example:8443/openai/v1?api-key=sk-q#frag",
            "https://proxy.example:8443/openai/v1",
        ),
        ("http://[::1]:9000/v1", "http://[::1]:9000/v1"),
    ],
)
def test_endpoint_is_normalised_and_never_holds_credentials(url: str, expected: str) -> None:
    assert normalized_endpoint(url) == expected
    assert "secret" not in normalized_endpoint(url) and "sk-q" not in normalized_endpoint(url)


def test_same_server_spelled_differently_shares_the_key() -> None:
    spellings = ["http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1/", "HTTP://127.0.0.1:8000/v1"]
    keys = {cache_key(**{**BASE, "endpoint": normalized_endpoint(u)}) for u in spellings}
    assert len(keys) == 1


def test_put_get_roundtrip_and_miss(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c")
    assert cache.get("missing") is None
    assert cache.put("k", entry(intent="refund")) is True
    got = cache.get("k")
    assert got is not None and got.answer == {"intent": "refund"} and got.usage.cached_tokens == 2
    cache.close()
    # another instance (another process would do the same) sees it
    assert ResponseCache(tmp_path / "c").get("k") == got


def test_ttl_expires_entries(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c", ttl_s=1)
    cache.put("k", entry())
    assert cache.get("k") is not None
    time.sleep(1.1)
    assert cache.get("k") is None


def test_secret_looking_answers_are_not_stored(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c")
    assert cache.put("k", entry(text="use sk-live-FAKEABCD12345678 to log in")) is False
    assert cache.get("k") is None
    assert b"sk-live" not in b"".join(p.read_bytes() for p in (tmp_path / "c").rglob("*") if p.is_file())


def test_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c")
    cache._open().set("k", "{not json")
    assert cache.get("k") is None


def test_concurrent_threads(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c")

    def work(i: int) -> str:
        cache.put(f"k{i}", entry(n=i))
        got = cache.get(f"k{i}")
        return str(got.answer["n"]) if got else "miss"

    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(work, range(64))) == [str(i) for i in range(64)]


def test_stats_and_clear_services(isolated: Path) -> None:
    settings = load_settings(None, dotenv_path=None).settings
    assert cache_dir(settings) == isolated / "cache" / "responses"
    empty = cache_stats(settings)
    assert (empty.entries, empty.size_bytes, empty.hits, empty.misses) == (0, 0, 0, 0)
    assert clear_cache(settings) == 0

    cache = ResponseCache.from_settings(settings)
    cache.put("a", entry())
    cache.put("b", entry())
    cache.get("a")
    cache.get("zzz")
    cache.close()
    stats = cache_stats(settings)
    assert (stats.entries, stats.hits, stats.misses) == (2, 1, 1)
    assert stats.size_bytes > 0 and stats.enabled is True and stats.ttl_s == 604800
    assert clear_cache(settings) == 2
    after = cache_stats(settings)
    assert (after.entries, after.hits, after.misses) == (0, 0, 0)


def test_hit_and_miss_counts_add_up_across_instances_without_write_transactions(isolated: Path) -> None:
    """Counts live in memory and are added to the stored totals on close; reads never write."""
    settings = load_settings(None, dotenv_path=None).settings
    first = ResponseCache.from_settings(settings)
    first.put("a", entry())
    assert first._open().statistics == 0  # diskcache's per-read write transaction stays off
    first.get("a")
    second = ResponseCache.from_settings(settings)  # like a second process on the same files
    second.get("a")
    second.get("nope")
    second.close()
    assert cache_stats(settings).hits == 1  # the first instance has not flushed yet
    first.get("a")
    first.close()
    stats = cache_stats(settings)
    assert (stats.hits, stats.misses) == (3, 1)
