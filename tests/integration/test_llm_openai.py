"""The LLM layer end to end: the real ChatOpenAI over HTTP to the loopback server.

Covers the issue's done-when list: round-trip with usage and cost, retries, Retry-After,
timeouts, the circuit breaker, failover (and its absence), the response cache, and that
the API key reaches no file and no log.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from agentops_cli.costs.prices import cost_of
from agentops_cli.errors import RuntimeFailure
from agentops_cli.llm import prompting
from agentops_cli.llm.base import AgentLLM
from agentops_cli.llm.factory import make_llm
from agentops_cli.llm.usage import Usage
from agentops_cli.observability.logging import get_logger
from agentops_cli.observability.runlog import read_runs, record_run, runlog_path
from tests.fakes.fixtures import FAKE_API_KEY, openai_settings
from tests.fakes.openai_server import FakeOpenAIServer, Fault


class Intent(BaseModel):
    intent: str
    confidence: float = Field(ge=0, le=1)
    sources: list[str]


OFFLINE = Intent(intent="offline-answer", confidence=0.5, sources=[])
GOOD = {"intent": "billing", "confidence": 0.87, "sources": ["kb-1"]}


@pytest.fixture(autouse=True)
def prompt_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed template instead of the agents' prompt files (owned by other teams)."""
    monkeypatch.setattr(prompting, "load_prompt", lambda name: "Classify the query.\n---user---\nQuery: {q}")


def ask(llm: AgentLLM, q: str = "where is my invoice?") -> Intent:
    return llm.structured(Intent, prompt="support/classify", variables={"q": q}, offline=lambda: OFFLINE)


def scripted(server: FakeOpenAIServer, answer: dict | None = None) -> None:
    server.responder = lambda body: dict(answer or GOOD)
    server.usage = {
        "prompt_tokens": 1200,
        "completion_tokens": 300,
        "total_tokens": 1500,
        "prompt_tokens_details": {"cached_tokens": 1000},
    }


def test_structured_round_trip_records_usage_and_cost(fake_openai: FakeOpenAIServer) -> None:
    scripted(fake_openai)
    settings = openai_settings(fake_openai)
    llm = make_llm(settings, "support", run_id="run-abc")

    answer = ask(llm)

    assert answer == Intent(**GOOD)
    assert llm.usage == Usage(input_tokens=1200, output_tokens=300, cached_tokens=1000)
    expected = cost_of("gpt-4o-mini", llm.usage, settings)
    assert expected > 0
    assert llm.cost_usd == pytest.approx(expected)
    assert (llm.provider, llm.degraded, llm.llm_calls) == ("openai", False, 1)
    body = fake_openai.last_request
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"]["type"] == "json_schema"
    assert body["messages"][-1] == {"role": "user", "content": "Query: where is my invoice?"}
    assert fake_openai.headers[-1]["authorization"] == f"Bearer {FAKE_API_KEY}"


def test_function_calling_method_sends_tools(fake_openai: FakeOpenAIServer) -> None:
    scripted(fake_openai)
    llm = make_llm(openai_settings(fake_openai, llm__structured_output_method="function_calling"), "support")

    assert ask(llm).intent == "billing"
    body = fake_openai.last_request
    assert "response_format" not in body
    assert body["tools"][0]["function"]["name"] == "Intent"


def test_json_mode_method(fake_openai: FakeOpenAIServer) -> None:
    scripted(fake_openai)
    llm = make_llm(openai_settings(fake_openai, llm__structured_output_method="json_mode"), "support")

    assert ask(llm) == Intent(**GOOD)
    assert fake_openai.last_request["response_format"] == {"type": "json_object"}


def test_default_answer_from_schema_validates(fake_openai: FakeOpenAIServer) -> None:
    llm = make_llm(openai_settings(fake_openai), "support")
    assert ask(llm) == Intent(intent="", confidence=0.0, sources=[])


def test_500_then_success_is_one_retry(fake_openai: FakeOpenAIServer) -> None:
    scripted(fake_openai)
    fake_openai.enqueue(Fault.http(500))
    llm = make_llm(openai_settings(fake_openai), "support")

    assert ask(llm).intent == "billing"
    assert fake_openai.request_count == 2
    assert llm.degraded is False


def test_429_retry_after_is_honoured(fake_openai: FakeOpenAIServer) -> None:
    scripted(fake_openai)
    fake_openai.enqueue(Fault.rate_limit(retry_after=0.6))
    llm = make_llm(openai_settings(fake_openai), "support")

    started = time.perf_counter()
    assert ask(llm).intent == "billing"
    elapsed = time.perf_counter() - started

    assert fake_openai.request_count == 2
    assert 0.55 <= elapsed < 2.0  # the backoff alone would be ~0.02 s


def test_retry_after_is_capped(fake_openai: FakeOpenAIServer) -> None:
    scripted(fake_openai)
    fake_openai.enqueue("429:30")
    llm = make_llm(openai_settings(fake_openai, resilience__retry_after_max_s=0.2), "support")

    started = time.perf_counter()
    assert ask(llm).intent == "billing"
    assert time.perf_counter() - started < 1.5


def test_hang_times_out_and_fails_over(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(Fault.hang(10))
    settings = openai_settings(fake_openai, llm__timeout_s=0.4, resilience__max_attempts=1)
    llm = make_llm(settings, "support")

    started = time.perf_counter()
    answer = ask(llm)
    elapsed = time.perf_counter() - started

    assert answer == OFFLINE
    assert 0.35 <= elapsed < 2.0
    assert llm.degraded is True
    assert llm.degraded_reasons == ["gpt-4o-mini: timeout after 1 attempt"]
    assert llm.calls[-1].degraded and llm.calls[-1].provider == "offline"


def test_malformed_answers_are_failures_and_retried(fake_openai: FakeOpenAIServer) -> None:
    scripted(fake_openai)
    fake_openai.enqueue(Fault.invalid_arguments())
    fake_openai.enqueue(Fault.malformed_body())
    llm = make_llm(openai_settings(fake_openai), "support")

    assert ask(llm).intent == "billing"
    assert fake_openai.request_count == 3


def test_answer_not_matching_schema_fails_over(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.responder = lambda body: {"intent": "billing", "confidence": 7, "sources": []}
    llm = make_llm(openai_settings(fake_openai, resilience__max_attempts=2), "support")

    assert ask(llm) == OFFLINE
    assert fake_openai.request_count == 2
    assert llm.degraded_reasons == ["gpt-4o-mini: malformed answer after 2 attempts"]


def test_breaker_opens_after_five_failures_then_fails_over_without_requests(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.enqueue(Fault.http(503), times=10)
    llm = make_llm(openai_settings(fake_openai), "support")

    assert ask(llm, "one") == OFFLINE  # 3 attempts
    assert ask(llm, "two") == OFFLINE  # 2 more: the 5th failure opens the circuit
    assert fake_openai.request_count == 5

    started = time.perf_counter()
    assert ask(llm, "three") == OFFLINE
    assert time.perf_counter() - started < 0.1
    assert fake_openai.request_count == 5  # nothing reached the server
    assert llm.degraded is True
    assert llm.degraded_reasons[-1] == "gpt-4o-mini: circuit open"
    assert [c.degraded for c in llm.calls] == [True, True, True]
    # The breaker is per process and per (base_url, model): a new run sees it open too.
    other = make_llm(openai_settings(fake_openai), "document")
    assert other.structured(Intent, prompt="x", variables={"q": "4"}, offline=lambda: OFFLINE) == OFFLINE
    assert fake_openai.request_count == 5


def test_breaker_half_opens_after_cooldown(fake_openai: FakeOpenAIServer) -> None:
    scripted(fake_openai)
    fake_openai.enqueue("500", times=2)
    settings = openai_settings(
        fake_openai, resilience__breaker_failures=2, resilience__breaker_cooldown_s=0.3
    )
    llm = make_llm(settings, "support")
    assert ask(llm, "a") == OFFLINE
    assert ask(llm, "b") == OFFLINE and fake_openai.request_count == 2
    time.sleep(0.35)
    assert ask(llm, "c").intent == "billing"  # the trial request closes the circuit
    assert ask(llm, "d").intent == "billing"
    assert fake_openai.request_count == 4


def test_failover_disabled_raises_runtime_failure(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue("500", times=3)
    llm = make_llm(openai_settings(fake_openai, resilience__failover=False), "support")

    with pytest.raises(RuntimeFailure) as caught:
        ask(llm)
    assert caught.value.exit_code == 3
    assert "HTTP 500 after 3 attempts" in str(caught.value)
    assert "failover is disabled" in str(caught.value)
    assert FAKE_API_KEY not in str(caught.value)


def test_same_call_twice_is_one_request_and_free(fake_openai: FakeOpenAIServer) -> None:
    scripted(fake_openai)
    settings = openai_settings(fake_openai)
    first = make_llm(settings, "support")
    ask(first)
    second = make_llm(settings, "support")

    assert ask(second) == Intent(**GOOD)
    assert fake_openai.request_count == 1
    assert second.calls[0].cache_hit is True
    assert (second.cost_usd, second.usage.total_tokens, second.cache_hits) == (0.0, 0, 1)
    # Another trial is another answer: it is not served from the first trial's entry.
    make_llm(settings, "support", trial=1).structured(
        Intent, prompt="p", variables={"q": "where is my invoice?"}, offline=lambda: OFFLINE
    )
    assert fake_openai.request_count == 2


def test_no_cache_setting_always_asks(fake_openai: FakeOpenAIServer) -> None:
    scripted(fake_openai)
    settings = openai_settings(fake_openai, cache__enabled=False)
    ask(make_llm(settings, "support"))
    ask(make_llm(settings, "support"))
    assert fake_openai.request_count == 2


def test_failed_call_is_not_cached(fake_openai: FakeOpenAIServer) -> None:
    scripted(fake_openai)
    fake_openai.enqueue("500", times=3)
    settings = openai_settings(fake_openai)
    assert ask(make_llm(settings, "support")) == OFFLINE

    retried = make_llm(settings, "support")
    assert ask(retried).intent == "billing"
    assert retried.calls[0].cache_hit is False
    assert fake_openai.request_count == 4


def test_concurrent_calls_share_one_client_and_overlap(fake_openai: FakeOpenAIServer) -> None:
    """16 calls from a thread pool (as eval runs them) at 500 ms latency overlap.

    One after another they would take 8 s. The throughput target (≥ 90 % of ideal at
    32 × 300 ms) is measured by the benchmark, not asserted here: a shared 2-core box under a
    full, coverage-traced run is too noisy for it.
    """
    from concurrent.futures import ThreadPoolExecutor

    scripted(fake_openai)
    fake_openai.latency_s = 0.5
    settings = openai_settings(fake_openai, cache__enabled=False)
    assert ask(make_llm(settings, "support")).intent == "billing"  # warm: client and schema built

    def one(i: int) -> Intent:
        llm = make_llm(settings, "support")
        return llm.structured(Intent, prompt="p", variables={"q": f"q{i}"}, offline=lambda: OFFLINE)

    fake_openai.latency_s = 0.0
    fake_openai.gather = 16  # held until all sixteen are in flight: the shared pool must not serialise
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(one, range(16)))
    assert [a.intent for a in answers] == ["billing"] * 16
    assert fake_openai.request_count == 17
    assert fake_openai.peak_in_flight == 16


def test_first_use_from_many_threads_builds_the_bound_model_once(fake_openai: FakeOpenAIServer) -> None:
    """32 eval threads arrive at once: one builds the client (a ~1 s import), the rest wait for it."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from agentops_cli.llm.openai_backend import shared_backend

    backend = shared_backend(openai_settings(fake_openai, cache__enabled=False))
    start = threading.Barrier(16)

    def first_use(_: int) -> object:
        start.wait()
        return backend.runnable(Intent, "gpt-4o-mini")

    with ThreadPoolExecutor(16) as pool:
        built = list(pool.map(first_use, range(16)))
    assert all(pair is built[0] for pair in built)
    assert list(backend._chats) == ["gpt-4o-mini"]


def test_api_key_reaches_no_file_and_no_log(fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    scripted(fake_openai)
    log_file = tmp_path / "agentops.log"
    logger = get_logger()
    sink = logger.add(log_file, level="DEBUG", format="{message} {extra}")
    try:
        settings = openai_settings(fake_openai)
        llm = make_llm(settings, "support", run_id="run-key")
        ask(llm)
        ask(llm)  # cache hit
        fake_openai.enqueue("500", times=3)
        ask(llm, "another")  # failure, retries, failover warning
        logger.info("settings in force: {}", settings.model_dump())
        record_run(
            settings,
            {"agent": "support", "run_id": "run-key", "note": f"key={FAKE_API_KEY}"},
            f"query with {FAKE_API_KEY}",
            error=f"boom {FAKE_API_KEY}",
        )
    finally:
        logger.remove(sink)

    files = [log_file, runlog_path(settings)]
    files += [p for p in settings.resolved_cache_dir().rglob("*") if p.is_file()]
    assert len(files) >= 3
    key = FAKE_API_KEY.encode()
    for path in files:
        assert key not in path.read_bytes(), path
    assert "retrying" in log_file.read_text()
    assert read_runs(settings)[-1]["error"] == "boom [REDACTED]"
