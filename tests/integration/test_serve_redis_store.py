"""The Redis response cache and rate limiter in process, against a real redis-server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentops_cli import shared_state
from agentops_cli.config import load_settings
from agentops_cli.llm.cache import PROCESS_COUNTS, CachedAnswer, RedisResponseCache, open_response_cache
from agentops_cli.serving.security import RateLimiter
from tests.integration.services import RedisServer, needs_redis, redis_server

pytestmark = needs_redis


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    shared_state.reset()
    with redis_server() as server:
        yield server
    shared_state.reset()


def _entry() -> CachedAnswer:
    return CachedAnswer(answer={"intent": "billing"}, model="m", schema_name="S", created=time.time())


def test_redis_cache_shared_and_fallback(redis: RedisServer, tmp_path: Path) -> None:
    layer = {"cache_dir": str(tmp_path), "redis_url": redis.url, "cache.backend": "redis"}
    settings = load_settings(None, layer, dotenv_path=None).settings
    one, two = open_response_cache(settings), open_response_cache(settings)
    assert isinstance(one, RedisResponseCache)
    before = PROCESS_COUNTS.snapshot().get(("redis", "hit"), 0)
    assert one.put("k1", _entry())
    found = two.get("k1")
    assert found is not None and found.answer == {"intent": "billing"}
    assert PROCESS_COUNTS.snapshot()[("redis", "hit")] == before + 1
    assert two.get("missing") is None
    secret = CachedAnswer(answer={"a": "sk-abcdefghijklmnop"}, model="m", schema_name="S", created=0)
    assert not one.put("k2", secret)  # never stored: it looks like it holds a key
    redis.kill()
    assert one.put("k3", _entry())  # stored locally while Redis is away
    assert one.get("k3") is not None and one.get("k1") is None
    assert shared_state.is_down(redis.url)
    assert shared_state.ping(redis.url) is not None
    one.close()
    two.close()


def test_redis_rate_limit_shared_and_fallback(redis: RedisServer) -> None:
    first = RateLimiter(per_minute=3, per_day=0, redis_url=redis.url)
    second = RateLimiter(per_minute=3, per_day=0, redis_url=redis.url)
    verdicts = [limiter.check("key").allowed for limiter in (first, second, first, second)]
    assert verdicts == [True, True, True, False]
    assert shared_state.ping(redis.url) is None
    redis.kill()
    local = RateLimiter(per_minute=1, per_day=0, redis_url=redis.url)
    assert local.check("key").allowed and not local.check("key").allowed  # counted in process
