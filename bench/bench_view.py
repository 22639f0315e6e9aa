"""``agentops view`` on generated 1k and 100k-example runs: first byte and a usable examples page.

The runs are made from the result lines of a real ``agentops eval --dataset golden --agent
support`` run, repeated under new keys until there are N lines (so every line is a real
agent's output). ``agentops view --port 0 --no-open`` serves them as a user runs it, with an
empty cache; times are over real HTTP from this process, and next to each wall time is the
CPU time the server process spent on it (``/proc/PID/stat``, 10 ms ticks), since wall times
on a shared machine mostly measure the neighbours.

Rows: "cold" is the first request to a run whose index does not exist yet (the examples page,
then the run page); "index ready" is the time from that first request until the examples page
stops saying "indexing…" (polled every 0.2 s), with the server's CPU over that span; "warm" is
the median of later requests. Memory: the server's RSS at the end and its peak.

    nice -n 10 .venv/bin/python bench/bench_view.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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


TICKS = os.sysconf("SC_CLK_TCK")


def _server_cpu(pid: int) -> float:
    """CPU seconds (user + system) the server process has used so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _timed(client: httpx.Client, url: str, pid: int) -> tuple[float, float, float, str]:
    """(time to first byte, time to the whole page, server CPU, body) in seconds."""
    cpu = _server_cpu(pid)
    started = time.perf_counter()
    chunks = []
    with client.stream("GET", url) as response:
        first = None
        for chunk in response.iter_bytes():
            if first is None:
                first = time.perf_counter() - started
            chunks.append(chunk)
        response.raise_for_status()
    total = time.perf_counter() - started
    return first or 0.0, total, _server_cpu(pid) - cpu, b"".join(chunks).decode()


def _median(samples: list[tuple[float, float, float, str]], at: int) -> float:
    return round(statistics.median(s[at] for s in samples), 4)


def _until_ready(
    client: httpx.Client, page: str, started: float, cpu: float, pid: int
) -> tuple[float, float]:
    """Poll the examples page until it stops saying "indexing…": (seconds, server CPU) since then."""
    while 'id="indexing"' in client.get(page).text:
        time.sleep(0.2)
    return time.perf_counter() - started, _server_cpu(pid) - cpu


def _memory_mb(pid: int) -> dict[str, float]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            found[line.split(":")[0]] = round(int(line.split()[1]) / 1024, 1)
    return {"rss_mb": found.get("VmRSS", 0.0), "peak_rss_mb": found.get("VmHWM", 0.0)}


def _while_in_flight(url: str, slow: str, fast: str, rounds: int = 3) -> dict[str, object]:
    """A small page asked for while a slow one (a big Compare) is being built, ``rounds`` times.

    The pages are served from a thread pool, so the small page should not wait for the slow
    one: reports the small page's median time, the slow page's, and in how many rounds the
    small page was answered first (the slow request gets a 0.1 s head start each time).
    """
    fast_s, slow_s, first = [], [], 0
    for _ in range(rounds):
        finished: list[str] = []

        def get_slow(finished: list[str]) -> None:
            started = time.perf_counter()
            httpx.get(url.rstrip("/") + slow, timeout=300).raise_for_status()
            slow_s.append(time.perf_counter() - started)
            finished.append("slow")

        thread = threading.Thread(target=get_slow, args=(finished,))
        thread.start()
        time.sleep(0.1)
        started = time.perf_counter()
        httpx.get(url.rstrip("/") + fast, timeout=300).raise_for_status()
        fast_s.append(time.perf_counter() - started)
        first += not finished
        thread.join()
    return {
        "slow": slow,
        "fast": fast,
        "fast_page_s": round(statistics.median(fast_s), 4),
        "slow_page_s": round(statistics.median(slow_s), 4),
        "fast_answered_first": f"{first}/{rounds}",
    }


INTRO = (
    "`agentops view` on generated runs (real result lines of a golden support eval, repeated under "
    "new keys), empty cache, over real HTTP. Wall time, then the server process's CPU time in "
    "brackets (10 ms ticks): on a shared machine the CPU time is the figure to compare. Before the "
    "index exists the first examples page is read from `results.jsonl` in file order, with an "
    '"indexing… N rows" notice.'
)
ROWS = (
    ("cold examples page (no index yet)", "cold_first_page"),
    ("cold run page (index building)", "cold_run_page"),
    ("time until the index is ready", "index_ready"),
    ("warm examples page", "warm_page"),
    ("filtered + sorted page", "filtered_sorted_page"),
    ("last page", "last_page"),
    ("example page (last example)", "example_page"),
    ("run page", "run_page"),
)


def summary(data: dict | None) -> list[str]:
    """The viewer's row in the Summary table of docs/benchmarks.md."""
    if not data:
        return []
    big = data["sizes"][str(SIZES[-1])]
    ok = "✅ met" if data["meets_target"] and data.get("opens_under_1s") else "❌ missed"
    return [
        f"| `agentops view` 100k run: cold / warm first page | {big['cold_first_page_s'] * 1000:.0f} ms / "
        f"{big['warm_page_s'] * 1000:.0f} ms | ≤ {TARGET_S * 1000:.0f} ms | {ok} |"
    ]


def section(data: dict | None) -> list[str]:
    """The ``agentops view`` section of docs/benchmarks.md."""
    lines = ["## Results viewer (`agentops view`, issue 16)", ""]
    if not data:
        return [*lines, "_Not measured yet (run `nice -n 10 .venv/bin/python bench/bench_view.py`)._", ""]
    sizes = list(data["sizes"])
    lines += [
        f"`{data.get('rerun', 'bench/bench_view.py')}` → `bench/results/view.json`: " + INTRO,
        "",
        "| measure | " + " | ".join(f"{int(n):,} examples" for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for label, key in ROWS:
        cells = []
        for n in sizes:
            row = data["sizes"][n]
            wall, cpu = row.get(f"{key}_s"), row.get(f"{key}_cpu_s")
            cells.append("–" if wall is None else f"{wall * 1000:,.0f} ms ({cpu * 1000:,.0f} ms CPU)")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    compare = data.get("compare")
    if compare:
        lines.append(
            f"| compare page ({compare['runs']}) | {compare['page_s'] * 1000:,.0f} ms "
            f"({compare['page_cpu_s'] * 1000:,.0f} ms CPU) | |"
        )
    during = data.get("during_compare")
    if during:
        first = during["fast_answered_first"]
        lines.append(
            f"| a small page while that compare is in flight (answered first {first}) "
            f"| {during['fast_page_s'] * 1000:,.0f} ms (compare: {during['slow_page_s'] * 1000:,.0f} ms) | |"
        )
    memory = data.get("server_memory", {})
    lines += [
        "",
        f"Server memory at the end: RSS {memory.get('rss_mb')} MB, peak {memory.get('peak_rss_mb')} MB. "
        f"Target: first page of the largest run ≤ {TARGET_S * 1000:.0f} ms cold and warm — "
        f"{'met' if data['meets_target'] else 'missed'}; opens (cold examples and run pages) under 1 s — "
        f"{'met' if data.get('opens_under_1s') else 'missed'}.",
        "",
    ]
    return lines


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
            pid = proc.pid
            with httpx.Client(base_url=url, timeout=120) as client:
                _timed(client, "/", pid)
                for n, run_id in ids.items():
                    page = f"/runs/{run_id}/examples"
                    cpu0, started = _server_cpu(pid), time.perf_counter()
                    cold = _timed(client, page, pid)
                    cold_run = _timed(client, f"/runs/{run_id}", pid)
                    ready_s, ready_cpu = _until_ready(client, page, started, cpu0, pid)
                    warm = [_timed(client, page, pid) for _ in range(7)]
                    query = f"{page}?status=fail&q=charged&sort=latency&desc=1"
                    filtered = [_timed(client, query, pid) for _ in range(5)]
                    last = [_timed(client, f"{page}?page={max(1, n // 50)}", pid) for _ in range(5)]
                    last_example = f"/runs/{run_id}/example?key=ex-{n - 1:06d}%230"
                    example = [_timed(client, last_example, pid) for _ in range(5)]
                    run_page = [_timed(client, f"/runs/{run_id}", pid) for _ in range(3)]
                    results[str(n)] = {
                        "cold_first_page_s": round(cold[1], 3),
                        "cold_first_page_cpu_s": round(cold[2], 3),
                        "cold_first_page_streamed": 'id="indexing"' in cold[3],
                        "cold_run_page_s": round(cold_run[1], 3),
                        "cold_run_page_cpu_s": round(cold_run[2], 3),
                        "index_ready_s": round(ready_s, 2),
                        "index_ready_cpu_s": round(ready_cpu, 2),
                        "warm_ttfb_s": _median(warm, 0),
                        "warm_page_s": _median(warm, 1),
                        "warm_page_cpu_s": _median(warm, 2),
                        "filtered_sorted_page_s": _median(filtered, 1),
                        "filtered_sorted_page_cpu_s": _median(filtered, 2),
                        "last_page_s": _median(last, 1),
                        "last_page_cpu_s": _median(last, 2),
                        "example_page_s": _median(example, 1),
                        "example_page_cpu_s": _median(example, 2),
                        "run_page_s": _median(run_page, 1),
                        "run_page_cpu_s": _median(run_page, 2),
                    }
                small, big = ids[SIZES[0]], ids[SIZES[-1]]
                compare = [_timed(client, f"/compare?a={small}&b={big}", pid) for _ in range(3)]
                results["compare"] = {
                    "runs": f"{SIZES[0]:,} vs {SIZES[-1]:,} examples",
                    "page_s": _median(compare, 1),
                    "page_cpu_s": _median(compare, 2),
                }
                results["during_compare"] = _while_in_flight(
                    url, f"/compare?a={small}&b={big}", f"/runs/{small}/examples?page=2"
                )
            memory = _memory_mb(pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        data = {
            "command": "agentops view RUNS --port 0 --no-open; GET /runs/ID/examples over HTTP",
            "rerun": "nice -n 10 .venv/bin/python bench/bench_view.py",
            "sizes": {str(n): results[str(n)] for n in SIZES},
            "compare": results["compare"],
            "during_compare": results["during_compare"],
            "server_memory": memory,
            "target_s": TARGET_S,
            "meets_target": all(
                results[str(SIZES[-1])][row] <= TARGET_S for row in ("cold_first_page_s", "warm_page_s")
            ),
            "opens_under_1s": all(
                results[str(SIZES[-1])][row] < 1.0 for row in ("cold_first_page_s", "cold_run_page_s")
            ),
        }
        write_result("view", data)
        print(json.dumps(data, indent=2))
        return data
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
