"""``agentops run support``."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION
from agentops_cli.errors import NotImplementedYet


def support(
    query: str = typer.Argument(..., help="The customer query."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Run the support agent."""
    raise NotImplementedYet("run support")
