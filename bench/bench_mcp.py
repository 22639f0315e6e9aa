"""MCP server: cold start (spawn → initialize → tools/list) and per-call latency over stdio.

The per-call figures compare ``run_support`` (offline provider) through ``agentops mcp`` with
the same ``run_agent`` call in-process, so the protocol's overhead is the difference.

    .venv/bin/python bench/bench_mcp.py      # writes bench/results/mcp.json
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

from common import machine, write_result

STARTS = 5
CALLS = 20
QUERIES = ["I was charged twice for my order", "Where is my package?", "How do I reset my password?"]


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 1),
        "n": len(ordered),
    }


async def _measure(env: dict[str, str], cwd: str) -> dict[str, Any]:
    # Imported here: the SDK takes seconds to import, and run_all.py --docs-only / --check (a CI
    # test) import this module only for its renderer.
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "agentops_cli", "mcp", "--provider", "offline"], env=env, cwd=cwd
    )
    starts: list[float] = []
    for _ in range(STARTS):
        began = time.perf_counter()
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            await session.list_tools()
            starts.append(time.perf_counter() - began)
    calls: dict[str, list[float]] = {"cost": [], "run_support": []}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        await session.call_tool("run_support", {"query": QUERIES[0]})  # warm: loads the intent model
        for i in range(CALLS):
            began = time.perf_counter()
            await session.call_tool("cost", {"rpd": 1000 + i})
            calls["cost"].append(time.perf_counter() - began)
            began = time.perf_counter()
            result = await session.call_tool("run_support", {"query": QUERIES[i % len(QUERIES)]})
            calls["run_support"].append(time.perf_counter() - began)
            assert not result.is_error
    return {"cold_start": _stats(starts), **{name: _stats(s) for name, s in calls.items()}}


def _in_process(home: Path) -> dict[str, float]:
    os.environ.update({"AGENTOPS_HOME": str(home / "home"), "AGENTOPS_CACHE_DIR": str(home / "cache")})
    from agentops_cli.agents.runner import run_agent
    from agentops_cli.config import load_settings

    settings = load_settings(None, {"llm.provider": "offline"}).settings
    run_agent("support", QUERIES[0], settings, {})
    samples = []
    for i in range(CALLS):
        began = time.perf_counter()
        run_agent("support", QUERIES[i % len(QUERIES)], settings, {})
        samples.append(time.perf_counter() - began)
    return _stats(samples)


def docs_section(data: dict[str, Any] | None) -> list[str]:
    """The ``MCP server`` section of docs/benchmarks.md."""
    lines = ["## MCP server (`agentops mcp`, stdio)", ""]
    if not data:
        return [*lines, "_Not measured yet (run `.venv/bin/python bench/bench_mcp.py`)._", ""]
    m, d = data["over_mcp"], data["in_process_run_support"]
    lines += [
        "`.venv/bin/python bench/bench_mcp.py` → `bench/results/mcp.json`: the SDK's `ClientSession` over "
        "`stdio_client` spawns `agentops mcp --provider offline`; cold start = spawn → initialize → "
        f"tools/list ({m['cold_start']['n']} starts); calls on one warm server ({m['cost']['n']} each).",
        "",
        "| measure | median | p90 |",
        "|---|---|---|",
        f"| cold start | {m['cold_start']['median_ms']} ms | {m['cold_start']['p90_ms']} ms |",
        f"| `cost` tool call | {m['cost']['median_ms']} ms | {m['cost']['p90_ms']} ms |",
        f"| `run_support` tool call (offline) | {m['run_support']['median_ms']} ms | "
        f"{m['run_support']['p90_ms']} ms |",
        f"| same run, in process (`run_agent`) | {d['median_ms']} ms | {d['p90_ms']} ms |",
        "",
        f"Protocol overhead per agent call (median difference): {data['mcp_overhead_ms']} ms. "
        f"1-minute load average when measured: {data.get('load_average_1m_at_end')} "
        f"on {data['machine']['cpus']} CPUs.",
        "",
    ]
    if data["mcp_overhead_ms"] < 0:
        lines += [
            "Read these with the load: the in-process run was slower than the MCP call, so the overhead is",
            "below the noise of this machine.",
        ]
    return [*lines, *IMPORT_NOTE.splitlines(), ""]


# Measured by hand once (python -X importtime), at the load of the run above; no JSON holds it.
IMPORT_NOTE = """The cold start is dominated by importing the `mcp` 2.x SDK itself
(`python -X importtime -c "import agentops_cli.interop.mcp_server"`: `mcp` ≈ 8 of 12 s at that load,
`mcp_types` models ≈ 3.8 s); the registry and agent schemas took 0.5 s. Not re-measured on an idle machine."""


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {**os.environ, "AGENTOPS_HOME": str(home / "home"), "AGENTOPS_CACHE_DIR": str(home / "cache")}
        over_mcp = anyio.run(_measure, env, tmp)
        direct = _in_process(home)
    result = {
        "machine": machine(),
        "command": "agentops mcp --provider offline (stdio; the SDK's ClientSession)",
        "over_mcp": over_mcp,
        "in_process_run_support": direct,
        "load_average_1m_at_end": round(os.getloadavg()[0], 1),  # shared machine: read figures with it
        "mcp_overhead_ms": round(over_mcp["run_support"]["median_ms"] - direct["median_ms"], 1),
    }
    write_result("mcp", result)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
