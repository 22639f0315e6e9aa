"""What ``/metrics`` bookkeeping costs a request and a scrape: one process vs ``--workers N``.

    nice -n 10 .venv/bin/python bench/bench_serve_metrics.py   → bench/results/serve_metrics.json

CPU time (``time.process_time``, median of 5 repeats) of ``ServeMetrics.observe_run`` (once
per run) and of ``exposition()`` (once per scrape), each in a fresh process: prometheus_client
picks its multiprocess mode when imported. ``--workers N`` runs with the files of N workers
present (each recorded runs for 3 agents, then exited, as a replaced worker leaves its files):
a scrape reads every file, so its cost grows with the workers a serve has had. CPU, not wall
time: the shared machine's load barely moves it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_result

WORKER_FILES = (2, 8, 32)

MEASURE = """
import json, statistics, time
from agentops_cli.serving.metrics import ServeMetrics
metrics = ServeMetrics.for_this_process()
run = {"escalate": False, "confidence": 0.8, "cost_usd": 0.001, "degraded": False}
agents = ("support", "research", "document")
observe, scrape = [], []
for _ in range(5):
    started = time.process_time()
    for i in range(20000):
        metrics.observe_run(agents[i % 3], run, 0.01)
    observe.append((time.process_time() - started) / 20000 * 1e6)
    started = time.process_time()
    for _ in range(100):
        metrics.exposition()
    scrape.append((time.process_time() - started) / 100 * 1e6)
print(json.dumps({"observe_run_cpu_us": round(statistics.median(observe), 1),
                  "scrape_cpu_us": round(statistics.median(scrape), 1)}))
"""

RECORD = """
from agentops_cli.serving.metrics import ServeMetrics
metrics = ServeMetrics.for_this_process()
for agent in ("support", "research", "document"):
    metrics.observe_run(agent, {"escalate": True, "confidence": 0.7, "cost_usd": 0.001}, 0.02)
    metrics.observe_failure(agent, 422, "BadInput", 0.001)
"""


def _python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=600
    )
    return done.stdout


def measure() -> dict[str, Any]:
    one = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    data: dict[str, Any] = {"one_process": json.loads(_python(MEASURE, one))}
    for files in WORKER_FILES:
        with tempfile.TemporaryDirectory(prefix="bench-metrics-") as folder:
            shared = {**one, "PROMETHEUS_MULTIPROC_DIR": folder}
            for _ in range(files - 1):  # the measuring process is the last worker
                _python(RECORD, shared)
            data[f"workers_{files}"] = json.loads(_python(MEASURE, shared))
    return data


def _row(mode: str, figures: dict[str, float]) -> str:
    return f"| {mode} | {figures['observe_run_cpu_us']} µs | {figures['scrape_cpu_us']} µs |"


def section(data: dict[str, Any] | None) -> list[str]:
    """The docs/benchmarks.md section (``run_all.py`` renders it from serve_metrics.json)."""
    lines = ["## agentops serve: metrics bookkeeping", ""]
    if not data:
        return [*lines, "_Not measured yet._ (`.venv/bin/python bench/bench_serve_metrics.py`)", ""]
    lines += [
        "`nice -n 10 .venv/bin/python bench/bench_serve_metrics.py` → `bench/results/serve_metrics.json`: "
        "CPU µs (process time, median of 5) of recording one run and of one `/metrics` scrape. "
        "`--workers N` keeps every worker's values in shared files, and a scrape merges the files of "
        "every worker the serve has had (a replaced worker's stay, so totals never drop).",
        "",
        "| mode | record a run | one scrape |",
        "|---|---|---|",
        _row("one process", data["one_process"]),
    ]
    for files in WORKER_FILES:
        row = data.get(f"workers_{files}")
        if row:
            lines.append(_row(f"`--workers`, files of {files} workers", row))
    return [*lines, ""]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    data = measure()
    write_result("serve_metrics", data)
    print(json.dumps(data, indent=2))
    return data


if __name__ == "__main__":
    main()
