"""``agentops eval --shard I/N`` + ``agentops eval merge`` through the real CLI on the golden sets.

What a CI matrix does: N processes each run one shard, a merge job joins the run folders.
The merged run must give the unsharded run's per-example results, metrics and gates
(run ids and timing aside), and the same exit status and reports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

from tests.conftest import run_cli
from tests.contract import EVAL_KEYS

TIMING_METRICS = {"latency_p50_ms", "latency_p95_ms"}
PER_RUN = {"run_id", "run_dir", "started_at", "duration_s", "examples_per_s", "reports", "merged_from"}


def _results(run_dir: Path) -> list[dict]:
    rows = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    for row in rows:
        row.pop("latency_ms")  # timing
        index = (row["output"] or {}).get("corpus_index")
        if index:  # whether the research corpus index came from the disk cache: warm or cold, not a result
            index.pop("cached")
    return sorted(rows, key=lambda r: r["key"])


def _comparable(doc: dict) -> dict:
    doc = {k: v for k, v in doc.items() if k not in PER_RUN and k != "latency_ms"}
    doc["metrics"] = {k: v for k, v in doc["metrics"].items() if k not in TIMING_METRICS}
    doc["metrics_interval"] = {k: v for k, v in doc["metrics_interval"].items() if k not in TIMING_METRICS}
    return doc


def test_three_shards_merged_equal_the_unsharded_golden_run(tmp_path: Path) -> None:
    runs_dir = Path(os.environ["AGENTOPS_RUNS_DIR"])
    whole = run_cli(
        "eval", "--dataset", "golden", "--json", "--junit", str(tmp_path / "whole.xml"), cwd=tmp_path
    )
    assert whole.code == 0, whole.stderr
    # the three shards run side by side, each in its own runs folder, as CI jobs do
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "agentops_cli",
                "eval",
                "--dataset",
                "golden",
                "--shard",
                f"{i}/3",
                "--json",
            ],
            cwd=tmp_path,
            env={**os.environ, "AGENTOPS_RUNS_DIR": str(tmp_path / f"job{i}")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in (1, 2, 3)
    ]
    shards = []
    for i, proc in enumerate(procs, start=1):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        doc = json.loads(out)
        assert doc["shard"] == f"{i}/3" and doc["gates"] == [] and 0 < doc["n"] < whole.json()["n"]
        shards.append(doc)
    assert sum(s["n"] for s in shards) == whole.json()["n"]
    merged = run_cli(
        "eval", "merge", *[s["run_dir"] for s in shards], "--json",
        "--junit", str(tmp_path / "merged.xml"), "--html", str(tmp_path / "merged.html"),
        cwd=tmp_path,
    )  # fmt: skip
    assert merged.code == 0, merged.stderr
    a, b = whole.json(), merged.json()
    assert set(b) >= EVAL_KEYS and b["merged_from"] == [s["run_id"] for s in shards]
    assert b["run_id"] not in {a["run_id"], *b["merged_from"]}
    assert _results(runs_dir / a["run_id"]) == _results(runs_dir / b["run_id"])
    assert _comparable(a) == _comparable(b)
    assert [g["metric"] for g in b["gates"]] == [g["metric"] for g in a["gates"]] and b["passed"]
    junit_a = ElementTree.parse(tmp_path / "whole.xml").getroot()
    junit_b = ElementTree.parse(tmp_path / "merged.xml").getroot()
    for attr in ("tests", "failures", "skipped"):
        assert junit_a.get(attr) == junit_b.get(attr)
    assert (tmp_path / "merged.html").read_text().startswith("<!DOCTYPE html>")
    # a gate the merged run misses fails the merge job, as it fails the eval
    strict = run_cli(
        "eval", "merge", *[s["run_dir"] for s in shards], "--fail-under", "pass_rate=0.999", cwd=tmp_path
    )
    assert "merged from" in strict.stdout and all(run in strict.stdout for run in b["merged_from"])
    assert strict.code == 1 and strict.stderr.strip().splitlines()[-1].startswith(
        "error: gates failed: pass_rate"
    )


def test_merge_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        "".join(
            json.dumps({"id": f"r{i}", "agent": "support", "input": f"refund please {i}"}) + "\n"
            for i in range(6)
        )
    )
    one = run_cli("eval", "--dataset", str(rows), "--shard", "1/2", cwd=tmp_path)
    assert one.code == 0, one.stderr
    assert "shard 1/2 · not gated: join the shards with agentops eval merge RUN..." in one.stdout
    assert "✓ gate" not in one.stdout
    (run_id,) = [r["run_id"] for r in run_cli("eval", "list", "--json", cwd=tmp_path).json()["runs"]]
    missing = run_cli("eval", "merge", run_id, cwd=tmp_path)
    assert missing.code == 2
    assert missing.stderr.strip().splitlines() == [
        f"error: eval merge: missing shard 2/2 of run {run_id}'s eval: merge every shard"
    ]
    bad = run_cli("eval", "--dataset", str(rows), "--shard", "3/2", cwd=tmp_path)
    assert (
        bad.code == 2 and bad.stderr.strip().splitlines()[-1] == "error: --shard 3/2: need 1 ≤ I ≤ N ≤ 1000"
    )
    gated = run_cli(
        "eval", "--dataset", str(rows), "--shard", "1/2", "--fail-under", "pass_rate=0.5", cwd=tmp_path
    )
    assert gated.code == 2 and "eval merge" in gated.stderr.strip().splitlines()[-1]
