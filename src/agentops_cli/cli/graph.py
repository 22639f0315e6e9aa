"""``agentops graph AGENT``: print an agent's LangGraph as Mermaid."""

from __future__ import annotations

import importlib

import typer

from agentops_cli.cli.common import JSON_OPTION, print_json
from agentops_cli.errors import BadInput


def mermaid(agent: str) -> str:
    """Mermaid source of ``agents/<agent>/graph.py``'s ``build_graph()``."""
    from agentops_cli.agents.runner import AGENTS

    if agent not in AGENTS:
        raise BadInput(f"unknown agent '{agent}' (choose from {', '.join(AGENTS)})")
    try:
        module = importlib.import_module(f"agentops_cli.agents.{agent}.graph")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(f"agentops_cli.agents.{agent}"):
            raise BadInput(f"agent '{agent}' has no graph yet") from exc
        raise
    return module.build_graph().get_graph().draw_mermaid()


def graph(
    agent: str = typer.Argument(..., help="support, document or research."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Print the agent's graph as Mermaid."""
    text = mermaid(agent)
    if json_output:
        print_json({"agent": agent, "mermaid": text})
    else:
        typer.echo(text.rstrip("\n"))
