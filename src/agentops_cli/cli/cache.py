"""``agentops cache stats|clear|path``: the response cache on disk."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION
from agentops_cli.errors import NotImplementedYet

app = typer.Typer(help="Inspect or clear the response cache.", no_args_is_help=True)


@app.command("stats")
def stats(json_output: bool = JSON_OPTION) -> None:
    """Entries, size and hit counts."""
    raise NotImplementedYet("cache stats")


@app.command("clear")
def clear(json_output: bool = JSON_OPTION) -> None:
    """Remove every cached response."""
    raise NotImplementedYet("cache clear")


@app.command("path")
def path(json_output: bool = JSON_OPTION) -> None:
    """Where the cache lives."""
    raise NotImplementedYet("cache path")
