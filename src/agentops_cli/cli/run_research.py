"""``agentops run research``."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION
from agentops_cli.errors import NotImplementedYet


def research(
    question: str = typer.Argument(..., help="The research question."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Run the research agent."""
    raise NotImplementedYet("run research")
