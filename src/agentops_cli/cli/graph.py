"""``agentops graph AGENT``: print an agent's LangGraph as Mermaid."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION, print_json
from agentops_cli.errors import BadInput


def mermaid(agent: str) -> str:
    """Mermaid source of the agent's compiled LangGraph (built-ins, and user graphs via the registry)."""
    from agentops_cli.agents.protocol import capability
    from agentops_cli.agents.registry import get_agent
    from agentops_cli.cli.common import state

    found = get_agent(agent, state().settings())
    build = capability(found, "graph")
    compiled = build() if build is not None else None
    if compiled is None:
        raise BadInput(f"agent '{agent}' has no graph")
    return compiled.get_graph().draw_mermaid()


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
