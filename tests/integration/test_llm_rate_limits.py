"""Rate limits, outages and hangs against the loopback server, through the real eval and CLI.

* A short burst of HTTP 429 (``Retry-After: 1``) at the start of an eval at concurrency 32
  slows the pool down; it is not an outage: ≤ 1 % errors and the breaker never opens.
* An outage (500s, connection refused) still opens the breaker.
* A hanging server cannot hold ``run support`` past ``llm.deadline_s``: the offline engine
  answers, ``degraded: true``.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from agentops_cli.config import load_settings
from agentops_cli.evaluation.service import EvalRequest, run_eval
from agentops_cli.llm.cache import normalized_endpoint
from agentops_cli.llm.resilience import breaker_for, rate_limit_events
from tests.conftest import run_cli
from tests.fakes.fixtures import FAKE_API_KEY, FAST_SETTINGS, openai_env
from tests.fakes.openai_server import FakeOpenAIServer

MODEL = "gpt-4o-mini"


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    if "ClassifyOutput" in json.dumps(body.get("response_format")):
        return {"intent": "billing", "confidence": 0.97, "alternatives": []}
    return {"answer": "A hold is released in 3-5 days.", "source_ids": [], "grounded": False}


@pytest.fixture
def cache_dir(support_model_cache: Path, tmp_path: Path) -> Path:
    """A fresh response cache with the session's trained intent model copied in."""
    cache = tmp_path / "cache"
    shutil.copytree(support_model_cache / "models", cache / "models")
    return cache


def _rows(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"r{i}",
                    "agent": "support",
                    "input": f"I was charged twice for order {i}",
                    "expected": {"intent": "billing"},
                }
            )
            + "\n"
            for i in range(n)
        )
    )
    return path


def _loader(base_url: str, cache: Path, **extra: Any):
    def load(overrides: dict[str, Any]) -> Any:
        layer = {
            **FAST_SETTINGS,
            "llm.base_url": base_url,
            "llm.api_key": FAKE_API_KEY,
            "cache_dir": str(cache),
            "eval.gates": {},
            **{k: v for k, v in overrides.items() if v is not None},
            **extra,
        }
        return load_settings(None, layer, dotenv_path=None).settings

    return load


def test_a_burst_of_429s_slows_the_pool_and_never_opens_the_breaker(
    fake_openai: FakeOpenAIServer, cache_dir: Path, tmp_path: Path
) -> None:
    def slow_answer(body: dict[str, Any]) -> dict[str, Any]:
        time.sleep(0.3)  # answers take a while; the 429s come back at once, one after another
        return _answer(body)

    fake_openai.responder = slow_answer
    fake_openai.enqueue("429:1", times=9)
    seen_before = rate_limit_events()
    n = 150
    report = run_eval(
        EvalRequest(dataset=str(_rows(tmp_path, n)), providers=["openai"], concurrency=32),
        _loader(fake_openai.base_url, cache_dir),
    )
    (summary,) = report.summaries
    doc = summary.model_dump()
    assert fake_openai.pending_faults == 0  # all nine 429s were served
    assert rate_limit_events() - seen_before == 9
    assert doc["n"] == n
    assert doc["errors"] <= n // 100, f"{doc['errors']} errors out of {n}"
    breaker = breaker_for(
        normalized_endpoint(fake_openai.base_url), MODEL, load_settings().settings.resilience
    )
    assert breaker.times_opened == 0 and breaker.state == "closed"


def test_an_outage_still_opens_the_breaker(
    fake_openai: FakeOpenAIServer, cache_dir: Path, tmp_path: Path
) -> None:
    fake_openai.enqueue("500", times=10_000)
    n = 30
    report = run_eval(
        EvalRequest(dataset=str(_rows(tmp_path, n)), providers=["openai"], concurrency=8),
        # Every example fails by design: the early stop on one repeated error (which fires when
        # the breaker opens before the first ten examples end) would end the run this test reads.
        _loader(fake_openai.base_url, cache_dir, **{"eval.same_error_stop": 0}),
    )
    (summary,) = report.summaries
    assert summary.model_dump()["errors"] == n
    breaker = breaker_for(
        normalized_endpoint(fake_openai.base_url), MODEL, load_settings().settings.resilience
    )
    assert breaker.times_opened >= 1
    # once open, examples fail over without a request: far fewer than n × 2 calls × 3 attempts
    assert fake_openai.request_count < n * 2 * 3 / 2


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_opens_the_breaker(cache_dir: Path, tmp_path: Path) -> None:
    from agentops_cli.llm.resilience import reset_breakers

    reset_breakers()
    base_url = f"http://127.0.0.1:{_closed_port()}/v1"  # nothing listens there
    report = run_eval(
        EvalRequest(dataset=str(_rows(tmp_path, 10)), providers=["openai"], concurrency=4),
        _loader(base_url, cache_dir),
    )
    (summary,) = report.summaries
    doc = summary.model_dump()
    assert doc["errors"] == 10 and doc["degraded"] == 10
    breaker = breaker_for(normalized_endpoint(base_url), MODEL, load_settings().settings.resilience)
    assert breaker.times_opened >= 1
    reset_breakers()


def test_a_hanging_server_cannot_hold_run_support_past_the_deadline(
    fake_openai: FakeOpenAIServer, cache_dir: Path, tmp_path: Path
) -> None:
    fake_openai.enqueue("hang:300", times=20)
    env = openai_env(
        fake_openai,
        AGENTOPS_CACHE_DIR=str(cache_dir),
        AGENTOPS_LLM__TIMEOUT_S="300",  # one request alone would hang 300 s, × 5 attempts
        AGENTOPS_RESILIENCE__MAX_ATTEMPTS="5",
        AGENTOPS_LLM__DEADLINE_S="1.5",
    )
    result = run_cli("run", "support", "I was charged twice", "--json", cwd=tmp_path, env=env, timeout=240)
    doc = result.json()
    assert result.code == 0, result.stderr
    assert doc["degraded"] is True and "run deadline exceeded" in doc["degraded_reason"]
    assert doc["intent"]  # the offline engine answered
    # One request, cut short by the deadline (1.5 s), and no retry: without the deadline the
    # run would sit in that request for 300 s (× 5 attempts), past this run's timeout (240 s).
    assert fake_openai.request_count == 1
