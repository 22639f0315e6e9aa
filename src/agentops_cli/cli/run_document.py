"""``agentops run document``: flags → settings → ``run_agent`` → rich view / JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from agentops_cli.cli.common import JSON_OPTION, console, err_console, print_json, show_progress
from agentops_cli.cli.run_flags import (
    BASE_URL_OPTION,
    MODEL_OPTION,
    NO_CACHE_OPTION,
    NO_FAILOVER_OPTION,
    PROVIDER_OPTION,
    check_out,
    run_settings,
    write_report,
)
from agentops_cli.errors import BadInput

TYPES = ("auto", "contract", "proposal", "policy", "invoice")
_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def document(
    path: str = typer.Argument(..., help="Document to analyse (txt, md, html, pdf, docx)."),
    doc_type: str = typer.Option(
        "auto", "--type", help="auto, contract, terms, proposal, policy or invoice."
    ),
    root: Path | None = typer.Option(
        None, "--root", help="Only read documents under this folder (default: document.root or the cwd)."
    ),
    provider: str | None = PROVIDER_OPTION,
    model: str | None = MODEL_OPTION,
    base_url: str | None = BASE_URL_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
    no_failover: bool = NO_FAILOVER_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Also write a Markdown report to this file."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Analyse a document: type, fields, clauses and risks, each with its place in the text."""
    if doc_type.lower() not in TYPES:
        raise BadInput(f"--type: unknown document type '{doc_type}' (choose from {', '.join(TYPES)})")
    check_out(out)
    settings = run_settings(
        provider, model, base_url, no_cache, no_failover, {"document.root": str(root) if root else None}
    )
    from agentops_cli.agents.runner import run_agent

    options: dict[str, Any] = {"type": doc_type.lower(), "root": str(root) if root else None}
    if show_progress():
        result = _run_with_progress(path, settings, options)
    else:
        result = run_agent("document", path, settings, options).model_dump(mode="json")
    if out is not None:
        from agentops_cli.agents.document.report import to_markdown

        write_report(out, to_markdown(result))
    if json_output:
        print_json(result)
    else:
        _render(result, out)


def _run_with_progress(path: str, settings: Any, options: dict[str, Any]) -> dict[str, Any]:
    from rich.progress import BarColumn, Progress, TextColumn

    from agentops_cli.agents.runner import run_agent

    with Progress(TextColumn("analysing {task.description}"), BarColumn(), console=err_console()) as bar:
        task = bar.add_task(Path(path).name, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return run_agent("document", path, settings, {**options, "progress": progress}).model_dump(
            mode="json"
        )


def _render(result: dict[str, Any], out: Path | None) -> None:
    from rich.panel import Panel
    from rich.table import Table

    from agentops_cli.agents.document.report import show_value

    con = console()
    header = (
        f"[bold]{result['doc_type']}[/] ({result['type_confidence']:.2f}) · {result['language']} · "
        f"{result['format']} · {result['provider']}/{result['model']}"
        + (" · [red]degraded[/]" if result["degraded"] else "")
    )
    con.print(Panel(header, title=result["path"], expand=False))
    table = Table(title="Fields", show_lines=False)
    for column in ("field", "value", "source text", "offsets"):
        table.add_column(column)
    for name, field in result["fields"].items():
        source = " ".join(field["text"].split())
        table.add_row(name, show_value(field["value"]), source[:70], f"{field['start']}–{field['end']}")
    con.print(table if result["fields"] else "[dim]No fields for this document type.[/]")
    risks = Table(title="Risks (by severity)")
    for column in ("severity", "risk", "evidence", "offsets"):
        risks.add_column(column)
    for risk in result["risks"]:
        style = _SEVERITY_STYLE.get(risk["severity"], "")
        evidence = " ".join(risk["evidence"].split())
        risks.add_row(
            f"[{style}]{risk['severity']}[/]", risk["type"], evidence[:90], f"{risk['start']}–{risk['end']}"
        )
    con.print(risks if result["risks"] else "[green]No risks found.[/]")
    con.print(Panel(result["summary"] or "-", title="Summary"))
    footer = f"{len(result['clauses'])} clauses · run {result['run_id']} · {result['latency_ms']:.0f} ms"
    if result["flags"]:
        footer += f" · flags: {', '.join(result['flags'])}"
    if out is not None:
        footer += f" · report: {out}"
    con.print(f"[dim]{footer}[/]")
