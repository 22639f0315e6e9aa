"""``agentops run support|document|research`` — and ``run NAME INPUT`` / ``run --target SPEC INPUT``.

The built-ins keep their own sub-commands (their flags differ); any other name is resolved
by the agent registry (``agents:`` in agentops.yaml, plugins), and ``--target SPEC`` runs a
user agent with no config at all.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from agentops_cli.cli import run_agent_cmd, run_document, run_research, run_support

TARGET_KEY = "agentops_target"


class AgentGroup(TyperGroup):
    """A name that is no sub-command goes to ``run agent`` with the name as its first argument."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            return "agent", self.commands["agent"], args
        if not args and ctx.meta.get(TARGET_KEY):
            return "agent", self.commands["agent"], args
        return super().resolve_command(ctx, args)


app = typer.Typer(cls=AgentGroup, help="Run one agent on one input.", no_args_is_help=True)


@app.callback()
def run_group(
    ctx: typer.Context,
    target: str | None = typer.Option(
        None, "--target", help="Run a user agent: python:MODULE:ATTR, http(s)://URL or exec:COMMAND."
    ),
) -> None:
    """Run one agent on one input."""
    ctx.meta[TARGET_KEY] = target


app.command("support")(run_support.support)
app.command("document")(run_document.document)
app.command("research")(run_research.research)
app.command("agent", hidden=True)(run_agent_cmd.agent)
