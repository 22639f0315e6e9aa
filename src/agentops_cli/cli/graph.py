"""``agentops graph AGENT``: print an agent's LangGraph as Mermaid."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION
from agentops_cli.errors import NotImplementedYet


def graph(
    agent: str = typer.Argument(..., help="support, document or research."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Print the agent's graph as Mermaid."""
    raise NotImplementedYet(f"graph {agent}")
