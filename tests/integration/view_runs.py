"""Real eval runs for the viewer tests: ``agentops eval`` over a small mixed dataset, twice.

Run A is support (with one input carrying ``<script>``), two documents and two research
questions; run B is the same rows with one expectation changed, so one example really
regresses from A to B. Nothing is hand-written into ``results.jsonl``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.conftest import REPO

if TYPE_CHECKING:
    from agentops_cli.viewer.service import Viewer

GOLDEN = REPO / "datasets" / "golden"
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> I was charged twice'
REGRESSED = "sup-billing-001#0"


@dataclass
class Runs:
    root: Path
    cache: Path
    env: dict[str, str]
    a: str
    b: str
    failed_a: frozenset[str]  # run A's failing example keys, as its results.jsonl says

    @property
    def pass_rate_a(self) -> float:
        """Run A's pass rate (13 examples, no errors): what its run page must show."""
        return round((13 - len(self.failed_a)) / 13, 4)


def _rows(change_expectation: bool) -> list[dict]:
    support = [json.loads(line) for line in (GOLDEN / "support.jsonl").open(encoding="utf-8")][:8]
    support.append(
        {
            "id": "sup-xss",
            "agent": "support",
            "input": XSS,
            "expected": {"intent": "billing"},
            "tags": ["xss"],
        }
    )
    if change_expectation:
        support[0] = {**support[0], "expected": {**support[0]["expected"], "intent": "shipping"}}
    docs = [json.loads(line) for line in (GOLDEN / "document.jsonl").open(encoding="utf-8")][:2]
    research = [json.loads(line) for line in (GOLDEN / "research.jsonl").open(encoding="utf-8")][:2]
    return support + docs + research


def make_runs(base: Path) -> Runs:
    data = base / "data"
    (data / "documents").mkdir(parents=True)
    for row in _rows(False):
        if row["agent"] == "document":
            shutil.copy(GOLDEN / row["input"], data / row["input"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENTOPS_", "OPENAI_"))}
    env.update(
        AGENTOPS_RUNS_DIR=str(base / "runs"),
        AGENTOPS_CACHE_DIR=str(base / "cache"),
        AGENTOPS_HOME=str(base / "home"),
    )
    ids = []
    for name, changed in (("a.jsonl", False), ("b.jsonl", True)):
        path = data / name
        path.write_text("".join(json.dumps(r) + "\n" for r in _rows(changed)), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "agentops_cli", "-q", "eval", "--dataset", str(path), "--json"],
            cwd=data,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode in (0, 1), proc.stderr
        ids.append(json.loads(proc.stdout)["run_id"])
    results = [json.loads(line) for line in (base / "runs" / ids[0] / "results.jsonl").open(encoding="utf-8")]
    failed = frozenset(
        r["key"] for r in results if "key" in r and r.get("passed") is False and not r.get("error")
    )
    # The viewer tests filter on these; which examples fail is the agents' business, not theirs.
    assert "sup-billing-005#0" in failed and REGRESSED not in failed, sorted(failed)
    return Runs(base / "runs", base / "cache" / "view", env, ids[0], ids[1], failed)


def big_run(runs: Runs, dest: Path, n: int, name: str = "big") -> str:
    """A run of ``n`` lines made from run A's real result lines under new keys, with no summary.

    Without ``summary.json`` (a killed eval) every page that shows its figures folds all ``n``
    lines first: the slow request the concurrency test keeps in flight.
    """
    lines = [json.loads(line) for line in (runs.root / runs.a / "results.jsonl").open(encoding="utf-8")]
    folder = dest / name
    folder.mkdir(parents=True)
    meta = json.loads((runs.root / runs.a / "meta.json").read_text(encoding="utf-8"))
    (folder / "meta.json").write_text(json.dumps({**meta, "run_id": name}), encoding="utf-8")
    with (folder / "results.jsonl").open("w", encoding="utf-8") as out:
        for i in range(n):
            row = lines[i % len(lines)]
            out.write(json.dumps({**row, "id": f"big-{i:06d}", "key": f"big-{i:06d}#0"}) + "\n")
    return name


@contextmanager
def serving(viewer: Viewer) -> Iterator[str]:
    """``create_app(viewer)`` under a real uvicorn on a free loopback port; yields its URL."""
    import uvicorn

    from agentops_cli.viewer.app import create_app
    from agentops_cli.viewer.server import bind, url_of

    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(viewer), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
