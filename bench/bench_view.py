"""``agentops view`` on generated 1k and 100k-example runs: first byte and a usable examples page.

The runs are made from the result lines of a real ``agentops eval --dataset golden --agent
support`` run, repeated under new keys until there are N lines (so every line is a real
agent's output). ``agentops view --port 0 --no-open`` serves them as a user runs it; times are
over real HTTP from this process. "cold" is the first examples page (which builds the SQLite
index of results.jsonl); "warm" is the median of later requests (the index exists). Memory is
the server's RSS after every page was served.

    .venv/bin/python bench/bench_view.py
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import agentops_argv, child_env, write_result

SIZES = (1_000, 100_000)
TARGET_S = 0.300


def _seed_run(base: Path, env: dict[str, str]) -> Path:
    subprocess.run(
        agentops_argv("-q", "eval", "--dataset", "golden", "--agent", "support", "--limit", "50"),
        env=env,
        cwd=base,
        capture_output=True,
        check=False,
    )
    return next((base / "seed").iterdir())


def _generate(seed: Path, root: Path, n: int) -> str:
    lines = (seed / "results.jsonl").read_text(encoding="utf-8").splitlines()
    run_id = f"bench-{n}"
    folder = root / run_id
    folder.mkdir(parents=True)
    meta = json.loads((seed / "meta.json").read_text(encoding="utf-8"))
    (folder / "meta.json").write_text(json.dumps({**meta, "run_id": run_id}), encoding="utf-8")
    summary = json.loads((seed / "summary.json").read_text(encoding="utf-8"))
    (folder / "summary.json").write_text(json.dumps({**summary, "run_id": run_id, "n": n}), encoding="utf-8")
    with (folder / "results.jsonl").open("w", encoding="utf-8") as out:
        for i in range(n):
            row = json.loads(lines[i % len(lines)])
            row["id"] = f"ex-{i:06d}"
            row["key"] = f"ex-{i:06d}#0"
            out.write(json.dumps(row) + "\n")
    return run_id


def _timed(client: httpx.Client, url: str) -> tuple[float, float]:
    """(time to first byte, time to the whole page) in seconds."""
    started = time.perf_counter()
    with client.stream("GET", url) as response:
        first = None
        for _ in response.iter_bytes():
            if first is None:
                first = time.perf_counter() - started
        response.raise_for_status()
    return first or 0.0, time.perf_counter() - started


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main() -> dict:
    base = Path(tempfile.mkdtemp(prefix="bench-view-"))
    env = child_env(
        {
            "AGENTOPS_RUNS_DIR": str(base / "seed"),
            "AGENTOPS_CACHE_DIR": str(base / "cache"),
            "AGENTOPS_HOME": str(base / "home"),
        }
    )
    try:
        seed = _seed_run(base, env)
        root = base / "runs"
        ids = {n: _generate(seed, root, n) for n in SIZES}
        proc = subprocess.Popen(
            [*agentops_argv("view", str(root), "--port", "0", "--no-open")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            url = re.search(r"http://\S+/", proc.stdout.readline() if proc.stdout else "").group(0)  # type: ignore[union-attr]
            results: dict = {}
            with httpx.Client(base_url=url, timeout=120) as client:
                _timed(client, "/")
                for n, run_id in ids.items():
                    page = f"/runs/{run_id}/examples"
                    cold_first, cold_full = _timed(client, page)
                    warm = [_timed(client, page) for _ in range(7)]
                    filtered = [
                        _timed(client, f"{page}?status=fail&q=charged&sort=latency&desc=1") for _ in range(5)
                    ]
                    last = [_timed(client, f"{page}?page={max(1, n // 50)}") for _ in range(5)]
                    example = [
                        _timed(client, f"/runs/{run_id}/example?key=ex-{n - 1:06d}%230") for _ in range(5)
                    ]
                    results[str(n)] = {
                        "cold_index_build_page_s": round(cold_full, 3),
                        "cold_ttfb_s": round(cold_first, 3),
                        "warm_ttfb_s": round(statistics.median(w[0] for w in warm), 4),
                        "warm_page_s": round(statistics.median(w[1] for w in warm), 4),
                        "filtered_sorted_page_s": round(statistics.median(f[1] for f in filtered), 4),
                        "last_page_s": round(statistics.median(p[1] for p in last), 4),
                        "example_page_s": round(statistics.median(e[1] for e in example), 4),
                    }
            rss = _rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        data = {
            "command": "agentops view RUNS --port 0 --no-open; GET /runs/ID/examples over HTTP",
            "sizes": results,
            "server_rss_mb": rss,
            "target_s": TARGET_S,
            "meets_target": results[str(SIZES[-1])]["warm_page_s"] <= TARGET_S,
        }
        write_result("view", data)
        print(json.dumps(data, indent=2))
        return data
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
