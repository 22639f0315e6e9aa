"""The ``serve`` lines of the CLI contract, against a real ``agentops serve`` process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import SHARED, needs_shared, run_cli
from tests.integration.services import ServeProcess

httpx = pytest.importorskip("httpx")

QUERY = "I was charged twice for my order"
VARY = ("run_id", "latency_ms")


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


def _spawned_workers(pid: int) -> list[int]:
    """Live children of ``pid`` started by multiprocessing's spawn (uvicorn's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # not a process, or it exited meanwhile
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads worker processes from /proc")
def test_serve_with_two_workers(tmp_path: Path, support_model_cache: Path) -> None:
    """``--workers 2``: two worker processes answer concurrent runs; their audit lines never
    interleave (each is one O_APPEND write to the shared file)."""
    from concurrent.futures import ThreadPoolExecutor

    cache = tmp_path / "cache"
    shutil.copytree(support_model_cache, cache)
    home = tmp_path / "home"
    env = {"AGENTOPS_CACHE_DIR": str(cache), "AGENTOPS_HOME": str(home), "AGENTOPS_LLM__PROVIDER": "offline"}
    server = ServeProcess(env, tmp_path, workers=2)
    try:
        server.wait_ready()
        assert len(_spawned_workers(server.proc.pid)) == 2
        url = f"{server.url}/v1/agents/support/runs"
        with httpx.Client(timeout=60) as client, ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda i: client.post(url, json={"query": f"{QUERY} #{i}"}), range(40)))
    finally:
        server.stop()
    assert [a.status_code for a in answers] == [200] * 40
    assert {a.json()["intent"] for a in answers} == {answers[0].json()["intent"]}
    lines = (home / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    audited = [json.loads(line) for line in lines]
    assert len(audited) == 40 and {entry["status"] for entry in audited} == {200}


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
