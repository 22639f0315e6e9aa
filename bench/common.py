"""Shared bits of the benchmarks: where results go, machine facts, timing a command."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
SHARED = REPO.parent / "shared"
CLINC = SHARED / "datasets" / "clinc150" / "data_full.json"


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, indent=2) + "\n")
    return path


def time_command(
    argv: list[str], runs: int, env: dict[str, str] | None = None, cwd: Path | None = None
) -> dict[str, float]:
    """Median and spread of wall time over ``runs`` runs (first run discarded as warm-up)."""
    full_env = {**os.environ, **(env or {})}
    subprocess.run(argv, env=full_env, cwd=cwd, capture_output=True, check=False)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(argv, env=full_env, cwd=cwd, capture_output=True, check=False)
        samples.append(time.perf_counter() - started)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{argv} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "max_s": max(samples),
        "runs": runs,
    }


def agentops_argv(*args: str) -> list[str]:
    """The installed console script, as a user runs it."""
    script = Path(sys.executable).parent / "agentops"
    return [str(script), *args]
