"""``agentops run support|document|research``: one sub-command per agent."""

from __future__ import annotations

import typer

from agentops_cli.cli import run_document, run_research, run_support

app = typer.Typer(help="Run one agent on one input.", no_args_is_help=True)
app.command("support")(run_support.support)
app.command("document")(run_document.document)
app.command("research")(run_research.research)
