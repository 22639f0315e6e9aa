"""The CPU one LLM call costs this process, layer by layer, and per HTTP transport.

    nice -n 10 .venv/bin/python bench/bench_llm_call.py [--calls 200] [--threads 32] [--repeat 3]

Why CPU and not wall time: an LLM-bound eval or ``serve`` waits on the model, and how many
calls it can overlap is bounded by the CPU each call burns under the one GIL. Process CPU
(``time.process_time``) moves little with the load of other processes, so these figures can be
taken on a busy machine and compared run to run; wall times are recorded beside them.

Every call is the support agent's classify step (its real prompt and schema) through the real
``ChatOpenAI`` against the loopback server of bench/llm_server.py (its own process, no latency):

* ``path`` — :meth:`AgentLLM.structured` as the agents call it, response cache off (every call
  a request), one at a time and from a pool of ``--threads`` threads as eval and serve make them;
  then with the cache on and every call a miss (the lookup and the write a cold eval pays).
* ``layers`` — one at a time, the same request through each layer alone: a bare ``httpx2``
  POST of the same JSON body (the transport floor), the openai SDK's ``create`` (the client
  ``ChatOpenAI`` built), ``ChatOpenAI.invoke`` (langchain), ``AgentLLM.structured`` (agentops):
  the difference between two rows is what the outer layer adds.
* ``transports`` — from ``--threads`` threads: the factory's sync client (httpx2), and the
  async clients driven from one event-loop thread (``ainvoke``): the SDK's default async httpx2
  and ``openai.DefaultAioHttpClient`` (aiohttp; "not measured" with the reason when the
  ``aiohttp`` package is absent).
* ``import`` — CPU of ``import openai`` in a fresh interpreter, with ``aiohttp`` importable and
  with it blocked: the SDK imports its aiohttp transport eagerly whenever the package exists.
* ``gc`` — in a fresh interpreter: building the client (the langchain_openai import included)
  then ``--calls`` calls, with the client built by the backend (collector paused during the
  build, then ``gc.freeze()``: ``agentops_cli.heap.settled``) and by plain ``ChatOpenAI(...)``;
  process CPU and the time spent in the cyclic garbage collector, per phase.

Warm-up calls (imports, clients, schema, connection pool) are never counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, RESULTS, write_result
from llm_server import ServerProcess

INTENTS = "\n".join(f"- intent_{n}: customers asking about topic number {n}" for n in range(12))
QUERIES = [
    "I was charged twice for my order",
    "Where is my parcel? It has not arrived",
    "How do I reset my password?",
    "I want to cancel my subscription",
]
WARM_UP = 20
PARTS = ("path", "layers", "transports", "import", "gc")
AIOHTTP = "async aiohttp (openai.DefaultAioHttpClient), ainvoke"
MODEL = "gpt-4o-mini"


def _settings(base_url: str, home: Path, *, cache: bool) -> Any:
    from agentops_cli.config import Settings

    return Settings(
        # deadline_s 0: one handle serves every call here, and a run's budget would run out
        llm={"provider": "openai", "base_url": base_url, "api_key": "sk-bench-000000000000", "deadline_s": 0},
        cache={"enabled": cache},
        home=home,
        cache_dir=home / f"cache-{time.monotonic_ns()}",  # a fresh cache: every call a miss
    )


def _variables(n: int) -> dict[str, str]:
    return {"intents": INTENTS, "query": f"{QUERIES[n % len(QUERIES)]} (#{n})"}


def _messages(n: int) -> list[dict[str, str]]:
    from agentops_cli.llm.prompting import build_messages

    return build_messages("support/classify", _variables(n))


def _timed(fn: Callable[[int], Any], calls: int, threads: int, start: int) -> dict[str, float]:
    """CPU and wall ms per call of ``fn(n)`` for ``calls`` distinct n, serially or from a pool."""
    numbers = range(start, start + calls)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if threads == 1:
        for n in numbers:
            fn(n)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(fn, numbers))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"cpu": cpu / calls * 1000, "wall": wall / calls * 1000}


class Runs:
    """Repeats each measure and keeps the median, numbering calls so no two requests are equal."""

    def __init__(self, calls: int, repeat: int) -> None:
        self.calls, self.repeat, self.next = calls, repeat, 10_000

    def measure(self, fn: Callable[[int], Any], threads: int = 1) -> dict[str, Any]:
        for _ in range(WARM_UP):
            fn(self._take(1))
        runs = [_timed(fn, self.calls, threads, self._take(self.calls)) for _ in range(self.repeat)]
        return {
            "threads": threads,
            "cpu_ms_per_call": round(statistics.median(r["cpu"] for r in runs), 3),
            "cpu_ms_per_call_runs": [round(r["cpu"], 3) for r in runs],
            "wall_ms_per_call": round(statistics.median(r["wall"] for r in runs), 3),
        }

    def _take(self, count: int) -> int:
        first, self.next = self.next, self.next + count
        return first


def _structured_call(llm: Any) -> Callable[[int], Any]:
    from agentops_cli.agents.support.schemas import ClassifyOutput

    def offline() -> ClassifyOutput:  # a degraded answer would be a failed request: stop loudly
        raise AssertionError("the call failed over to the offline engine")

    def call(n: int) -> Any:
        return llm.structured(
            ClassifyOutput, prompt="support/classify", variables=_variables(n), offline=offline
        )

    return call


def path_part(runs: Runs, base_url: str, home: Path, threads: int) -> dict[str, Any]:
    from agentops_cli.llm.factory import make_llm

    call = _structured_call(make_llm(_settings(base_url, home, cache=False), "support"))
    cached = _structured_call(make_llm(_settings(base_url, home, cache=True), "support"))
    return {
        "sequential": runs.measure(call),
        "concurrent": runs.measure(call, threads),
        "concurrent_cache_miss": runs.measure(cached, threads),
    }


def layers_part(runs: Runs, base_url: str, home: Path) -> dict[str, Any]:
    import httpx2

    from agentops_cli.agents.support.schemas import ClassifyOutput
    from agentops_cli.llm.factory import make_llm
    from agentops_cli.llm.openai_backend import response_format, shared_backend

    settings = _settings(base_url, home, cache=False)
    backend = shared_backend(settings)
    bound, _ = backend.runnable(ClassifyOutput, MODEL)
    chat = backend.chat(MODEL)
    fmt = response_format(ClassifyOutput)
    params = {"model": MODEL, "temperature": settings.llm.temperature, "max_tokens": settings.llm.max_tokens}
    url = base_url.rstrip("/") + "/chat/completions"
    with httpx2.Client(timeout=30) as http:

        def bare_post(n: int) -> Any:
            body = json.dumps({"messages": _messages(n), **params, "response_format": fmt}).encode()
            return http.post(url, content=body, headers={"content-type": "application/json"}).json()

        def sdk_create(n: int) -> Any:
            raw = chat.client.with_raw_response.create(
                messages=_messages(n), **params, extra_body={"response_format": fmt}
            )
            return raw.parse()

        rows = {
            "httpx2 POST (transport floor)": runs.measure(bare_post),
            "openai SDK create": runs.measure(sdk_create),
            "ChatOpenAI.invoke (langchain)": runs.measure(lambda n: bound.invoke(_messages(n), timeout=30)),
            "AgentLLM.structured (agentops)": runs.measure(_structured_call(make_llm(settings, "support"))),
        }
    return rows


def _loop_caller(bound: Any, client: Any) -> tuple[Callable[[int], Any], Callable[[], None]]:
    """``ainvoke`` on one event-loop thread, called from worker threads (how an async client
    would serve the sync agents)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def call(n: int) -> Any:
        return asyncio.run_coroutine_threadsafe(bound.ainvoke(_messages(n), timeout=30), loop).result()

    def stop() -> None:
        if client is not None:  # the client's session lives on this loop: close it there
            asyncio.run_coroutine_threadsafe(client.aclose(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)

    return call, stop


def transports_part(runs: Runs, base_url: str, home: Path, threads: int) -> dict[str, Any]:
    from agentops_cli.agents.support.schemas import ClassifyOutput
    from agentops_cli.llm.openai_backend import OpenAIBackend

    backend = OpenAIBackend(_settings(base_url, home, cache=False))
    results: dict[str, Any] = {}
    sync_bound, _ = backend._split(backend._build_chat(MODEL), ClassifyOutput)
    results["sync httpx2 (the factory's client)"] = runs.measure(
        lambda n: sync_bound.invoke(_messages(n), timeout=30), threads
    )
    clients: dict[str, Callable[[], Any] | str] = {"async httpx2 (SDK default), ainvoke": lambda: None}
    try:
        import aiohttp  # noqa: F401  (only whether it is there)
        from openai import DefaultAioHttpClient

        clients[AIOHTTP] = lambda: DefaultAioHttpClient(timeout=30)
    except ImportError:
        clients[AIOHTTP] = (
            "not measured: the aiohttp package is not installed (pip install 'openai[aiohttp]')"
        )
    for name, make_client in clients.items():
        if isinstance(make_client, str):
            results[name] = {"not_measured": make_client}
            continue
        client = make_client()
        extra = {} if client is None else {"http_async_client": client}
        bound, _ = backend._split(backend._build_chat(MODEL, **extra), ClassifyOutput)
        call, stop = _loop_caller(bound, client)
        try:
            results[name] = runs.measure(call, threads)
        finally:
            stop()
    return results


def import_part(repeat: int) -> dict[str, Any]:
    """CPU seconds of ``import openai`` in a fresh interpreter (median), aiohttp importable or not."""
    code = (
        "import sys,time\n"
        "if sys.argv[1] == 'blocked': sys.modules['aiohttp'] = None\n"
        "t = time.process_time(); import openai; print(time.process_time() - t)\n"
    )
    found = subprocess.run([sys.executable, "-c", "import aiohttp"], capture_output=True).returncode == 0
    out: dict[str, Any] = {"aiohttp_installed": found}
    for mode in ("importable", "blocked") if found else ("blocked",):
        argv = [sys.executable, "-c", code, mode]
        samples = [
            float(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
            for _ in range(max(3, repeat))
        ]
        out[f"cpu_s_aiohttp_{mode}"] = round(statistics.median(samples), 3)
    return out


GC_CHILD = """
import gc, json, sys, time
sys.path.insert(0, sys.argv[4])
import bench_llm_call as b
spent = [0.0]
started = [0.0]
def clock(phase, info):
    if phase == "start":
        started[0] = time.process_time()
    else:
        spent[0] += time.process_time() - started[0]
gc.callbacks.append(clock)
mode, base_url, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
from pathlib import Path
import tempfile
home = Path(tempfile.mkdtemp())
cpu0 = time.process_time()
from agentops_cli.agents.support.schemas import ClassifyOutput
from agentops_cli.llm.openai_backend import OpenAIBackend
backend = OpenAIBackend(b._settings(base_url, home, cache=False))
if mode == "plain":
    from langchain_openai import ChatOpenAI
    chat = ChatOpenAI(model=b.MODEL, base_url=base_url, api_key="sk-bench-000000000000", timeout=30,
                      max_retries=0, temperature=0.0, max_tokens=1024)
else:
    chat = backend._build_chat(b.MODEL)
bound, _ = backend._split(chat, ClassifyOutput)
build_cpu, build_gc = time.process_time() - cpu0, spent[0]
cpu1, spent[0] = time.process_time(), 0.0
for n in range(calls):
    bound.invoke(b._messages(n), timeout=30)
print(json.dumps({"build_cpu_s": build_cpu, "build_gc_s": build_gc,
                  "call_cpu_ms": (time.process_time() - cpu1) / calls * 1000,
                  "call_gc_ms": spent[0] / calls * 1000}))
"""


def gc_part(base_url: str, calls: int, repeat: int) -> dict[str, Any]:
    """Medians over ``repeat`` fresh interpreters per mode (see the module docstring)."""
    out: dict[str, Any] = {}
    for mode in ("plain", "settled"):
        argv = [sys.executable, "-c", GC_CHILD, mode, base_url, str(calls * 2), str(Path(__file__).parent)]
        runs = [
            json.loads(subprocess.run(argv, capture_output=True, text=True, check=True, cwd=REPO).stdout)
            for _ in range(max(3, repeat))
        ]
        out[mode] = {key: round(statistics.median(r[key] for r in runs), 3) for key in runs[0]}
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per measured run")
    parser.add_argument("--threads", type=int, default=32, help="pool size of the concurrent runs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure; the median is kept")
    parser.add_argument(
        "--parts",
        nargs="+",
        default=list(PARTS),
        choices=PARTS,
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "src"))
    runs = Runs(args.calls, args.repeat)
    data: dict[str, Any] = {
        "command": f"nice -n 10 .venv/bin/python bench/bench_llm_call.py --calls {args.calls} "
        f"--threads {args.threads} --repeat {args.repeat}",
        "what": "The support classify step through the real ChatOpenAI against the loopback server "
        "(own process, no latency); process CPU ms per call (median of the runs), wall beside it",
    }
    cpu0 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(0.0) as server:
        home = Path(tmp)
        if "path" in args.parts:
            data["path"] = path_part(runs, server.base_url, home, args.threads)
        if "layers" in args.parts:
            data["layers"] = layers_part(runs, server.base_url, home)
        if "transports" in args.parts:
            data["transports"] = transports_part(runs, server.base_url, home, args.threads)
        if "gc" in args.parts:
            data["gc"] = gc_part(server.base_url, args.calls, args.repeat)
        data["server_requests"] = server.request_count()
    if "import" in args.parts:
        data["import"] = import_part(args.repeat)
    data["bench_cpu_s"] = round(time.process_time() - cpu0, 1)
    from agentops_cli.llm.openai_backend import reset_shared_backends

    reset_shared_backends()
    print(json.dumps(data, indent=2))
    # A run of some parts keeps the others' last figures (each part says what it measured).
    previous = RESULTS / "llm_call.json"
    if previous.is_file() and set(args.parts) != set(PARTS):
        kept = {k: v for k, v in json.loads(previous.read_text()).items() if k in PARTS}
        data = {**kept, **data}
    write_result("llm_call", data)
    return data


# -- docs/benchmarks.md -------------------------------------------------------------------------------
def _cpu(row: dict[str, Any]) -> str:
    if "not_measured" in row:
        return f"{row['not_measured']} | — | —"
    runs = ", ".join(f"{v:.2f}" for v in row["cpu_ms_per_call_runs"])
    return f"**{row['cpu_ms_per_call']:.2f} ms** | {runs} | {row['wall_ms_per_call']:.2f} ms"


def _layer_shares(layers: dict[str, Any] | None) -> list[str]:
    """What each layer adds to one call, as a share of the whole (differences of the rows)."""
    if not layers or len(layers) < 2:
        return []
    names, cpus = list(layers), [row["cpu_ms_per_call"] for row in layers.values()]
    total = cpus[-1]
    parts = [f"{names[0].split(' (')[0]} {cpus[0]:.2f} ms ({cpus[0] / total:.0%})"]
    for i, name in enumerate(names[1:], start=1):
        added = cpus[i] - cpus[i - 1]
        parts.append(f"{name.split('(')[-1].rstrip(')')} +{added:.2f} ms ({added / total:.0%})")
    return ["", "Per call: " + ", ".join(parts) + "."]


def _transport_verdict(transports: dict[str, Any] | None, imported: dict[str, Any] | None) -> list[str]:
    """The factory's sync client against the aiohttp transport, with the import it costs."""
    if not transports:
        return []
    sync = next(iter(transports.values()))
    aio = transports.get(AIOHTTP, {})
    if "cpu_ms_per_call" not in aio:
        return []
    more = aio["cpu_ms_per_call"] - sync["cpu_ms_per_call"]
    text = (
        f"aiohttp against the factory's sync client: {more:+.2f} ms of CPU per call "
        f"({more / sync['cpu_ms_per_call']:+.0%}), wall per call {aio['wall_ms_per_call']:.1f} ms against "
        f"{sync['wall_ms_per_call']:.1f} ms"
    )
    if imported and "cpu_s_aiohttp_importable" in imported:
        extra = imported["cpu_s_aiohttp_importable"] - imported["cpu_s_aiohttp_blocked"]
        text += f"; with aiohttp installed, every process that imports openai pays {extra:+.2f} s of CPU"
    return ["", text + "."]


def _gc_rows(measured: dict[str, Any] | None) -> list[str]:
    if not measured:
        return []
    names = {
        "plain": "plain `ChatOpenAI(...)`",
        "settled": "`OpenAIBackend` (collector paused for the build, then `gc.freeze()`)",
    }
    lines = ["", "The cyclic garbage collector, fresh interpreter: client built, then calls (medians):", ""]
    lines += [
        "| client built by | build CPU | of which collector | CPU per call | of which collector |",
        "|---|---|---|---|---|",
    ]
    for mode, row in measured.items():
        lines.append(
            f"| {names.get(mode, mode)} | {row['build_cpu_s']:.2f} s | {row['build_gc_s']:.2f} s | "
            f"{row['call_cpu_ms']:.2f} ms | {row['call_gc_ms']:.3f} ms |"
        )
    return lines


def section(data: dict | None) -> list[str]:
    lines = ["## CPU of one LLM call (issues 20 and 24)", ""]
    if not data:
        return [*lines, "_Not measured yet._", ""]
    lines += [
        f"`{data['command']}` → `bench/results/llm_call.json`. {data['what']}. CPU is the figure to "
        "compare: it barely moves with the load of other processes, while wall time does.",
        "",
        "| call | CPU per call (median) | runs | wall per call |",
        "|---|---|---|---|",
    ]
    path = data.get("path", {})
    labels = {
        "sequential": "`AgentLLM.structured`, one at a time, cache off",
        "concurrent": "`AgentLLM.structured`, {threads} threads, cache off",
        "concurrent_cache_miss": "`AgentLLM.structured`, {threads} threads, cache on, every call a miss",
    }
    for key, label in labels.items():
        if key in path:
            lines.append(f"| {label.format(threads=path[key]['threads'])} | {_cpu(path[key])} |")
    if "layers" in data:
        lines += ["", "Layer by layer, one call at a time (each row includes the rows above it):", ""]
        lines += ["| layer | CPU per call (median) | runs | wall per call |", "|---|---|---|---|"]
        lines += [f"| {name} | {_cpu(row)} |" for name, row in data["layers"].items()]
    if "transports" in data:
        lines += ["", "HTTP transport, calls from a pool of threads:", ""]
        lines += ["| client | CPU per call (median) | runs | wall per call |", "|---|---|---|---|"]
        lines += [f"| {name} | {_cpu(row)} |" for name, row in data["transports"].items()]
    lines += _layer_shares(data.get("layers"))
    lines += _transport_verdict(data.get("transports"), data.get("import"))
    lines += _gc_rows(data.get("gc"))
    imp = data.get("import")
    if imp:
        cells = [
            f"{mode.removeprefix('cpu_s_aiohttp_')}: {value:.2f} s"
            for mode, value in imp.items()
            if mode.startswith("cpu_s_")
        ]
        lines += ["", f"CPU of `import openai` in a fresh interpreter, aiohttp {'; '.join(cells)}."]
    return [*lines, ""]


if __name__ == "__main__":
    main()
