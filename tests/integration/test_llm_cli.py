"""``agentops cache stats|clear|path`` through the real CLI, plus the run log."""

from __future__ import annotations

import json
import time
from pathlib import Path

from agentops_cli.config import load_settings
from agentops_cli.llm.cache import CachedAnswer, ResponseCache
from agentops_cli.llm.usage import Usage
from agentops_cli.observability.runlog import find_run, read_runs, record_run, runlog_path
from tests.conftest import run_cli


def fill_cache(n: int) -> None:
    cache = ResponseCache.from_settings(load_settings(None, dotenv_path=None).settings)
    for i in range(n):
        cache.put(
            f"k{i}",
            CachedAnswer(answer={"i": i}, usage=Usage(), model="m", schema_name="S", created=time.time()),
        )
    cache.close()


def test_cache_path_stats_clear(isolated: Path) -> None:
    where = run_cli("cache", "path")
    assert where.code == 0 and where.stdout.strip() == str(isolated / "cache" / "responses")

    fill_cache(3)
    stats = run_cli("cache", "stats", "--json")
    assert stats.code == 0, stats.stderr
    data = stats.json()
    assert data["entries"] == 3 and data["size_bytes"] > 0
    assert data["path"] == str(isolated / "cache" / "responses")

    cleared = run_cli("cache", "clear", "--json")
    assert cleared.code == 0 and cleared.json() == {"path": data["path"], "removed": 3}
    assert run_cli("cache", "stats", "--json").json()["entries"] == 0

    human = run_cli("cache", "stats")
    assert "entries  0" in human.stdout and "ttl 604800 s" in human.stdout


def test_cache_commands_stay_light() -> None:
    """``cache`` must not pay for langchain/openai imports (a second each)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from agentops_cli.cli.app import main\n"
        "try:\n    main(['cache', 'path', '--json'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('langchain_core', 'langchain_openai', 'openai', 'langgraph', 'sklearn')"
        " if m in sys.modules]\n"
        "sys.stderr.write('HEAVY=' + ','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert json.loads(proc.stdout)["path"].endswith("responses")
    assert "HEAVY=" in proc.stderr and proc.stderr.rsplit("HEAVY=", 1)[1].strip() == ""


def test_run_log_records_errors_and_reads_back() -> None:
    settings = load_settings(None, dotenv_path=None).settings
    record_run(settings, {"agent": "support", "run_id": "r1", "degraded": False}, "q1")
    record_run(settings, {"agent": "support", "run_id": "r2"}, "q2", error="LLM down")
    with runlog_path(settings).open("a") as handle:
        handle.write('{"torn": ')  # a crash mid-line must not break reading
    runs = read_runs(settings)
    assert [r["run_id"] for r in runs] == ["r1", "r2"]
    assert runs[0]["error"] is None and runs[1]["error"] == "LLM down"
    assert len(runs[0]["input_sha256"]) == 64
    assert find_run(settings, "r1")["agent"] == "support"
    assert find_run(settings, "last")["run_id"] == "r2"
    assert find_run(settings, "nope") is None
    assert read_runs(settings, limit=1)[0]["run_id"] == "r2"
