"""``agentops run document``."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION
from agentops_cli.errors import NotImplementedYet


def document(
    path: str = typer.Argument(..., help="Document to analyse."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Run the document agent."""
    raise NotImplementedYet("run document")
