"""The ``serve`` lines of the CLI contract, against a real ``agentops serve`` process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from agentops_cli.serving.server import WORKER_READY_TIMEOUT_S
from agentops_cli.serving.workers import reuseport_supported
from tests.conftest import SHARED, needs_shared, run_cli
from tests.fakes.fixtures import openai_env
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.serve_process import ServeProcess, connection_workers, free_port, worker_pids

httpx = pytest.importorskip("httpx")

QUERY = "I was charged twice for my order"
VARY = ("run_id", "latency_ms")
# How long a test waits on workers: each may take WORKER_READY_TIMEOUT_S to warm up (the
# supervisor warms a replacement before it looks at the next worker), with room for a busy CI.
WORKERS_TIMEOUT_S = 2 * WORKER_READY_TIMEOUT_S + 60


def test_serve_contract(tmp_path: Path, support_model_cache: Path) -> None:
    from agentops_cli.serving.security import key_digest

    cache = tmp_path / "cache"
    shutil.copytree(support_model_cache, cache)
    env = {
        "AGENTOPS_CACHE_DIR": str(cache),
        "AGENTOPS_HOME": str(tmp_path / "home"),
        "AGENTOPS_SERVE__API_KEYS": json.dumps({"contract": key_digest("k-contract-42")}),
        "AGENTOPS_SERVE__RATE_LIMIT_PER_MINUTE": "3",
    }
    server = ServeProcess(env, tmp_path)
    try:
        server.wait_ready()
        assert httpx.get(f"{server.url}/healthz").status_code == 200
        assert httpx.get(f"{server.url}/readyz").status_code == 200
        metrics = httpx.get(f"{server.url}/metrics")
        assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
        auth = {"Authorization": "Bearer k-contract-42"}
        url = f"{server.url}/v1/agents/support/runs"
        assert httpx.post(url, json={"query": QUERY}).status_code == 401
        served = httpx.post(url, json={"query": QUERY}, headers=auth, timeout=60)
        assert served.status_code == 200, served.text
        httpx.post(url, json={"query": QUERY}, headers=auth, timeout=60)
        httpx.post(url, json={"query": QUERY}, headers=auth, timeout=60)
        limited = httpx.post(url, json={"query": QUERY}, headers=auth, timeout=60)
        assert limited.status_code == 429 and "retry-after" in limited.headers
    finally:
        server.stop()
    cli = run_cli("run", "support", QUERY, "--json", env={k: v for k, v in env.items() if "SERVE" not in k})
    assert cli.code == 0, cli.stderr
    stable = {k: v for k, v in served.json().items() if k not in VARY}
    assert stable == {k: v for k, v in cli.json().items() if k not in VARY}


def _offline_env(tmp_path: Path, model_cache: Path) -> dict[str, str]:
    """Offline support runs, home in ``tmp_path``, on a copy of the session's trained intent model."""
    cache = tmp_path / "cache"
    shutil.copytree(model_cache, cache)
    home = tmp_path / "home"
    return {"AGENTOPS_CACHE_DIR": str(cache), "AGENTOPS_HOME": str(home), "AGENTOPS_LLM__PROVIDER": "offline"}


INSTRUMENTED_AGENT = """
import json, sys
from prometheus_client import Counter
Counter("user_agent_calls_total", "a user agent's own metric").inc()
json.dump({"output": json.load(sys.stdin)}, sys.stdout)
"""


def test_one_worker_keeps_its_metrics_in_memory_whatever_the_environment_says(
    tmp_path: Path, support_model_cache: Path
) -> None:
    """``PROMETHEUS_MULTIPROC_DIR`` set by the caller (the deprecated lower-case name too):
    ``serve`` with one worker starts, counts in memory, writes nothing there, nor do its agents."""
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    agent = tmp_path / "instrumented.py"
    agent.write_text(INSTRUMENTED_AGENT)
    (tmp_path / "agentops.yaml").write_text(
        f"agents:\n  instrumented:\n    target: 'exec:{sys.executable} {agent}'\n    output: output\n"
    )
    env = {
        **_offline_env(tmp_path, support_model_cache),
        "PROMETHEUS_MULTIPROC_DIR": str(foreign),
        "prometheus_multiproc_dir": str(foreign),
    }
    server = ServeProcess(env, tmp_path)
    try:
        server.wait_ready()
        support = httpx.post(f"{server.url}/v1/agents/support/runs", json={"query": QUERY}, timeout=60)
        assert support.status_code == 200, support.text
        user = httpx.post(f"{server.url}/v1/agents/instrumented/runs", json={"input": "hi"}, timeout=60)
        assert user.status_code == 200 and user.json()["output"] == {"input": "hi"}, user.text
        metrics = httpx.get(f"{server.url}/metrics").text
    finally:
        server.stop()
    assert 'agent_requests_total{agent="support",status="200"} 1.0' in metrics
    assert 'agent_requests_total{agent="instrumented",status="200"} 1.0' in metrics
    assert "agent_requests_created" in metrics  # the one-process exposition, not the files'
    assert "user_agent_calls" not in metrics
    assert os.listdir(foreign) == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads worker processes from /proc")
@pytest.mark.skipif(not reuseport_supported(), reason="the spread needs Linux's SO_REUSEPORT balancing")
def test_serve_with_two_workers(tmp_path: Path, support_model_cache: Path) -> None:
    """``--workers 2``: two worker processes answer concurrent runs; their audit lines never
    interleave (each is one O_APPEND write to the shared file)."""
    from concurrent.futures import ThreadPoolExecutor

    home = tmp_path / "home"
    server = ServeProcess(_offline_env(tmp_path, support_model_cache), tmp_path, workers=2)
    try:
        server.wait_ready(timeout=WORKERS_TIMEOUT_S)
        _wait_until_all_accept(server, 2)  # /readyz answers as soon as one worker serves
        assert len(worker_pids(server.proc.pid)) == 2
        url = f"{server.url}/v1/agents/support/runs"
        with httpx.Client(timeout=WORKER_READY_TIMEOUT_S) as client, ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda i: client.post(url, json={"query": f"{QUERY} #{i}"}), range(40)))
        held = _keep_alive_spread(server, connections=32)
    finally:
        server.stop()
    # Each worker listens on its own SO_REUSEPORT socket, so the kernel spreads connections by
    # hash; one shared socket let one worker take 31 of 32 (docs/deploy.md). At least 4 of 32
    # on each fails by chance with a probability of about 2e-6.
    assert len(held) == 2 and min(held.values()) >= 4, held
    assert [a.status_code for a in answers] == [200] * 40
    assert {a.json()["intent"] for a in answers} == {answers[0].json()["intent"]}
    lines = (home / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    audited = [json.loads(line) for line in lines]
    assert len(audited) == 40 and {entry["status"] for entry in audited} == {200}


def _keep_alive_spread(server: ServeProcess, connections: int) -> Counter[int]:
    """How many of ``connections`` open keep-alive connections each worker pid holds."""
    import http.client

    # A connection hashed to a dead worker's socket waits in its queue for the replacement's warm-up.
    opened = [
        http.client.HTTPConnection("127.0.0.1", server.port, timeout=WORKERS_TIMEOUT_S)
        for _ in range(connections)
    ]
    try:
        for connection in opened:
            connection.request("GET", "/healthz")
            assert connection.getresponse().read() == b'{"status":"ok"}'
        return Counter(connection_workers(server.proc.pid, server.port).values())
    finally:
        for connection in opened:
            connection.close()


def test_two_workers_refuse_a_busy_port(tmp_path: Path) -> None:
    """A port something listens on is refused (exit 3, one line), never joined: a port shared
    by SO_REUSEPORT would otherwise split the traffic between two services."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), "--workers", "2", env={"AGENTOPS_HOME": str(tmp_path)})
    assert result.code == 3, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_workers_that_fail_to_start_are_a_runtime_failure(tmp_path: Path) -> None:
    """Workers whose app cannot be built stop the service with exit 3 and one error line, not 0.

    The real CLI, with the app's import path pointing nowhere: every worker fails the same way.
    """
    import subprocess
    import sys

    script = (
        "import sys; import agentops_cli.serving.server as server; "
        "server.FACTORY = 'agentops_no_such_module:app'; "
        f"sys.argv = ['agentops', 'serve', '--port', '{free_port()}', '--workers', '2']; "
        "from agentops_cli.__main__ import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "AGENTOPS_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=WORKERS_TIMEOUT_S,
    )
    assert result.returncode == 3, result.stderr
    last_line = result.stderr.splitlines()[-1]
    assert last_line.endswith("failed to start (its error is logged above)"), result.stderr


DESIGN = SHARED / "DESIGN.md"


@needs_shared("DESIGN.md")
def test_design_serve_line_matches_the_cli_and_app() -> None:
    """Every flag and path on DESIGN.md's ``agentops serve`` line exists in the CLI and the app."""
    import re

    from agentops_cli.config import load_settings
    from agentops_cli.serving.app import create_app

    line = next(row for row in DESIGN.read_text().splitlines() if row.startswith("agentops serve"))
    flags = set(re.findall(r"--[a-z-]+", line))
    paths = set(re.findall(r"/[a-z0-9/{}]+", line))
    assert flags == {"--host", "--port", "--workers"} and {"/healthz", "/readyz", "/metrics"} <= paths
    help_text = run_cli("serve", "--help").stdout
    assert all(flag in help_text for flag in flags)
    app = create_app(load_settings(None, {}, dotenv_path=None).settings, warm=False)
    routes = set(app.openapi()["paths"])
    assert paths <= routes, paths - routes


def _wait_until_all_accept(server: ServeProcess, count: int, timeout: float = WORKERS_TIMEOUT_S) -> None:
    """Until ``count`` workers hold connections: each listens only once warm, so then each serves.

    ``8 × count`` connections per try all missing one worker by chance (p < 3e-3 for count ≤ 3)
    costs one more try, not a failure.
    """
    deadline = time.monotonic() + timeout
    while len(_keep_alive_spread(server, connections=8 * count)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {count} workers accepted connections")
        time.sleep(0.5)


def _wait_for_workers(
    server: ServeProcess, count: int, avoid: set[int], timeout: float = WORKERS_TIMEOUT_S
) -> list[int]:
    """The worker pids once there are ``count`` of them, none in ``avoid``, and all accept.

    The supervisor notices a dead worker within a health check (5 s per hung worker), then waits
    up to WORKER_READY_TIMEOUT_S for its replacement's warm-up.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = worker_pids(server.proc.pid)
        if len(workers) == count and not avoid & set(workers):
            _wait_until_all_accept(server, count, timeout=max(deadline - time.monotonic(), 1.0))
            return workers
        time.sleep(0.2)
    raise TimeoutError(f"wanted {count} workers without {avoid}, have {worker_pids(server.proc.pid)}")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads worker processes from /proc")
def test_worker_supervision_keeps_serving(tmp_path: Path, support_model_cache: Path) -> None:
    """``--workers 2`` with a socket per worker: a killed worker is replaced on its socket,
    SIGTTIN adds one, SIGTTOU removes one, SIGHUP replaces them all — and runs keep answering."""
    import signal

    server = ServeProcess(_offline_env(tmp_path, support_model_cache), tmp_path, workers=2)
    url = f"{server.url}/v1/agents/support/runs"

    def answers() -> list[int]:
        # a new connection for each: the kernel hashes them over every worker's socket
        return [
            httpx.post(url, json={"query": f"{QUERY} #{i}"}, timeout=WORKER_READY_TIMEOUT_S).status_code
            for i in range(12)
        ]

    try:
        server.wait_ready(timeout=WORKERS_TIMEOUT_S)
        _wait_until_all_accept(server, 2)  # /readyz answers as soon as one worker serves
        first = worker_pids(server.proc.pid)
        os.kill(first[0], signal.SIGKILL)
        after_kill = _wait_for_workers(server, 2, {first[0]})
        assert first[1] in after_kill and answers() == [200] * 12
        os.kill(server.proc.pid, signal.SIGTTIN)
        three = _wait_for_workers(server, 3, set())
        assert set(after_kill) < set(three) and answers() == [200] * 12
        os.kill(server.proc.pid, signal.SIGTTOU)
        two = _wait_for_workers(server, 2, set(three) - set(after_kill))
        assert answers() == [200] * 12
        os.kill(server.proc.pid, signal.SIGHUP)
        _wait_for_workers(server, 2, set(two))
        assert answers() == [200] * 12
    finally:
        server.stop()


# -- one /metrics for all workers -------------------------------------------------------------------


def _scrape(server: ServeProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """(sample name, labels) → value of one GET /metrics (a new connection: any worker answers)."""
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{server.url}/metrics", timeout=WORKERS_TIMEOUT_S).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _total(seen: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str) -> float:
    return sum(value for (sample, _), value in seen.items() if sample == name)


def _shared_metrics_dir(worker: int) -> Path:
    """The directory a worker's metrics live in, from its start-up environment (/proc)."""
    environ = Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")
    found = [entry.split(b"=", 1)[1] for entry in environ if entry.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
    assert found, "the worker was started without a shared metrics directory"
    return Path(found[0].decode())


def _eventually(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _requests_of(folder: Path, worker: int) -> float:
    """The runs one worker recorded, read from its own file."""
    from prometheus_client.multiprocess import MultiProcessCollector

    families = MultiProcessCollector.merge([str(folder / f"counter_{worker}.db")])
    return sum(s.value for f in families if f.name == "agent_requests" for s in f.samples)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads worker processes from /proc")
@pytest.mark.skipif(not reuseport_supported(), reason="the spread needs Linux's SO_REUSEPORT balancing")
def test_two_workers_expose_one_set_of_metrics(
    tmp_path: Path, support_model_cache: Path, _fake_openai_session: FakeOpenAIServer
) -> None:
    """``--workers 2``: every scrape, whichever worker answers it, reports all runs; a worker
    killed or removed (SIGTTOU) keeps its runs in the totals and leaves no live gauge."""
    import signal

    cache = tmp_path / "cache"
    shutil.copytree(support_model_cache, cache)
    env = {"AGENTOPS_CACHE_DIR": str(cache), "AGENTOPS_HOME": str(tmp_path / "home")}
    server = ServeProcess({**env, **openai_env(_fake_openai_session)}, tmp_path, workers=2)
    url = f"{server.url}/v1/agents/support/runs"
    runs = 24

    def run_all(count: int, tag: str) -> list[dict]:
        answers = [  # a new connection each: the kernel hashes them over both workers' sockets
            httpx.post(url, json={"query": f"{QUERY} ({tag} {i})"}, timeout=WORKERS_TIMEOUT_S)
            for i in range(count)
        ]
        assert [a.status_code for a in answers] == [200] * count, answers[-1].text
        return [a.json() for a in answers]

    try:
        server.wait_ready(timeout=WORKERS_TIMEOUT_S)
        _wait_until_all_accept(server, 2)
        workers = worker_pids(server.proc.pid)
        folder = _shared_metrics_dir(workers[0])
        answered = run_all(runs, "first")
        per_worker = {pid: _requests_of(folder, pid) for pid in workers}
        assert min(per_worker.values()) > 0 and sum(per_worker.values()) == runs, per_worker
        automated = sum(1 for run in answered if not run["escalate"]) / runs
        scrapes = [_scrape(server) for _ in range(6)]
        for seen in scrapes:
            assert _total(seen, "agent_requests_total") == runs
            assert _total(seen, "agent_request_duration_seconds_count") == runs
            assert _total(seen, "agent_confidence_score_count") == runs
            assert seen[("support_automation_rate", ())] == pytest.approx(automated)
            breakers = [v for (name, _), v in seen.items() if name == "agent_llm_breaker_state"]
            assert breakers and set(breakers) == {0.0}  # closed, one series per endpoint and model
        assert all((folder / f"gauge_livemax_{pid}.db").exists() for pid in workers)

        os.kill(workers[0], signal.SIGKILL)
        replaced = _wait_for_workers(server, 2, {workers[0]})
        assert not (folder / f"gauge_livemax_{workers[0]}.db").exists()  # its breakers are gone
        assert (folder / f"counter_{workers[0]}.db").exists()  # its runs are not
        assert _total(_scrape(server), "agent_requests_total") == runs

        os.kill(server.proc.pid, signal.SIGTTOU)
        (left,) = _wait_for_workers(server, 1, set())
        (removed,) = set(replaced) - {left}
        # The worker leaves /proc's list as it exits; the supervisor drops its gauges once it has
        # reaped it, a moment later on a loaded machine.
        assert _eventually(lambda: not (folder / f"gauge_livemax_{removed}.db").exists())
        run_all(6, "after")
        seen = _scrape(server)
        assert _total(seen, "agent_requests_total") == runs + 6
        assert _total(seen, "agent_request_duration_seconds_count") == runs + 6
    finally:
        server.stop()
    assert not folder.exists()  # the serve's private directory goes with it
