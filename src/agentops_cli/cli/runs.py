"""``agentops runs list|show``: the local run log of every ``agentops run`` (``observability/runlog.py``)."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION, console, narrow_terminal, print_json, state

app = typer.Typer(help="Inspect the local run log of agent runs.", no_args_is_help=True)


@app.command("list")
def list_runs(
    limit: int = typer.Option(20, "--limit", min=1, help="How many of the newest runs."),
    json_output: bool = JSON_OPTION,
) -> None:
    """The newest runs: id, agent, provider, degraded, cost, latency, error (details: ``show``)."""
    from agentops_cli.observability.runlog import read_runs, runlog_path

    settings = state().settings()
    runs = read_runs(settings, limit=limit)
    if json_output:
        print_json({"path": str(runlog_path(settings)), "runs": runs})
        return
    from rich.table import Table

    table = Table(title=f"runs ({runlog_path(settings)})", title_justify="left")
    columns = ["run_id", "agent", "provider", "deg", "cost $", "ms"]
    if narrow_terminal():
        columns.remove("provider")  # the error keeps room to be read; `runs show` has the rest
    for column in columns:
        table.add_column(column, no_wrap=True)
    table.add_column("error", overflow="fold", ratio=1, min_width=12)  # the rest of the width
    for run in runs:
        cells = {
            "run_id": str(run.get("run_id", "")),
            "agent": str(run.get("agent", "")),
            "provider": str(run.get("provider", "")),
            "deg": "yes" if run.get("degraded") else "",
            "cost $": f"{run.get('cost_usd') or 0:.4f}",
            "ms": f"{run.get('latency_ms') or 0:.0f}",
        }
        table.add_row(*[cells[c] for c in columns], str(run.get("error") or ""))
    console().print(table)


@app.command("show")
def show(
    run_id: str = typer.Argument(..., help="A run id, or 'last'."), json_output: bool = JSON_OPTION
) -> None:
    """One logged run as JSON (inputs are stored as a hash, secrets redacted)."""
    from agentops_cli.errors import BadInput
    from agentops_cli.observability.runlog import find_run, runlog_path

    settings = state().settings()
    run = find_run(settings, run_id)
    if run is None:
        raise BadInput(f"run '{run_id}' not found in {runlog_path(settings)}")
    if json_output:
        print_json(run)
    else:
        console().print_json(data=run)
