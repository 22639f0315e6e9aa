"""``agentops eval``: evaluate agents against golden sets."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION
from agentops_cli.errors import NotImplementedYet

app = typer.Typer(help="Evaluate agents against golden sets; gate CI; compare runs.")


@app.callback(invoke_without_command=True)
def eval_(ctx: typer.Context, json_output: bool = JSON_OPTION) -> None:
    """Run an evaluation (or use a sub-command)."""
    if ctx.invoked_subcommand is None:
        raise NotImplementedYet("eval")
