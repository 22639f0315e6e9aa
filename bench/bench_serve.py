"""``agentops serve`` under load: an asyncio/httpx client against 127.0.0.1 only.

    .venv/bin/python bench/bench_serve.py [offline|offline2|offline2shared|llm|llm2|all]  (default: all)

offline  — the support agent on the offline engine, 32 concurrent clients, rate limits off:
           requests/s and latency percentiles (targets: ≥ 300 req/s, p95 ≤ 100 ms); one worker.
offline2 — the same with ``agentops serve --workers 2`` (a listening socket per worker).
offline2shared — the same app under uvicorn's own ``--workers 2`` (one shared socket), to
           compare: how the keep-alive connections spread over the workers, and the latency.
llm      — the support agent on the loopback LLM server (bench/llm_server.py, its own process,
           300 ms a call), response cache off, 64 concurrent clients: throughput against the
           ideal concurrency / (model calls per run × latency) (target ≥ 90 %).
llm2     — the same with ``agentops serve --workers 2``.

The server is a real ``agentops serve`` subprocess; the load client runs in this process.
Both share the machine's 2 cores, and wall-clock figures move with whatever else runs, so
every measure also records what load cannot distort much: the CPU the server's processes
spent per request (utime + stime of the process tree, from /proc), the client's CPU per
request, and the load average before and after — and, per worker process, the connections
it held (read from /proc/net/tcp and /proc/PID/fd while they are open), its requests, its
latency percentiles and its CPU per request.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.fakes: the serve helper

from tests.fakes.serve_process import ServeProcess, connection_workers, process_cpu_s, tree_cpu_s, tree_pids

from agentops_cli.serving.server import FACTORY
from common import RESULTS, agentops_argv, child_env, write_result
from llm_server import ServerProcess

QUERIES = [
    "I was charged twice for my order",
    "Where is my parcel? It has not arrived",
    "How do I reset my password?",
    "I want to cancel my subscription",
    "Can I change the delivery address?",
    "The product arrived broken, I want a refund",
    "Do you ship to Canada?",
    "I need to talk to a human now",
]


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Serve(ServeProcess):
    """The installed ``agentops`` console script, as a user runs it, rate limits off."""

    def __init__(self, env: dict[str, str], folder: Path, workers: int = 1) -> None:
        overrides = {
            "AGENTOPS_HOME": str(folder / "home"),
            "AGENTOPS_SERVE__RATE_LIMIT_PER_MINUTE": "0",
            **env,
        }
        super().__init__(overrides, folder, workers, command=agentops_argv(), base_env=child_env())

    def measured_load(self, concurrency: int, total: int, unique: bool) -> dict[str, Any]:
        """:func:`_load`, plus the CPU both sides spent per request and the load around it."""
        before_load = load_average()
        server_before, client_before = tree_cpu_s(self.proc.pid), time.process_time()
        pids = tree_pids(self.proc.pid)
        cpu_before = {pid: process_cpu_s(pid) for pid in pids}

        def locate() -> dict[int, int]:
            return connection_workers(self.proc.pid, self.port)

        result = asyncio.run(_load(self.url, concurrency, total, unique, locate=locate))
        server_cpu = tree_cpu_s(self.proc.pid) - server_before
        for pid, worker in result["per_worker"].items():
            if pid in cpu_before and worker["requests"]:
                spent = process_cpu_s(pid) - cpu_before[pid]
                worker["cpu_ms_per_request"] = round(spent * 1000 / worker["requests"], 2)
        result["per_worker"] = list(result["per_worker"].values())  # pids differ run to run
        client_cpu = time.process_time() - client_before
        result.update(
            server_cpu_ms_per_request=round(server_cpu * 1000 / total, 2),
            client_cpu_ms_per_request=round(client_cpu * 1000 / total, 2),
            load_average_before=before_load,
            load_average_after=load_average(),
        )
        return result


class SharedSocketServe(Serve):
    """The same app under uvicorn's own ``--workers`` (one listening socket all workers accept
    on): what ``agentops serve --workers N`` did before each worker had its own socket."""

    def argv(self, command: Sequence[str], workers: int) -> list[str]:
        uvicorn = Path(sys.executable).parent / "uvicorn"
        return [
            *(str(uvicorn), FACTORY, "--factory", "--host", "127.0.0.1", "--port", str(self.port)),
            *("--workers", str(workers), "--log-level", "warning", "--no-access-log"),
        ]


class KeepAliveConnection:
    """One HTTP/1.1 keep-alive connection speaking just what the bench sends and receives.

    The load generator shares the 2 cores with the server: httpx's client spends ~5 ms of CPU
    per request (about what the server does), so it would measure itself. This writes the
    request bytes and reads ``Content-Length`` bodies — ~0.1 ms a request.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> int:
        """Connect; the client-side port, which names this connection in /proc/net/tcp."""
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return int(self.writer.get_extra_info("sockname")[1])

    async def post_json(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
        }
        if "content-length" not in headers:
            raise RuntimeError(f"response without Content-Length: {headers}")
        payload = await self.reader.readexactly(int(headers["content-length"]))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _percentile(ordered: list[float], share: float) -> float:
    return round(ordered[int(share * (len(ordered) - 1))] * 1000, 1)


async def _load(
    url: str,
    concurrency: int,
    total: int,
    unique: bool,
    timeout_s: float = 600,
    locate: Callable[[], dict[int, int]] | None = None,
) -> dict[str, Any]:
    """``total`` requests over ``concurrency`` keep-alive connections, each sending its next
    request when its last answer arrived (closed loop).

    ``locate`` (client port → server pid) is called once every connection has finished, while
    they are all still open: the result then says how many connections and requests each worker
    process had, and the latency each one gave.
    """
    host, port = url.removeprefix("http://").split(":")
    by_connection: dict[int, list[float]] = {}
    statuses: dict[int, int] = {}
    llm_calls: list[int] = []
    counter = iter(range(total))

    async def worker(connection: KeepAliveConnection) -> None:
        latencies = by_connection.setdefault(await connection.open(), [])
        for i in counter:
            query = QUERIES[i % len(QUERIES)] + (f" (ticket {i})" if unique else "")
            body = json.dumps({"query": query}).encode()
            started = time.perf_counter()
            status, payload = await connection.post_json("/v1/agents/support/runs", body)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                llm_calls.append(int(json.loads(payload).get("llm_calls", 0)))

    connections = [KeepAliveConnection(host, int(port)) for _ in range(concurrency)]
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):  # bounded: a stuck server fails the bench, never hangs it
            await asyncio.gather(*(worker(connection) for connection in connections))
        elapsed = time.perf_counter() - started
        owners = locate() if locate else {}
    finally:
        for connection in connections:
            await connection.close()
    ordered = sorted(x for latencies in by_connection.values() for x in latencies)
    result: dict[str, Any] = {
        "requests": total,
        "concurrency": concurrency,
        "elapsed_s": round(elapsed, 3),
        "requests_per_s": round(total / elapsed, 1),
        "p50_ms": _percentile(ordered, 0.5),
        "p95_ms": _percentile(ordered, 0.95),
        "p99_ms": _percentile(ordered, 0.99),
        "max_ms": round(ordered[-1] * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "mean_llm_calls": round(statistics.mean(llm_calls), 3) if llm_calls else 0.0,
    }
    if locate:
        result["per_worker"] = _per_worker(by_connection, owners)
    return result


def _per_worker(by_connection: dict[int, list[float]], owners: dict[int, int]) -> dict[int, dict[str, Any]]:
    """Connections, requests and latency percentiles of each server process (by pid)."""
    grouped: dict[int, list[list[float]]] = {}
    for client_port, latencies in by_connection.items():
        grouped.setdefault(owners.get(client_port, 0), []).append(latencies)  # 0: not found in /proc
    summary = {}
    for pid, lists in sorted(grouped.items(), key=lambda item: -len(item[1])):
        ordered = sorted(x for latencies in lists for x in latencies)
        summary[pid] = {
            "connections": len(lists),
            "requests": len(ordered),
            "p50_ms": _percentile(ordered, 0.5),
            "p95_ms": _percentile(ordered, 0.95),
        }
    return summary


def bench_offline(tmp: Path, workers: int = 1, server_class: type[Serve] | None = None) -> dict[str, Any]:
    server = (server_class or Serve)({"AGENTOPS_LLM__PROVIDER": "offline"}, tmp, workers)
    try:
        server.wait_ready(timeout=300)
        asyncio.run(_load(server.url, 32, 200 * workers, unique=False))  # warm-up, not recorded
        result = server.measured_load(32, 3000, unique=True)
    finally:
        server.stop()
    result["workers"] = workers
    if workers > 1:
        shared = server_class is SharedSocketServe
        result["listening"] = "one shared socket" if shared else "a socket per worker"
    # What the server's CPU cost allows on a machine of its own: one core per worker at most.
    cores = min(workers, os.cpu_count() or 1)
    result["cpu_bound_requests_per_s"] = round(cores * 1000 / max(result["server_cpu_ms_per_request"], 1e-3))
    result["targets"] = {"requests_per_s": 300, "p95_ms": 100}
    result["meets"] = result["requests_per_s"] >= 300 and result["p95_ms"] <= 100
    return result


def bench_llm(tmp: Path, latency_s: float = 0.3, workers: int = 1) -> dict[str, Any]:
    with ServerProcess(latency_s) as llm:
        env = {
            "OPENAI_API_KEY": "sk-fake-bench-key-000000",
            "OPENAI_BASE_URL": llm.base_url,
            "AGENTOPS_CACHE__ENABLED": "false",
            "AGENTOPS_SERVE__MAX_CONCURRENCY": "64",
        }
        server = Serve(env, tmp, workers)
        try:
            server.wait_ready(timeout=300)
            asyncio.run(_load(server.url, 64, 64 * workers, unique=True))  # warm-up: clients, imports
            before, llm_cpu_before = llm.request_count(), tree_cpu_s(llm.proc.pid)
            result = server.measured_load(64, 640, unique=True)
            result["llm_requests"] = llm.request_count() - before
            # The loopback LLM server shares the 2 cores too: its CPU is part of the budget.
            result["llm_server_cpu_ms_per_request"] = round(
                (tree_cpu_s(llm.proc.pid) - llm_cpu_before) * 1000 / result["requests"], 2
            )
        finally:
            server.stop()
    calls = result["mean_llm_calls"] or 1.0
    ideal = 64 / (calls * latency_s)
    spent_ms = (
        result["server_cpu_ms_per_request"]
        + result["client_cpu_ms_per_request"]
        + result["llm_server_cpu_ms_per_request"]
    )
    result.update(
        workers=workers,
        latency_s=latency_s,
        ideal_requests_per_s=round(ideal, 1),
        share_of_ideal=round(result["requests_per_s"] / ideal, 3),
        target_share=0.9,
        # What the machine's cores allow when server, client and LLM server split them:
        cpu_bound_requests_per_s=round((os.cpu_count() or 1) * 1000 / max(spent_ms, 1e-3), 1),
    )
    result["meets"] = result["share_of_ideal"] >= 0.9
    return result


NOTE = (
    "Measured while other work shared the 2 cores (the load average of each measure is in its CPU "
    "row); the coordinator reruns it on an idle machine."
)


def _variants() -> dict[str, tuple[str, Callable[[Path], dict[str, Any]]]]:
    """Command-line name → (key in serve.json, measure)."""
    return {
        "offline": ("offline", bench_offline),
        "offline2": ("offline_workers2", lambda tmp: bench_offline(tmp, workers=2)),
        "offline2shared": (
            "offline_workers2_shared_socket",
            lambda tmp: bench_offline(tmp, workers=2, server_class=SharedSocketServe),
        ),
        "llm": ("llm", bench_llm),
        "llm2": ("llm_workers2", lambda tmp: bench_llm(tmp, workers=2)),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    variants = _variants()
    which = (argv or sys.argv[1:] or ["all"])[0]
    if which not in (*variants, "all"):
        raise SystemExit(f"usage: bench_serve.py [{'|'.join(variants)}|all], not {which!r}")
    data: dict[str, Any] = {"note": NOTE}
    previous = RESULTS / "serve.json"  # one variant rerun keeps the others' figures
    keys = {key for key, _ in variants.values()}
    if which != "all" and previous.is_file():
        kept = json.loads(previous.read_text(encoding="utf-8"))
        data = {**{k: v for k, v in kept.items() if k in keys}, **data}
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        tmp = Path(folder)
        if os.environ.get("AGENTOPS_CACHE_DIR"):
            data["cache_dir"] = "inherited"
        for name, (key, measure) in variants.items():
            if which in (name, "all"):
                data[key] = measure(tmp)
                print(name, data[key], flush=True)
    write_result("serve", data)
    return data


def _ok(flag: bool | None) -> str:
    return "✅" if flag else "❌"


def _cpu_line(m: dict[str, Any]) -> str:
    """CPU per request (server / load client), the load average around it, and what it allows."""
    if "server_cpu_ms_per_request" not in m:
        return "| … CPU per request | not recorded | | |"
    extra = (
        f" / LLM server {m['llm_server_cpu_ms_per_request']}" if "llm_server_cpu_ms_per_request" in m else ""
    )
    return (
        f"| … CPU ms per request: server **{m['server_cpu_ms_per_request']}** / client "
        f"{m['client_cpu_ms_per_request']}{extra}; load average {m['load_average_before'][0]} → "
        f"{m['load_average_after'][0]} | CPU-bound ceiling ≈ {m['cpu_bound_requests_per_s']} req/s | | |"
    )


def _worker_lines(m: dict[str, Any]) -> list[str]:
    """With several workers: connections, requests, p95 and CPU per request of each."""
    workers = m.get("per_worker") or []
    if len(workers) < 2:
        return []
    cells = " · ".join(
        f"{w['connections']} conn, {w['requests']} req, p95 {w['p95_ms']} ms, "
        f"{w.get('cpu_ms_per_request', '?')} ms CPU"
        for w in workers
    )
    return [f"| … per worker (from /proc) | {cells} | | |"]


def section(data: dict[str, Any] | None) -> list[str]:
    """The docs/benchmarks.md section (``run_all.py`` renders it from bench/results/serve.json)."""
    lines = ["## agentops serve", ""]
    if not data:
        return [*lines, "_Not measured yet._ (`.venv/bin/python bench/bench_serve.py`)", ""]
    lines += [
        "`.venv/bin/python bench/bench_serve.py [offline|offline2|offline2shared|llm|llm2|all]` → "
        "`bench/results/serve.json`: "
        "a real `agentops serve` process and a raw keep-alive asyncio load client on 127.0.0.1, both on "
        "this machine. " + data.get("note", ""),
        "",
        "Requests/s and latency move with whatever else runs; the CPU each request cost (utime + stime "
        "of the server's process tree from /proc, over the measured requests) moves much less, and gives "
        "the ceiling the machine's cores allow: workers × 1000 / server CPU ms (offline), cores × 1000 / "
        "(server + client + LLM server CPU ms) (LLM-bound).",
        "",
        "| measure | result | target | |",
        "|---|---|---|---|",
    ]
    offline_rows = (
        ("offline", "one worker"),
        ("offline_workers2", "`--workers 2` (a socket per worker)"),
        ("offline_workers2_shared_socket", "uvicorn `--workers 2` (one shared socket)"),
    )
    for key, label in offline_rows:
        off = data.get(key)
        if off:
            lines += [
                f"| offline support, {label}, {off['concurrency']} clients, {off['requests']} requests | "
                f"**{off['requests_per_s']} req/s** | ≥ 300 | {_ok(off['requests_per_s'] >= 300)} |",
                f"| … latency p50 / p95 / p99 | {off['p50_ms']} / **{off['p95_ms']}** / {off['p99_ms']} ms | "
                f"p95 ≤ 100 ms | {_ok(off['p95_ms'] <= 100)} |",
                f"| … statuses | {off['statuses']} | all 200 | {_ok(set(off['statuses']) == {'200'})} |",
                _cpu_line(off),
                *_worker_lines(off),
            ]
    for key, label in (("llm", "one worker"), ("llm_workers2", "`--workers 2`")):
        llm = data.get(key)
        if llm:
            lines += [
                f"| LLM-bound support, {label} ({llm['latency_s'] * 1000:.0f} ms a call, "
                f"{llm['mean_llm_calls']} calls a run), {llm['concurrency']} clients | "
                f"{llm['requests_per_s']} req/s of ideal {llm['ideal_requests_per_s']} = "
                f"**{llm['share_of_ideal']:.1%}** | ≥ 90 % | {_ok(llm['meets'])} |",
                f"| … latency p50 / p95 | {llm['p50_ms']} / {llm['p95_ms']} ms | | |",
                f"| … statuses | {llm['statuses']} | all 200 | {_ok(set(llm['statuses']) == {'200'})} |",
                _cpu_line(llm),
                *_worker_lines(llm),
            ]
    return [*lines, ""]


if __name__ == "__main__":
    main()
