"""``agentops checklist``: production-readiness of a code base."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION
from agentops_cli.errors import NotImplementedYet


def checklist(
    path: str = typer.Argument(".", help="Code base to check."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Check a code base against the production checklist of the seeds."""
    raise NotImplementedYet("checklist")
