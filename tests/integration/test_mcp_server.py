"""``agentops mcp`` driven by the official MCP client: the SDK's ClientSession over stdio_client,
spawning the real command as a subprocess (real registry, real services, real stdio framing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import run_cli
from tests.fakes.fixtures import openai_env
from tests.fakes.serve_process import free_port

QUERY = "I was charged twice for my order"


def with_session(
    body: Callable[[ClientSession], Awaitable[Any]], *, root: Path, env: dict[str, str] | None = None
) -> Any:
    """Start ``agentops mcp --root ROOT`` and run ``body`` on an initialised client session."""

    async def main() -> Any:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "agentops_cli", "mcp", "--root", str(root)],
            env={**os.environ, **(env or {})},
            cwd=str(root),
        )
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            with anyio.fail_after(120):
                return await body(session)

    return anyio.run(main)


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content)


@pytest.fixture
def llm_env(fake_openai: Any, support_model_cache: Path) -> dict[str, str]:
    # response cache off: every answer in this file comes from the model server, not a cached reply
    return openai_env(
        fake_openai, AGENTOPS_CACHE_DIR=str(support_model_cache), AGENTOPS_CACHE__ENABLED="false"
    )


def test_tools_list_every_agent_and_support_and_cost_answer(
    tmp_path: Path, fake_openai: Any, llm_env: dict[str, str]
) -> None:
    async def body(session: ClientSession) -> tuple[Any, Any, Any]:
        tools = (await session.list_tools()).tools
        support = await session.call_tool("run_support", {"query": QUERY})
        cost = await session.call_tool("cost", {"rpd": 1000, "models": ["gpt-4o-mini"]})
        return tools, support, cost

    tools, support, cost = with_session(body, root=tmp_path, env=llm_env)
    by_name = {tool.name: tool for tool in tools}
    assert {"run_support", "run_document", "run_research", "eval", "checklist", "cost"} <= set(by_name)
    assert "query" in by_name["run_support"].input_schema["properties"]
    assert by_name["cost"].input_schema["required"] == ["rpd"]

    assert not support.is_error, text_of(support)
    run = support.structured_content
    assert run["agent"] == "support" and run["provider"] == "openai"
    assert run["intent"] and run["answer"]
    assert json.loads(text_of(support)) == run
    assert fake_openai.request_count > 0  # the answer came over real HTTP from the model server

    assert not cost.is_error, text_of(cost)
    cli = run_cli("cost", "--rpd", "1000", "-m", "gpt-4o-mini", "--json").json()
    assert cost.structured_content["models"] == cli["models"]
    assert cost.structured_content["models"][0]["per_day_usd"] > 0


def test_eval_reports_progress_and_its_run_is_a_resource(tmp_path: Path, support_model_cache: Path) -> None:
    seen: list[tuple[float, float | None]] = []

    async def progress(done: float, total: float | None, _message: str | None) -> None:
        seen.append((done, total))

    async def body(session: ClientSession) -> tuple[Any, Any, Any, Any]:
        result = await session.call_tool(
            "eval",
            {"dataset": "golden", "agent": "support", "limit": 5, "provider": "offline"},
            progress_callback=progress,
        )
        run_id = result.structured_content["run_id"]
        summary = await session.read_resource(f"agentops://runs/{run_id}")
        runs = await session.read_resource("agentops://runs")
        prices = await session.read_resource("agentops://prices")
        listed = await session.list_resources()
        templates = await session.list_resource_templates()
        assert [r.uri for r in listed.resources] == ["agentops://runs", "agentops://prices"]
        assert [t.uri_template for t in templates.resource_templates] == ["agentops://runs/{id}"]
        return result, summary, runs, prices

    env = {"AGENTOPS_CACHE_DIR": str(support_model_cache)}
    result, summary, runs, prices = with_session(body, root=tmp_path, env=env)
    assert not result.is_error, text_of(result)
    assert result.structured_content["summary"]["n"] == 5
    assert seen[-1] == (5, 5)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) >= 5  # one notification per finished example (plus the start)

    stored = json.loads(summary.contents[0].text)
    assert stored["run_id"] == result.structured_content["run_id"] and stored["n"] == 5
    assert [row["run_id"] for row in json.loads(runs.contents[0].text)] == [stored["run_id"]]
    table = json.loads(prices.contents[0].text)
    assert any(row["model"] == "gpt-4o-mini" for row in table["models"])


def test_bad_calls_are_tool_errors_and_the_server_keeps_serving(tmp_path: Path) -> None:
    outside = tmp_path.parent / "outside-root.txt"
    outside.write_text("Contract between A and B. Term: 12 months.", encoding="utf-8")
    root = tmp_path / "docs"
    root.mkdir()

    async def body(session: ClientSession) -> dict[str, Any]:
        calls = {
            "cost_bad_rpd": await session.call_tool("cost", {"rpd": "many"}),
            "cost_extra": await session.call_tool("cost", {"rpd": 10, "budget": 3}),
            "support_no_query": await session.call_tool("run_support", {}),
            "document_outside": await session.call_tool("run_document", {"path": str(outside)}),
            "document_escape": await session.call_tool("run_document", {"path": "../outside-root.txt"}),
            "unknown": await session.call_tool("no_such_tool", {}),
            "checklist_missing": await session.call_tool("checklist", {"path": str(tmp_path / "nope")}),
            "cost_ok": await session.call_tool("cost", {"rpd": 10}),
        }
        with pytest.raises(Exception, match="unknown resource"):
            await session.read_resource("agentops://runs/../../etc")
        return calls

    calls = with_session(body, root=root)
    assert not calls.pop("cost_ok").is_error  # still serving after every bad call
    for name, result in calls.items():
        assert result.is_error, name
        assert len(text_of(result).splitlines()) == 1, (name, text_of(result))
    assert "rpd" in text_of(calls["cost_bad_rpd"])
    assert "budget" in text_of(calls["cost_extra"])
    assert "query" in text_of(calls["support_no_query"])
    for name in ("document_outside", "document_escape"):
        assert "root" in text_of(calls[name]), text_of(calls[name])
    assert "no_such_tool" in text_of(calls["unknown"])


def test_stdout_carries_only_protocol_messages(tmp_path: Path) -> None:
    """Every line the server writes on stdout is a JSON-RPC message, even with -vv logging."""
    requests = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "cost", "arguments": {"rpd": 5}},
        },
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "cost", "arguments": {}}},
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentops_cli", "-vv", "mcp", "--root", str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    watchdog = threading.Timer(60, proc.kill)  # a hung server fails the test, never the suite
    watchdog.start()
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("".join(json.dumps(r) + "\n" for r in requests))
        proc.stdin.flush()  # stdin stays open: EOF would cancel the calls in flight
        messages = []
        while {2, 3} - {m.get("id") for m in messages}:
            line = proc.stdout.readline()
            assert line, "server closed stdout before answering"
            messages.append(json.loads(line))  # not JSON → a stray print reached stdout
        rest, _ = proc.communicate("", timeout=30)  # EOF: the server exits
    finally:
        watchdog.cancel()
        proc.kill()
    messages += [json.loads(line) for line in rest.splitlines() if line.strip()]
    assert all(m.get("jsonrpc") == "2.0" for m in messages)
    by_id = {m.get("id"): m for m in messages}
    assert by_id[2]["result"]["isError"] is False
    assert by_id[3]["result"]["isError"] is True


def test_mcp_bad_root_is_one_exit_2_line(tmp_path: Path) -> None:
    result = run_cli("mcp", "--root", str(tmp_path / "missing"))
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [f"error: --root: not a folder: {tmp_path / 'missing'}"]


def test_checklist_tool_scores_a_code_base(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "agent.py").write_text("from mcp.server.lowlevel import Server\n", encoding="utf-8")

    async def body(session: ClientSession) -> Any:
        return await session.call_tool("checklist", {"path": str(project), "section": ["interop"]})

    result = with_session(body, root=tmp_path)
    assert not result.is_error, text_of(result)
    report = result.structured_content
    cli = run_cli("checklist", str(project), "--section", "interop", "--json").json()
    assert report["score_pct"] == cli["score_pct"]
    failing = {item["id"] for item in report["failing"]}
    assert "INT-02" in failing and "INT-01" not in failing  # an mcp import is evidence, nothing for A2A


def test_streamable_http_transport_on_loopback(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentops_cli", "mcp", "--http", "--port", str(port), "--root", str(tmp_path)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    async def main() -> tuple[list[str], Any]:
        url = f"http://127.0.0.1:{port}/mcp"
        with anyio.fail_after(60):
            while True:  # wait for the port to accept connections
                try:
                    await (await anyio.connect_tcp("127.0.0.1", port)).aclose()
                    break
                except OSError:
                    await anyio.sleep(0.1)
            async with streamable_http_client(url) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                tools = [tool.name for tool in (await session.list_tools()).tools]
                return tools, await session.call_tool("cost", {"rpd": 100})

    try:
        tools, cost = anyio.run(main)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert "run_support" in tools and "eval" in tools
    assert not cost.is_error and cost.structured_content["rpd"] == 100
