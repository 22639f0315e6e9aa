"""``/metrics``: one process keeps its exposition; the workers of ``--workers N`` add up.

The one-process test lists every family the dashboards and the contract rely on (name, type,
label names). The shared-files tests start real processes (prometheus_client chooses its
multiprocess mode when it is imported, so not in this one): each records what a worker
records, and a separate scrape must see the sums.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from tests.fakes.fixtures import openai_settings
from tests.fakes.openai_server import FakeOpenAIServer

fastapi = pytest.importorskip("fastapi", reason="fastapi not installed")
from fastapi.testclient import TestClient  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

from agentops_cli.serving.app import create_app  # noqa: E402
from agentops_cli.serving.metrics import (  # noqa: E402
    MULTIPROC_ENV,
    forget_worker,
    sweep_orphaned_dirs,
    workers_metrics_dir,
)

QUERY = "I was charged twice for my order"

# family -> (type, {sample name: label names}); what `agentops serve` with one worker exposes
# once an LLM-backed support run and a refused one have been served.
ONE_PROCESS_EXPOSITION = {
    "agent_requests": ("counter", {"agent_requests_total": ("agent", "status")}),
    "agent_requests_created": ("gauge", {"agent_requests_created": ("agent", "status")}),
    "agent_request_duration_seconds": (
        "histogram",
        {
            "agent_request_duration_seconds_bucket": ("agent", "le"),
            "agent_request_duration_seconds_count": ("agent",),
            "agent_request_duration_seconds_sum": ("agent",),
        },
    ),
    "agent_request_duration_seconds_created": (
        "gauge",
        {"agent_request_duration_seconds_created": ("agent",)},
    ),
    "agent_cost_usd": ("counter", {"agent_cost_usd_total": ("agent",)}),
    "agent_cost_usd_created": ("gauge", {"agent_cost_usd_created": ("agent",)}),
    "agent_errors": ("counter", {"agent_errors_total": ("agent", "error_type")}),
    "agent_errors_created": ("gauge", {"agent_errors_created": ("agent", "error_type")}),
    "agent_degraded_runs": ("counter", {}),
    "support_automation_rate": ("gauge", {"support_automation_rate": ()}),
    "agent_confidence_score": (
        "histogram",
        {
            "agent_confidence_score_bucket": ("agent", "le"),
            "agent_confidence_score_count": ("agent",),
            "agent_confidence_score_sum": ("agent",),
        },
    ),
    "agent_confidence_score_created": ("gauge", {"agent_confidence_score_created": ("agent",)}),
    "agent_rate_limited": ("counter", {}),
    "agent_llm_breaker_state": ("gauge", {"agent_llm_breaker_state": ("endpoint", "model")}),
    "agent_cache_requests": ("counter", {"agent_cache_requests_total": ("backend", "result")}),
}


def _shape(text: str) -> dict[str, tuple[str, dict[str, tuple[str, ...]]]]:
    return {
        family.name: (family.type, {s.name: tuple(sorted(s.labels)) for s in family.samples})
        for family in text_string_to_metric_families(text)
    }


def test_one_process_exposition_is_unchanged(
    fake_openai: FakeOpenAIServer, support_model_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    # A copy of the session's model cache: this run's cached LLM answers (the fake server's default
    # reply) must not reach other tests that ask the same query of the same server.
    cache = tmp_path / "cache"
    shutil.copytree(support_model_cache, cache)
    settings = openai_settings(fake_openai, {"cache_dir": str(cache), "home": str(tmp_path)})
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/agents/support/runs", json={"query": QUERY}).status_code == 200
        assert client.post("/v1/agents/support/runs", json={"query": ""}).status_code == 422
        text = client.get("/metrics").text
    assert _shape(text) == ONE_PROCESS_EXPOSITION
    assert "# HELP support_automation_rate Share of support queries answered without a human" in text


def test_the_workers_directory_is_private_fresh_and_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MULTIPROC_ENV, "/somewhere/a/user/set")
    with workers_metrics_dir() as folder:
        assert os.environ[MULTIPROC_ENV] == folder != "/somewhere/a/user/set"
        assert os.listdir(folder) == [] and os.stat(folder).st_mode & 0o777 == 0o700
        Path(folder, "counter_1.db").write_bytes(b"x")
    assert not Path(folder).exists()
    assert os.environ[MULTIPROC_ENV] == "/somewhere/a/user/set"  # the caller's environment back


# One "worker": what a worker of `serve --workers N` records, then it exits (its files stay).
WORKER = """
import json, os, sys
from agentops_cli.config import load_settings
from agentops_cli.llm.cache import PROCESS_COUNTS
from agentops_cli.llm.resilience import breaker_for
from agentops_cli.serving.metrics import ServeMetrics

escalations, open_breaker = json.loads(sys.argv[1]), sys.argv[2] == "open"
policy = load_settings(None, {}, dotenv_path=None).settings.resilience
breaker = breaker_for("http://127.0.0.1:9/v1", "gpt-x", policy)
for _ in range(policy.breaker_failures if open_breaker else 0):
    breaker.record_failure()
metrics = ServeMetrics.for_this_process()
for escalate in escalations:
    PROCESS_COUNTS.add("disk", hit=escalate)
    metrics.observe_run("support", {"escalate": escalate, "confidence": 0.8, "cost_usd": 0.5}, 0.02)
metrics.observe_failure("support", 422, "BadInput", 0.001)
metrics.observe_failure("support", 422, "BadInput", 0.001)
print(os.getpid())
"""
SCRAPE = (  # a scrape answered by another process again
    "from agentops_cli.serving.metrics import ServeMetrics; "
    "print(ServeMetrics.for_this_process().exposition().decode())"
)


def _python(code: str, folder: str, *args: str) -> str:
    env = {**os.environ, MULTIPROC_ENV: folder}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_workers_files_add_up_and_an_exited_worker_leaves_its_live_gauges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = str(tmp_path / "metrics")
    os.mkdir(folder)
    first = int(_python(WORKER, folder, json.dumps([False, False, True]), "closed"))
    second = int(_python(WORKER, folder, json.dumps([False, True]), "open"))
    seen = _samples(_python(SCRAPE, folder))
    support = (("agent", "support"),)
    assert seen[("agent_requests_total", (("agent", "support"), ("status", "200")))] == 5
    assert seen[("agent_requests_total", (("agent", "support"), ("status", "422")))] == 4
    assert seen[("agent_errors_total", (("agent", "support"), ("error_type", "BadInput")))] == 4
    assert seen[("agent_request_duration_seconds_count", support)] == 9
    assert seen[("agent_confidence_score_count", support)] == 5
    assert seen[("agent_cost_usd_total", support)] == pytest.approx(2.5)
    assert seen[("support_automation_rate", ())] == pytest.approx(3 / 5)  # not either worker's 2/3 or 1/2
    cache = {key[1]: value for key, value in seen.items() if key[0] == "agent_cache_requests_total"}
    assert cache == {
        (("backend", "disk"), ("result", "hit")): 2,
        (("backend", "disk"), ("result", "miss")): 3,
    }
    breaker = (("endpoint", "http://127.0.0.1:9/v1"), ("model", "gpt-x"))
    assert seen[("agent_llm_breaker_state", breaker)] == 2  # the worst live state: one worker's is open
    assert not any(
        name.startswith("agent_support_queries") for name, _ in seen
    )  # the rate's inputs stay inside

    forget_worker(second, folder)
    after = _samples(_python(SCRAPE, folder))
    assert after[("agent_llm_breaker_state", breaker)] == 0  # the other worker's closed one
    forget_worker(first, folder)
    after = _samples(_python(SCRAPE, folder))
    assert ("agent_llm_breaker_state", breaker) not in after
    assert {k: v for k, v in after.items() if k[0] != "agent_llm_breaker_state"} == {
        k: v for k, v in seen.items() if k[0] != "agent_llm_breaker_state"
    }  # counters and histograms of exited workers stay in the totals


def test_forget_worker_touches_only_this_serves_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "gauge_livemax_42.db"
    elsewhere.write_bytes(b"")
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))  # set by someone else: not this serve's
    forget_worker(42)  # no serve in this process: no directory to look in
    assert elsewhere.exists()
    with workers_metrics_dir() as folder:
        live = Path(folder, "gauge_livemax_42.db")
        live.write_bytes(b"")
        forget_worker(None)  # a worker that never started has no pid
        assert live.exists()
        forget_worker(42)
        assert not live.exists() and elsewhere.exists()


# -- the review of the shared files (findings 3-7) ----------------------------------------------------

ONE_WORKER_FAMILIES = [  # (name, type) in the one-process order: what any scrape declares
    (name, kind) for name, (kind, _) in ONE_PROCESS_EXPOSITION.items() if not name.endswith("_created")
]


def _families(text: str) -> list[tuple[str, str]]:
    return [(family.name, family.type) for family in text_string_to_metric_families(text)]


def test_a_fresh_workers_scrape_declares_every_family_in_the_one_process_order(tmp_path: Path) -> None:
    """Before any run (and with only a refusal recorded), HELP and TYPE of every family."""
    folder = str(tmp_path)
    fresh = _python(SCRAPE, folder)
    assert _families(fresh) == ONE_WORKER_FAMILIES
    assert "# HELP agent_degraded_runs_total Runs answered by the offline engine" in fresh
    refusal = (
        "from agentops_cli.serving.metrics import ServeMetrics; "
        "ServeMetrics.for_this_process().observe_limited('rate')"
    )
    _python(refusal, folder)
    seen = _python(SCRAPE, folder)
    assert _families(seen) == ONE_WORKER_FAMILIES
    assert _samples(seen)[("agent_rate_limited_total", (("reason", "rate"),))] == 1


def test_a_file_a_worker_is_still_creating_is_left_out_of_the_scrape(tmp_path: Path) -> None:
    folder = str(tmp_path)
    _python(WORKER, folder, json.dumps([False]), "closed")
    (tmp_path / "counter_999999.db").write_bytes(b"")  # created, header not yet written
    (tmp_path / "histogram_999998.db").write_bytes(b"\0\0")
    seen = _samples(_python(SCRAPE, folder))
    assert seen[("agent_requests_total", (("agent", "support"), ("status", "200")))] == 1


def test_a_variable_set_after_prometheus_client_chose_memory_is_not_trusted(tmp_path: Path) -> None:
    """A process that imported prometheus_client first: its metrics are in memory, so its scrape
    must show them, not the (empty) directory named later."""
    code = f"""
import os, prometheus_client
from agentops_cli.serving.metrics import ServeMetrics
os.environ["{MULTIPROC_ENV}"] = {str(tmp_path)!r}
metrics = ServeMetrics.for_this_process()
metrics.observe_run("support", {{"escalate": False, "confidence": 0.9}}, 0.01)
print(metrics.exposition().decode())
"""
    env = {k: v for k, v in os.environ.items() if k != MULTIPROC_ENV}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = _samples(done.stdout)
    assert seen[("agent_requests_total", (("agent", "support"), ("status", "200")))] == 1
    assert seen[("support_automation_rate", ())] == 1.0
    assert os.listdir(tmp_path) == []


def test_files_chosen_for_a_variable_since_removed_fall_back_to_memory(tmp_path: Path) -> None:
    """prometheus_client imported in file mode, then the variable removed (the one-worker serve
    of the past): metrics are kept in memory instead of failing on their first file."""
    code = """
import os, prometheus_client
del os.environ["prometheus_multiproc_dir"]
from agentops_cli.serving.metrics import ServeMetrics
metrics = ServeMetrics.for_this_process()
metrics.observe_run("support", {"escalate": True, "confidence": 0.9}, 0.01)
print(metrics.exposition().decode())
"""
    env = {**os.environ, "prometheus_multiproc_dir": str(tmp_path)}  # the deprecated name too
    env.pop(MULTIPROC_ENV, None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _samples(done.stdout)[("support_automation_rate", ())] == 0.0
    assert 'agent_requests_total{agent="support",status="200"} 1.0' in done.stdout


def test_a_metrics_file_error_is_logged_and_the_run_is_not_failed(tmp_path: Path) -> None:
    """The workers' directory removed under a worker: recording fails, the caller never sees it."""
    code = """
import os, shutil
from agentops_cli.serving.metrics import ServeMetrics
metrics = ServeMetrics.for_this_process()
shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"])
metrics.observe_run("support", {"escalate": False, "confidence": 0.9}, 0.01)
metrics.observe_failure("support", 422, "BadInput", 0.01)
metrics.observe_limited("rate")
print("answered")
"""
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, MULTIPROC_ENV: str(folder)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "answered", done.stderr
    assert "metrics: recording a run of support failed: FileNotFoundError" in done.stderr
    assert "metrics: recording a failed run of support failed" in done.stderr
    assert "metrics: recording a refusal failed" in done.stderr


def test_the_publisher_thread_outlives_a_failing_publish(monkeypatch: pytest.MonkeyPatch) -> None:
    from prometheus_client import CollectorRegistry

    from agentops_cli.serving import metrics as serve_metrics

    publisher = serve_metrics._Publisher(CollectorRegistry())
    calls: list[int] = []
    published = threading.Event()

    def publish() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        published.set()

    monkeypatch.setattr(publisher, "publish", publish)
    thread = publisher.every(0.01)
    assert published.wait(timeout=30), "the loop stopped after the first failure"
    assert thread.is_alive() and len(calls) >= 2


def test_a_killed_serves_directory_is_swept_by_the_next(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f"agentops-metrics-{dead.pid}-abc"
    live = tmp_path / f"agentops-metrics-{os.getpid()}-def"
    not_ours = tmp_path / f"other-metrics-{dead.pid}-x"
    unnamed = tmp_path / "agentops-metrics-notapid"
    plain_file = tmp_path / f"agentops-metrics-{dead.pid}-file"
    for folder in (orphan, live, not_ours, unnamed):
        folder.mkdir()
        (folder / "counter_1.db").write_bytes(b"x")
    plain_file.write_bytes(b"x")
    assert sweep_orphaned_dirs(str(tmp_path)) == [str(orphan)]
    assert not orphan.exists() and live.exists() and not_ours.exists() and unnamed.exists()
    assert plain_file.exists()


def test_the_serve_directory_is_named_after_its_serve(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f"agentops-metrics-{dead.pid}-abc"
    orphan.mkdir()
    with workers_metrics_dir() as folder:
        assert Path(folder).name.startswith(f"agentops-metrics-{os.getpid()}-")
        assert not orphan.exists()  # the killed serve's, swept at start


INSTRUMENTED_AGENT = """
import json, sys
from prometheus_client import Counter
Counter("user_agent_calls_total", "a user agent's own metric").inc()
json.dump({"output": json.load(sys.stdin)}, sys.stdout)
"""


def test_an_exec_agent_run_by_a_worker_adds_no_file_and_no_series(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's environment names the shared directory; the agents it starts must not write
    their own metrics there (foreign series on /metrics, and one more file per run)."""
    from agentops_cli.agents import registry
    from agentops_cli.agents.runner import run_agent
    from agentops_cli.config import AgentEntry, Settings

    folder = tmp_path / "metrics"
    folder.mkdir()
    script = tmp_path / "agent.py"
    script.write_text(INSTRUMENTED_AGENT)
    monkeypatch.setenv(MULTIPROC_ENV, str(folder))
    entry = AgentEntry(target=f"exec:{sys.executable} {script}", output="output")
    agent = registry.get_agent("instrumented", Settings(), spec=entry)
    run = run_agent(agent, "hello", Settings(), log=False)
    assert run["output"] == "hello"
    assert os.listdir(folder) == []
    assert not any(name.startswith("user_agent_calls") for name, _ in _samples(_python(SCRAPE, str(folder))))
