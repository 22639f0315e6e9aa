"""Two ``agentops serve`` processes sharing a real Redis and a real PostgreSQL.

A cached LLM answer made by one replica is a hit on the other; a rate limit is shared; a
HITL thread paused on one resumes on the other. Faults: Redis killed under load gives no
5xx (local fallback, /readyz degraded); Postgres stopped gives HITL 503, other runs 200.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.fakes.fixtures import openai_env
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.serve_process import ServeProcess
from tests.integration.services import (
    PostgresServer,
    RedisServer,
    needs_postgres,
    needs_redis,
    postgres_server,
    redis_server,
)

httpx = pytest.importorskip("httpx")
pytestmark = [needs_redis, needs_postgres, pytest.mark.slow]

QUERY = "I was charged twice for my order"
KEY = "k-replica-test-0001"


@pytest.fixture(scope="module")
def stores() -> Iterator[tuple[RedisServer, PostgresServer]]:
    with redis_server() as redis, postgres_server() as postgres:
        yield redis, postgres


def _replica(
    tmp: Path, name: str, model_cache: Path, redis: RedisServer, postgres: PostgresServer, **extra: str
) -> ServeProcess:
    from agentops_cli.serving.security import key_digest

    cache = tmp / f"cache-{name}"
    shutil.copytree(model_cache, cache)  # own diskcache: a hit on the other replica must come from Redis
    env = {
        "AGENTOPS_HOME": str(tmp / f"home-{name}"),
        "AGENTOPS_CACHE_DIR": str(cache),
        "AGENTOPS_REDIS_URL": redis.url,
        "AGENTOPS_POSTGRES_URL": postgres.url,
        "AGENTOPS_CACHE__BACKEND": "redis",
        "AGENTOPS_SERVE__API_KEYS": json.dumps({"test": key_digest(KEY)}),
        "AGENTOPS_SERVE__RATE_LIMIT_PER_MINUTE": "1000",
        **extra,
    }
    return ServeProcess(env, tmp)


@contextmanager
def _pair(tmp: Path, stores: tuple[RedisServer, PostgresServer], model_cache: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    redis, postgres = stores
    a = _replica(tmp, "a", model_cache, redis, postgres, **env)
    b = _replica(tmp, "b", model_cache, redis, postgres, **env)
    try:
        a.wait_ready()
        b.wait_ready()
        yield a, b
    finally:
        a.stop()
        b.stop()


@pytest.fixture(autouse=True)
def _fresh_redis(stores: tuple[RedisServer, PostgresServer]) -> None:
    import redis as redis_lib

    redis_lib.Redis.from_url(stores[0].url).flushall()  # no counters or answers from an earlier test


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory,
    stores: tuple[RedisServer, PostgresServer],
    support_model_cache: Path,
    _fake_openai_session: FakeOpenAIServer,
) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    """Two replicas on the loopback LLM, shared by the tests of this module (start-up is slow)."""
    with _pair(
        tmp_path_factory.mktemp("replicas"), stores, support_model_cache, openai_env(_fake_openai_session)
    ) as pair:
        yield pair


AUTH = {"Authorization": f"Bearer {KEY}"}


def _run(replica: ServeProcess, query: str = QUERY, **params: str) -> httpx.Response:
    return httpx.post(
        f"{replica.url}/v1/agents/support/runs",
        json={"query": query},
        params=params,
        headers=AUTH,
        timeout=60,
    )


def test_cache_hit_across_replicas(
    replicas: tuple[ServeProcess, ServeProcess], fake_openai: FakeOpenAIServer
) -> None:
    a, b = replicas
    query = "My parcel has not arrived, where is it? (cache test)"
    first = _run(a, query)
    assert first.status_code == 200, first.text
    assert first.json()["provider"] == "openai" and not first.json()["degraded"]
    calls = fake_openai.request_count
    assert calls >= 1
    second = _run(b, query)
    assert second.status_code == 200
    assert fake_openai.request_count == calls  # answered from Redis, no new model call
    assert second.json()["answer"] == first.json()["answer"]
    metrics = httpx.get(f"{b.url}/metrics", timeout=30).text
    assert 'agent_cache_requests_total{backend="redis",result="hit"}' in metrics


def test_rate_limit_is_shared(
    tmp_path: Path, stores: tuple[RedisServer, PostgresServer], support_model_cache: Path
) -> None:
    env = {"AGENTOPS_SERVE__RATE_LIMIT_PER_MINUTE": "4", "AGENTOPS_LLM__PROVIDER": "offline"}
    with _pair(tmp_path, stores, support_model_cache, env) as (a, b):
        codes = [_run(replica).status_code for replica in (a, b, a, b, a, b)]
    assert codes.count(200) == 4 and codes.count(429) == 2, codes


def test_hitl_thread_resumes_on_the_other_replica(replicas: tuple[ServeProcess, ServeProcess]) -> None:
    a, b = replicas
    paused = _run(a, hitl="true")
    assert paused.status_code == 200, paused.text
    thread = paused.json()["thread_id"]
    resumed = httpx.post(
        f"{b.url}/v1/threads/{thread}/resume",
        json={"action": "rewrite", "text": "Refund issued."},
        headers=AUTH,
        timeout=60,
    )
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["answer"] == "Refund issued." and resumed.json()["thread_id"] == thread
    again = httpx.post(
        f"{a.url}/v1/threads/{thread}/resume", json={"action": "approve"}, headers=AUTH, timeout=60
    )
    assert again.status_code == 409


def test_redis_killed_under_load_then_back(
    replicas: tuple[ServeProcess, ServeProcess], stores: tuple[RedisServer, PostgresServer]
) -> None:
    a, b = replicas
    redis, _ = stores
    statuses: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def load(replica: ServeProcess) -> None:
        with httpx.Client(timeout=30) as client:
            while not stop.is_set():
                code = client.post(
                    f"{replica.url}/v1/agents/support/runs", json={"query": QUERY}, headers=AUTH
                ).status_code
                with lock:
                    statuses.append(code)

    workers = [threading.Thread(target=load, args=(r,)) for r in (a, b, a, b)]
    for worker in workers:
        worker.start()
    try:
        _wait_for(lambda: len(statuses) >= 20)
        redis.kill()
        before = len(statuses)
        _wait_for(lambda: len(statuses) >= before + 40)
        ready = httpx.get(f"{a.url}/readyz", timeout=30).json()
        assert ready["status"] == "degraded" and "redis" in ready["checks"]
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
        if redis.proc is None:
            redis.start()
    assert statuses and all(code == 200 for code in statuses), sorted(set(statuses))
    _wait_for(lambda: httpx.get(f"{a.url}/readyz", timeout=30).json()["status"] == "ready", timeout=15)


def test_postgres_down_hitl_503_others_fine(
    replicas: tuple[ServeProcess, ServeProcess], stores: tuple[RedisServer, PostgresServer]
) -> None:
    a, _ = replicas
    _, postgres = stores
    postgres.stop()
    try:
        hitl = _run(a, hitl="true")
        plain = _run(a)
        resume = httpx.post(
            f"{a.url}/v1/threads/abc/resume", json={"action": "approve"}, headers=AUTH, timeout=60
        )
        ready = httpx.get(f"{a.url}/readyz", timeout=30).json()
    finally:
        postgres.start()
    assert hitl.status_code == 503 and "Postgres" in hitl.json()["detail"]
    assert resume.status_code == 503
    assert plain.status_code == 200
    assert ready["status"] == "degraded" and "postgres unreachable" in ready["checks"]["postgres"]


def _wait_for(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError("condition not met")
