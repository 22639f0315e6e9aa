"""``agentops config show|validate|init``."""

from __future__ import annotations

from pathlib import Path

import typer

from agentops_cli.cli.common import JSON_OPTION, console, print_json, state

app = typer.Typer(help="Show, validate or create the configuration.", no_args_is_help=True)


@app.command("show")
def show(json_output: bool = JSON_OPTION) -> None:
    """Print the effective settings, where each value came from, secrets masked."""
    from agentops_cli.config import effective_items

    loaded = state().load()
    rows = effective_items(loaded)
    if json_output:
        print_json(
            {
                "config_file": str(loaded.config_file) if loaded.config_file else None,
                "provider": loaded.settings.provider(),
                "settings": {key: {"value": value, "source": source} for key, value, source in rows},
            }
        )
        return
    from rich.table import Table

    table = Table(title=f"agentops settings (config file: {loaded.config_file or 'none'})")
    table.add_column("key")
    table.add_column("value", overflow="fold")
    table.add_column("source", style="dim")
    for key, value, source in rows:
        table.add_row(key, "" if value is None else str(value), source)
    console().print(table)
    console().print(f"provider in force: [bold]{loaded.settings.provider()}[/bold]")


@app.command("validate")
def validate(
    file: Path | None = typer.Argument(None, help="Config file (default: the one in force)."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Check a config file; exit 2 with ``file:line: message`` when it is wrong."""
    from agentops_cli.config import find_config_file, read_config_file

    path = find_config_file(file or state().config)
    if path is None:
        message = "no config file found (defaults in force)"
    else:
        read_config_file(path)
        state().load()  # environment and flags must be valid on top of it too
        message = f"{path}: ok"
    if json_output:
        print_json({"valid": True, "config_file": str(path) if path else None, "message": message})
    else:
        console().print(message)


@app.command("init")
def init(
    path: Path = typer.Argument(Path("agentops.yaml"), help="Where to write the starter config."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Write a starter ``agentops.yaml`` with every key documented."""
    from agentops_cli.errors import BadInput
    from agentops_cli.resources import config_example

    if path.exists() and not force:
        raise BadInput(f"{path}: already exists (use --force to overwrite)")
    path.write_text(config_example().read_text(encoding="utf-8"), encoding="utf-8")
    if json_output:
        print_json({"written": str(path)})
    else:
        console().print(f"wrote {path}")
