"""``agentops mcp``: serve agentops to MCP clients (stdio by default, ``--http`` for streamable HTTP).

Parses flags and calls :mod:`agentops_cli.interop.mcp_server`; ``mcp`` is imported only here,
when the command runs. In stdio mode stdout carries protocol messages only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from agentops_cli.cli.common import state
from agentops_cli.errors import BadInput


def mcp(
    http: bool = typer.Option(
        False, "--http", help="Streamable HTTP at http://HOST:PORT/mcp instead of stdio."
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="With --http: address to bind (loopback by default)."
    ),
    port: int = typer.Option(8765, "--port", min=1, max=65535, help="With --http: port."),
    root: Path | None = typer.Option(
        None, "--root", help="run_document reads only under this folder (default: document.root or the cwd)."
    ),
    provider: str | None = typer.Option(None, "--provider", help="auto | offline | openai for every tool."),
) -> None:
    """Serve agents, eval, checklist and cost as MCP tools (and eval runs, prices as resources)."""
    if root is not None and not root.is_dir():
        raise BadInput(f"--root: not a folder: {root}")
    fixed: dict[str, Any] = {"document.root": str(root.resolve()) if root else None, "llm.provider": provider}
    fixed = {k: v for k, v in fixed.items() if v is not None}

    def load(overrides: dict[str, Any]) -> Any:
        return state().settings({**fixed, **{k: v for k, v in overrides.items() if v is not None}})

    load({})  # a broken config is one exit-2 line now, not an error on every tool call
    from agentops_cli.interop import mcp_server

    if http:
        mcp_server.serve_http(load, host, port)
    else:
        mcp_server.serve_stdio(load)
