"""Inspect AI on the same rows, the same loopback server and the same concurrency as bench_eval's
LLM-bound run — the peer for the side-by-side table.

Inspect is installed into its own venv (bench/.venv-inspect, gitignored) with a time limit; when
that fails (no network, a wheel missing for this Python) the result says "not measured" and why.

    .venv/bin/python bench/bench_inspect.py

Task: the first 1,000 CLINC150 test queries as samples (input = query, target = intent), the
``generate()`` solver and the ``match()`` scorer, model ``openai/gpt-4o-mini`` with its base URL
pointing at the loopback server (300 ms per request, in its own process), ``--max-connections 32``.
One request per sample, so the ideal is 32 / 0.3 s = 106.7 samples/s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BENCH_DIR, load_clinc, write_result
from llm_server import ServerProcess

VENV = BENCH_DIR / ".venv-inspect"
VERSION = "0.3.285"  # pinned: the peer figures say which Inspect they measured
INSTALL_TIMEOUT_S = 300
RUN_TIMEOUT_S = 180
LATENCY_S = 0.3
CONCURRENCY = 32
ROWS = 1000

# The Inspect task file, shared with bench_peers.py (which asks generate() to cache answers).
TASK = """
import json
from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.scorer import match
from inspect_ai.solver import generate


@task
def support_intents():
    with open({path!r}, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return Task(
        dataset=[Sample(input=r["input"], target=r["target"], id=r["id"]) for r in rows],
        solver=[generate({generate_args})],
        scorer=match(),
    )
"""


def inspect_bin() -> Path:
    return VENV / "bin" / "inspect"


def install() -> tuple[bool, str, float]:
    """Create the venv and ``pip install inspect-ai openai`` (bounded); (ok, reason, seconds)."""
    started = time.perf_counter()
    if inspect_bin().exists():
        return True, "already installed", 0.0
    try:
        venv = [sys.executable, "-m", "venv", str(VENV)]
        subprocess.run(venv, check=True, capture_output=True, timeout=120)
        proc = subprocess.run(
            [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", f"inspect-ai=={VERSION}", "openai"],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return False, f"pip install inspect-ai did not finish within {INSTALL_TIMEOUT_S} s", INSTALL_TIMEOUT_S
    except (OSError, subprocess.CalledProcessError) as exc:
        return False, f"could not create {VENV}: {exc}", time.perf_counter() - started
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or not inspect_bin().exists():
        tail = [ln for ln in proc.stderr.splitlines() if ln.strip() and not ln.startswith("WARNING")]
        return False, f"pip install inspect-ai failed: {(tail or ['unknown error'])[-1][:300]}", seconds
    return True, "installed", seconds


def version() -> str:
    proc = subprocess.run(
        [str(VENV / "bin" / "python"), "-c", "import inspect_ai; print(inspect_ai.__version__)"],
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip() or "unknown"


def run(tmp: Path) -> dict:
    data = load_clinc()
    rows = tmp / "inspect_rows.jsonl"
    with rows.open("w", encoding="utf-8") as fh:
        for n, (text, intent) in enumerate(data["test"][:ROWS]):
            fh.write(json.dumps({"id": f"q{n}", "input": text, "target": intent}) + "\n")
    task_file = tmp / "support_task.py"
    task_file.write_text(TASK.format(path=str(rows), generate_args=""), encoding="utf-8")
    with ServerProcess(LATENCY_S) as server:
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "OPENAI_API_KEY": "sk-bench-000000000000",
            "OPENAI_BASE_URL": server.base_url,
            "INSPECT_LOG_DIR": str(tmp / "inspect-logs"),
        }
        argv = [
            str(inspect_bin()), "eval", task_file.name, "--model", "openai/gpt-4o-mini",
            "--model-base-url", server.base_url, "--max-connections", str(CONCURRENCY),
            "--display", "none", "--log-dir", str(tmp / "inspect-logs"),
        ]  # fmt: skip
        started = time.perf_counter()
        proc = subprocess.run(argv, env=env, cwd=tmp, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        elapsed = time.perf_counter() - started
        requests = server.request_count()
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"inspect eval exited {proc.returncode}: {' | '.join(tail)[:400]}")
    ideal = CONCURRENCY / (LATENCY_S * max(1.0, requests / ROWS))
    rate = ROWS / elapsed
    return {
        "rows": ROWS,
        "server_requests": requests,
        "calls_per_example": round(requests / ROWS, 2),
        "wall_s": round(elapsed, 2),
        "examples_per_s": round(rate, 2),
        "ideal_examples_per_s": round(ideal, 2),
        "ratio_to_ideal": round(rate / ideal, 3),
    }


def main() -> dict:
    ok, reason, install_s = install()
    result: dict = {
        "command": "inspect eval support_task.py --model openai/gpt-4o-mini --model-base-url <loopback> "
        f"--max-connections {CONCURRENCY} --display none  (generate() + match(), {ROWS} CLINC150 rows, "
        f"server latency {LATENCY_S * 1000:.0f} ms in its own process)",
        "install": {"ok": ok, "detail": reason, "seconds": round(install_s, 1)},
    }
    if not ok:
        result.update(measured=False, reason=reason)
    else:
        result["inspect_ai_version"] = version()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                result.update(measured=True, **run(Path(tmp)))
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            result.update(measured=False, reason=str(exc)[:500])
    write_result("inspect", result)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
