"""``agentops agents list | show NAME``: every agent the registry resolves, where it came from, its shape."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION, console, print_json, state

app = typer.Typer(
    help="List the agents (built-in, plugins, agentops.yaml) and show one.", no_args_is_help=True
)


@app.command("list")
def list_(json_output: bool = JSON_OPTION) -> None:
    """Every agent: name, source (builtin|plugin|config), target, description."""
    from agentops_cli.agents.registry import list_agents

    rows = list_agents(state().settings())
    if json_output:
        print_json({"agents": rows})
        return
    from rich.table import Table

    table = Table()
    for col in ("name", "source", "target", "description"):
        table.add_column(col, no_wrap=col == "name")
    for row in rows:
        table.add_row(row["name"], row["source"], row["target"], row["description"])
    console().print(table)


@app.command("show")
def show(
    name: str = typer.Argument(..., help="Agent name or a target spec."), json_output: bool = JSON_OPTION
) -> None:
    """One agent: where it came from, its input schema and its output mapping (loads the agent)."""
    from agentops_cli.agents.registry import describe

    info = describe(name, state().settings())
    if json_output:
        print_json(info)
        return
    import json

    for key, value in info.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        console().print(f"[bold]{key}[/bold]: {text}", highlight=False)
