"""``agentops serve`` in process (FastAPI's TestClient over the real app, real agents, offline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

fastapi = pytest.importorskip("fastapi", reason="fastapi not installed")
from fastapi.testclient import TestClient  # noqa: E402

from agentops_cli.agents.runner import run_agent  # noqa: E402
from agentops_cli.config import Settings, load_settings  # noqa: E402
from agentops_cli.serving.app import create_app  # noqa: E402
from agentops_cli.serving.security import key_digest  # noqa: E402

QUERY = "I was charged twice for my order"
RUN_KEYS_THAT_VARY = ("run_id", "latency_ms")


def _settings(cache: Path, home: Path, **layer: Any) -> Settings:
    base = {"cache_dir": str(cache), "home": str(home), "llm.provider": "offline"}
    base.update(layer)
    return load_settings(None, base, dotenv_path=None).settings


@pytest.fixture
def settings(support_model_cache: Path, tmp_path: Path) -> Settings:
    return _settings(support_model_cache, tmp_path / "home")


def _client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


def _stable(run: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if k not in RUN_KEYS_THAT_VARY}


def test_run_json_equals_run_agent(settings: Settings) -> None:
    with _client(settings) as client:
        answer = client.post("/v1/agents/support/runs", json={"query": QUERY})
    assert answer.status_code == 200, answer.text
    direct = run_agent("support", QUERY, settings, {}).model_dump(mode="json")
    assert _stable(answer.json()) == _stable(direct)
    assert answer.json()["intent"] == direct["intent"]


def test_validation_error_names_the_field(settings: Settings) -> None:
    with _client(settings) as client:
        missing = client.post("/v1/agents/support/runs", json={"question": QUERY})
        unknown = client.post("/v1/agents/nope/runs", json={"query": QUERY})
        spec = client.post("/v1/agents/exec:true/runs", json={"input": "x"})
        bad_json = client.post("/v1/agents/support/runs", content=b"{not json")
    assert missing.status_code == 422
    locs = [e["loc"] for e in missing.json()["detail"]]
    assert ["body", "query"] in locs and ["body", "question"] in locs
    assert unknown.status_code == 404 and "nope" in unknown.json()["detail"]
    assert spec.status_code == 404  # a target spec in a URL never runs
    assert bad_json.status_code == 422


def test_probes_and_metrics(settings: Settings) -> None:
    with _client(settings) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready", ready.text
        for _ in range(3):
            client.post("/v1/agents/support/runs", json={"query": QUERY})
        client.post("/v1/agents/support/runs", json={"query": "I want to talk to a lawyer, this is fraud"})
        client.post("/v1/agents/support/runs", json={"query": ""})
        text = client.get("/metrics")
    assert text.headers["content-type"].startswith("text/plain")
    body = text.text
    assert 'agent_requests_total{agent="support",status="200"} 4.0' in body
    assert 'agent_requests_total{agent="support",status="422"} 1.0' in body
    assert 'agent_errors_total{agent="support",error_type="BadInput"} 1.0' in body
    assert 'agent_request_duration_seconds_count{agent="support"} 5.0' in body
    assert 'agent_confidence_score_count{agent="support"} 4.0' in body
    assert "agent_cost_usd_total" in body
    rate = next(line for line in body.splitlines() if line.startswith("support_automation_rate "))
    assert 0.0 <= float(rate.split()[1]) <= 1.0
    assert "agent_llm_breaker_state" in body and "agent_cache_requests" in body


def test_readyz_is_503_until_warm(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as client:
        app.state.serve.readiness.warmed = False
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "not_ready"
    assert "loading" in answer.json()["reasons"][0]


def test_api_keys_rate_limit_quota_and_body_limit(support_model_cache: Path, tmp_path: Path) -> None:
    settings = _settings(
        support_model_cache,
        tmp_path / "home",
        **{
            "serve.api_keys": {"ops": key_digest("k-ops-1234567"), "ci": key_digest("k-ci-7654321")},
            "serve.rate_limit_per_minute": 2,
            "serve.max_body_bytes": 256,
        },
    )
    ops = {"Authorization": "Bearer k-ops-1234567"}
    with _client(settings) as client:
        # The window is a fixed minute: a test that crossed a minute boundary under load saw its
        # third request allowed (CI, stop 29). The middle of one minute, held still:
        client.app.state.serve.limiter._clock = lambda: 1_000 * 60 + 30.0
        assert client.post("/v1/agents/support/runs", json={"query": QUERY}).status_code == 401
        wrong = client.post(
            "/v1/agents/support/runs", json={"query": QUERY}, headers={"Authorization": "Bearer no"}
        )
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert client.get("/v1/agents").status_code == 401
        assert client.post("/v1/agents/support/runs", json={"query": QUERY}, headers=ops).status_code == 200
        listed = client.get("/v1/agents", headers=ops)
        assert listed.status_code == 200 and "support" in {a["name"] for a in listed.json()}
        limited = client.post("/v1/agents/support/runs", json={"query": QUERY}, headers=ops)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        other = client.post(
            "/v1/agents/support/runs", json={"query": QUERY}, headers={"Authorization": "Bearer k-ci-7654321"}
        )
        assert other.status_code == 200  # limits are per key
        big = client.post(
            "/v1/agents/support/runs",
            json={"query": "x" * 1000},
            headers={"Authorization": "Bearer k-ci-7654321"},
        )
        assert big.status_code == 413
        assert client.get("/healthz").status_code == 200  # probes need no key
    audit = [json.loads(line) for line in (tmp_path / "home" / "audit.jsonl").read_text().splitlines()]
    assert {row["key_id"] for row in audit} == {"ops", "ci"}
    assert all({"time", "agent", "status", "latency_ms"} <= set(row) for row in audit)
    text = (tmp_path / "home" / "audit.jsonl").read_text()
    assert "charged twice" not in text and "k-ops-1234567" not in text


def test_daily_quota(support_model_cache: Path, tmp_path: Path) -> None:
    settings = _settings(
        support_model_cache, tmp_path / "home", **{"serve.rate_limit_per_minute": 0, "serve.daily_quota": 1}
    )
    with _client(settings) as client:
        assert client.post("/v1/agents/support/runs", json={"query": QUERY}).status_code == 200
        over = client.post("/v1/agents/support/runs", json={"query": QUERY})
    assert over.status_code == 429 and "daily quota" in over.json()["detail"]
    assert int(over.headers["retry-after"]) > 60


def test_stream_sends_nodes_then_the_run(settings: Settings) -> None:
    with (
        _client(settings) as client,
        client.stream("POST", "/v1/agents/support/runs/stream", json={"query": QUERY}) as answer,
    ):
        assert answer.headers["content-type"].startswith("text/event-stream")
        text = "".join(answer.iter_text())
    events = [block.split("\n", 1) for block in text.strip().split("\n\n")]
    names = [head.removeprefix("event: ") for head, _ in events]
    assert names[-1] == "result"
    nodes = [
        json.loads(data.removeprefix("data: "))["node"] for head, data in events if head == "event: node"
    ]
    assert nodes[0] == "guard" and len(nodes) >= 4
    result = json.loads(events[-1][1].removeprefix("data: "))
    assert result["agent"] == "support" and result["intent"]


def test_stream_reports_errors(settings: Settings) -> None:
    with _client(settings) as client:
        text = client.post("/v1/agents/support/runs/stream", json={"query": ""}).text
    assert "event: error" in text and '"status": 422' in text


def test_hitl_pause_and_resume_with_sqlite(settings: Settings) -> None:
    with _client(settings) as client:
        paused = client.post("/v1/agents/support/runs?hitl=true", json={"query": QUERY})
        assert paused.status_code == 200, paused.text
        thread = paused.json()["thread_id"]
        assert paused.json()["status"] == "pending_review"
        done = client.post(f"/v1/threads/{thread}/resume", json={"action": "rewrite", "text": "Refunded."})
        again = client.post(f"/v1/threads/{thread}/resume", json={"action": "approve"})
        missing = client.post("/v1/threads/nope/resume", json={"action": "approve"})
        empty = client.post(f"/v1/threads/{thread}/resume", json={"action": "rewrite", "text": " "})
        not_support = client.post("/v1/agents/document/runs?hitl=true", json={"path": "x.txt"})
    assert done.status_code == 200 and done.json()["answer"] == "Refunded."
    assert again.status_code == 409
    assert missing.status_code == 404
    assert empty.status_code == 422
    assert not_support.status_code == 422


def test_postgres_down_gives_503_on_hitl_only(support_model_cache: Path, tmp_path: Path) -> None:
    settings = _settings(
        support_model_cache, tmp_path / "home", postgres_url="postgresql://nobody@127.0.0.1:9/none"
    )
    with _client(settings) as client:
        hitl = client.post("/v1/agents/support/runs?hitl=true", json={"query": QUERY})
        plain = client.post("/v1/agents/support/runs", json={"query": QUERY})
        ready = client.get("/readyz").json()
    assert hitl.status_code == 503 and "Postgres" in hitl.json()["detail"]
    assert plain.status_code == 200
    assert ready["status"] == "degraded" and "postgres" in ready["checks"]


def test_redis_down_falls_back_locally(support_model_cache: Path, tmp_path: Path) -> None:
    from agentops_cli import shared_state

    shared_state.reset()
    settings = _settings(
        support_model_cache,
        tmp_path / "home",
        redis_url="redis://127.0.0.1:9/0",
        **{"cache.backend": "redis", "serve.rate_limit_per_minute": 3},
    )
    with _client(settings) as client:
        codes = [client.post("/v1/agents/support/runs", json={"query": QUERY}).status_code for _ in range(4)]
        ready = client.get("/readyz").json()
    assert codes == [200, 200, 200, 429]  # limits still apply, counted locally
    assert ready["status"] == "degraded" and ready["checks"]["redis"].startswith("redis unreachable")
    shared_state.reset()


def test_openapi_lists_the_routes(settings: Settings) -> None:
    with _client(settings) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/agents/{name}/runs", "/v1/threads/{thread_id}/resume", "/healthz", "/readyz"} <= set(paths)


class _FullDisk:
    """A metric whose every write fails, as a worker's memory-mapped file does on a full disk."""

    def labels(self, *_: str) -> _FullDisk:
        return self

    def inc(self, *_: float) -> None:
        raise OSError(28, "No space left on device")


def test_a_failing_metrics_write_keeps_the_answer_and_the_audit_line(settings: Settings) -> None:
    app = create_app(settings)
    app.state.serve.metrics.requests = _FullDisk()
    with TestClient(app) as client:
        served = client.post("/v1/agents/support/runs", json={"query": QUERY})
        refused = client.post("/v1/agents/support/runs", json={"query": ""})
    assert served.status_code == 200, served.text
    assert refused.status_code == 422
    audit = [json.loads(line) for line in (settings.resolved_home() / "audit.jsonl").read_text().splitlines()]
    assert [row["status"] for row in audit] == [200, 422]
    assert audit[0]["run_id"] == served.json()["run_id"]
