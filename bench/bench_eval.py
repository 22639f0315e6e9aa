"""Eval throughput: offline on CLINC150, LLM-bound against a slow loopback server, warm cache, memory.

Targets (issue 10):
- offline: ``agentops eval`` of the support agent on CLINC150's 4,500 test rows ≥ 1,000 examples/s;
- LLM-bound: 1,000 rows at ``--concurrency 32`` against a server with 300 ms latency ≥ 90 % of ideal;
- warm cache: the same eval again makes 0 server requests and is ≥ 20× faster;
- memory: peak RSS of an offline eval over 100,000 generated rows ≤ 400 MB, flat as rows grow.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import CLINC, REPO, agentops_argv, write_result

sys.path.insert(0, str(REPO))
from tests.fakes.openai_server import FakeOpenAIServer


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def clinc_files(tmp: Path) -> tuple[Path, Path]:
    """A bare training JSONL (the pack) and a test dataset in eval's row format."""
    data = json.loads(CLINC.read_text())
    pack = _write_jsonl(tmp / "clinc_train.jsonl", [{"text": t, "intent": i} for t, i in data["train"]])
    test = _write_jsonl(
        tmp / "clinc_test.jsonl",
        [
            {"id": f"t{n}", "agent": "support", "input": t, "expected": {"intent": i}}
            for n, (t, i) in enumerate(data["test"])
        ],
    )
    return pack, test


def run_eval(args: list[str], env: dict[str, str], cwd: Path) -> tuple[dict, float, int]:
    """Run ``agentops eval ... --json``; return the summary, wall seconds and the child's peak RSS (KB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(
        agentops_argv("eval", *args, "--json", "-q"),
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"eval failed ({proc.returncode}): {proc.stderr[-800:]}")
    return json.loads(proc.stdout), elapsed, max(peak, before)


def peak_rss_kb(args: list[str], env: dict[str, str], cwd: Path) -> int:
    """Peak RSS of one child process, measured by GNU time's format (ru_maxrss is per-process max)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource,subprocess,sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
            *agentops_argv("eval", *args, "-q"),
        ],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout.strip().splitlines()[-1])


def offline_throughput(tmp: Path, env: dict[str, str]) -> dict:
    pack, test = clinc_files(tmp)
    # Warm the model cache once (training is measured by bench_clinc150, not here).
    run_eval(["--dataset", str(test), "--pack", str(pack), "--limit", "10"], env, tmp)
    summary, elapsed, _ = run_eval(
        ["--dataset", str(test), "--pack", str(pack), "--provider", "offline"], env, tmp
    )
    rate = summary["n"] / elapsed
    return {
        "rows": summary["n"],
        "wall_s": round(elapsed, 2),
        "examples_per_s": round(rate, 1),
        "target_examples_per_s": 1000,
        "meets_target": rate >= 1000,
        "intent_accuracy": summary["metrics"].get("intent_accuracy"),
    }


def llm_bound(tmp: Path, env: dict[str, str]) -> dict:
    rows = [
        {
            "id": f"q{n}",
            "agent": "support",
            "input": f"Order #{n}: I was charged twice, please help",
            "expected": {"intent": "billing"},
        }
        for n in range(1000)
    ]
    dataset = _write_jsonl(tmp / "llm_rows.jsonl", rows)
    with FakeOpenAIServer() as server:
        server.latency_s = 0.3
        llm_env = {
            **env,
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": "sk-bench-000000000000",
            "AGENTOPS_CACHE_DIR": str(tmp / "llm-cache"),
        }
        args = ["--dataset", str(dataset), "--provider", "openai", "--concurrency", "32"]
        cold, cold_s, _ = run_eval(args, llm_env, tmp)
        cold_requests = server.request_count
        calls_per_example = cold_requests / max(1, cold["n"])
        ideal = 32 / (0.3 * calls_per_example)
        rate = cold["n"] / cold_s
        warm, warm_s, _ = run_eval(args, llm_env, tmp)
        warm_requests = server.request_count - cold_requests
    return {
        "rows": cold["n"],
        "concurrency": 32,
        "latency_s": 0.3,
        "server_requests": cold_requests,
        "calls_per_example": round(calls_per_example, 2),
        "examples_per_s": round(rate, 2),
        "ideal_examples_per_s": round(ideal, 2),
        "ratio_to_ideal": round(rate / ideal, 3),
        "target_ratio": 0.9,
        "meets_target": rate / ideal >= 0.9,
        "errors": cold["errors"],
        "degraded_or_errors_warm": warm["errors"],
        "cache": {
            "warm_wall_s": round(warm_s, 2),
            "cold_wall_s": round(cold_s, 2),
            "server_requests_warm": warm_requests,
            "speedup": round(cold_s / warm_s, 1),
            "target_requests": 0,
            "target_speedup": 20,
            "meets_target": warm_requests == 0 and cold_s / warm_s >= 20,
        },
    }


def memory(tmp: Path, env: dict[str, str]) -> dict:
    data = json.loads(CLINC.read_text())
    texts = [t for t, _ in data["test"]]
    sizes = {}
    for n in (10_000, 100_000):
        path = tmp / f"gen_{n}.jsonl"
        with path.open("w") as fh:
            for i in range(n):
                fh.write(
                    json.dumps(
                        {
                            "id": f"g{i}",
                            "agent": "support",
                            "input": texts[i % len(texts)],
                            "expected": {"intent": "billing"},
                        }
                    )
                    + "\n"
                )
        kb = peak_rss_kb(["--dataset", str(path), "--provider", "offline"], env, tmp)
        sizes[n] = round(kb / 1024, 1)
    return {
        "peak_rss_mb": sizes,
        "target_mb": 400,
        "meets_target": sizes[100_000] <= 400,
        "growth_mb_10k_to_100k": round(sizes[100_000] - sizes[10_000], 1),
    }


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        env = {
            "AGENTOPS_HOME": str(tmp / "home"),
            "AGENTOPS_CACHE_DIR": str(tmp / "cache"),
            "AGENTOPS_RUNS_DIR": str(tmp / "runs"),
        }
        data = {
            "offline_clinc150": offline_throughput(tmp, env),
            "llm_bound": llm_bound(tmp, env),
            "memory": memory(tmp, env),
        }
    print(write_result("eval", data))
    return data


if __name__ == "__main__":
    main()
