"""``agentops cost``: cost forecast by model."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION
from agentops_cli.errors import NotImplementedYet

app = typer.Typer(help="Cost forecast per request / day / month, by model.")


@app.callback(invoke_without_command=True)
def cost(ctx: typer.Context, json_output: bool = JSON_OPTION) -> None:
    """Forecast cost (or use a sub-command)."""
    if ctx.invoked_subcommand is None:
        raise NotImplementedYet("cost")
