"""``agentops mcp``: every registered agent, ``eval``, ``checklist`` and ``cost`` as MCP tools.

Built on the official ``mcp`` SDK's low-level :class:`mcp.server.lowlevel.Server`, because the
tools are data (one per registered agent, its input schema the agent's input model), not
decorated functions. Tools call :mod:`agentops_cli.interop.operations` — the CLI's services —
in a worker thread, so the event loop keeps answering (pings, progress) while an agent runs.
Any failure comes back as an ``isError`` tool result with one redacted line; the server
never dies of a bad call.

Resources: ``agentops://runs`` (eval runs), ``agentops://runs/{id}`` (a run's summary, from
the one results store) and ``agentops://prices`` (the price table).

In stdio mode the SDK owns fd 1 for protocol messages and diverts stray writes to stderr;
agentops logs go to stderr anyway.
"""

from __future__ import annotations

import json
import re
from functools import partial
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import mcp_types as types
from mcp.server.lowlevel import Server

from agentops_cli import __version__
from agentops_cli.config import Settings
from agentops_cli.errors import BadInput
from agentops_cli.interop import operations as ops

RUN_TOOL_PREFIX = "run_"
RUNS_URI = "agentops://runs"
PRICES_URI = "agentops://prices"
_RUN_URI = re.compile(r"^agentops://runs/([A-Za-z0-9][A-Za-z0-9_.-]{0,127})$")


def _json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def _ok(data: Any) -> types.CallToolResult:
    structured = data if isinstance(data, dict) else {"result": data}
    return types.CallToolResult(
        content=[types.TextContent(text=_json_text(data))], structured_content=structured
    )


def _error(exc: BaseException) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=ops.error_text(exc))], is_error=True)


def _object_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """MCP (through 2025-11-25) wants ``type: object`` at the root of an input schema."""
    return schema if schema.get("type") == "object" else {"type": "object", "properties": {}}


class AgentopsMCP:
    """The tool and resource handlers, bound to one settings loader."""

    def __init__(self, load: ops.SettingsLoader) -> None:
        self.load = load

    @property
    def settings(self) -> Settings:
        return self.load({})

    # -- tools --------------------------------------------------------------------------------------
    def tools(self) -> list[types.Tool]:
        found = [
            types.Tool(
                name=RUN_TOOL_PREFIX + row["name"],
                description=f"Run the '{row['name']}' agent ({row['source']}): "
                f"{row['description'] or row['target']}. Returns the run JSON of `agentops run`.",
                input_schema=_object_schema(row["input_schema"]),
            )
            for row in ops.agents(self.settings)
        ]
        fixed = {
            "eval": (
                ops.EvalArgs,
                "Evaluate agents on a dataset; progress as examples finish. "
                "Returns the run id and summary (read it later at agentops://runs/{id}).",
            ),
            "checklist": (
                ops.ChecklistArgs,
                "Production-readiness checklist of a code base: score and "
                "the items that fail, with remediation.",
            ),
            "cost": (ops.CostArgs, "Cost forecast per request/day/month/year by model (agentops cost)."),
        }
        for name, (model, description) in fixed.items():
            found.append(
                types.Tool(name=name, description=description, input_schema=model.model_json_schema())
            )
        return found

    async def list_tools(self, _ctx: Any, _params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=await anyio.to_thread.run_sync(self.tools))

    async def call_tool(self, ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        try:
            data = await self._dispatch(ctx, params.name, params.arguments or {})
        except Exception as exc:  # every failure is a tool error the client can show, never a crash
            return _error(exc)
        return _ok(data)

    async def _dispatch(self, ctx: Any, name: str, arguments: dict[str, Any]) -> Any:
        if name == "eval":
            args = ops.parse(ops.EvalArgs, arguments, "eval")
            return await anyio.to_thread.run_sync(
                partial(ops.evaluate, args, self.load, self._progress_reporter(ctx))
            )
        if name == "checklist":
            args = ops.parse(ops.ChecklistArgs, arguments, "checklist")
            return await anyio.to_thread.run_sync(ops.checklist, args)
        if name == "cost":
            args = ops.parse(ops.CostArgs, arguments, "cost")
            return await anyio.to_thread.run_sync(ops.cost, args, self.settings)
        if name.startswith(RUN_TOOL_PREFIX):
            agent = name.removeprefix(RUN_TOOL_PREFIX)
            return await anyio.to_thread.run_sync(ops.run, agent, arguments, self.settings)
        raise BadInput(f"unknown tool '{name}'")

    @staticmethod
    def _progress_reporter(ctx: Any) -> ops.Progress:
        """``progress(done, total)`` from a worker thread → an MCP progress notification."""

        def report(done: int, total: int) -> None:
            anyio.from_thread.run(
                partial(ctx.session.report_progress, done, total, f"{done}/{total} examples")
            )

        return report

    # -- resources ----------------------------------------------------------------------------------
    async def list_resources(self, _ctx: Any, _params: Any) -> types.ListResourcesResult:
        fixed = [
            types.Resource(
                uri=RUNS_URI,
                name="eval-runs",
                description="Stored eval runs, newest first.",
                mime_type="application/json",
            ),
            types.Resource(
                uri=PRICES_URI,
                name="price-table",
                description="Prices, USD per 1M tokens.",
                mime_type="application/json",
            ),
        ]
        return types.ListResourcesResult(resources=fixed)

    async def list_resource_templates(self, _ctx: Any, _params: Any) -> types.ListResourceTemplatesResult:
        template = types.ResourceTemplate(
            uri_template=RUNS_URI + "/{id}",
            name="eval-run",
            description="One eval run's summary.",
            mime_type="application/json",
        )
        return types.ListResourceTemplatesResult(resource_templates=[template])

    async def read_resource(
        self, _ctx: Any, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        uri = str(params.uri)
        data = await anyio.to_thread.run_sync(self._resource, uri)
        contents = types.TextResourceContents(uri=uri, mime_type="application/json", text=_json_text(data))
        return types.ReadResourceResult(contents=[contents])

    def _resource(self, uri: str) -> Any:
        if uri == PRICES_URI:
            return ops.prices(self.settings)
        if uri == RUNS_URI:
            return ops.eval_runs(self.settings)
        match = _RUN_URI.match(uri)
        if match is None:
            raise BadInput(
                f"unknown resource '{uri}' (agentops://runs, agentops://runs/ID, agentops://prices)"
            )
        return ops.run_summary(match.group(1), self.settings)


def build_server(load: ops.SettingsLoader) -> Server[Any]:
    """The MCP server with agentops' tools and resources (transport-independent)."""
    handlers = AgentopsMCP(load)
    return Server(
        "agentops",
        version=__version__,
        instructions="agentops: run business LLM agents, evaluate them, check production readiness, "
        "forecast cost. Agent tools are named run_<agent>.",
        on_list_tools=handlers.list_tools,
        on_call_tool=handlers.call_tool,
        on_list_resources=handlers.list_resources,
        on_list_resource_templates=handlers.list_resource_templates,
        on_read_resource=handlers.read_resource,
    )


def serve_stdio(load: ops.SettingsLoader) -> None:
    """Serve one client over stdin/stdout until it disconnects."""
    from mcp.server.stdio import stdio_server

    server = build_server(load)

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(main)


def serve_http(load: ops.SettingsLoader, host: str, port: int) -> None:
    """Serve streamable HTTP at ``http://HOST:PORT/mcp`` (DNS-rebinding protection on loopback)."""
    import uvicorn

    app = build_server(load).streamable_http_app(host=host)
    uvicorn.run(app, host=host, port=port, log_level="warning")
