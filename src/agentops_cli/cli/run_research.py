"""``agentops run research``: parse flags, run the research agent, render the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from agentops_cli.cli.common import JSON_OPTION, console, err_console, print_json, state
from agentops_cli.cli.run_flags import (
    BASE_URL_OPTION,
    MODEL_OPTION,
    NO_FAILOVER_OPTION,
    PROVIDER_OPTION,
    check_out,
    run_settings,
    write_report,
)


def research(
    question: str = typer.Argument(..., help="The research question."),
    corpus: Path | None = typer.Option(
        None,
        "--corpus",
        help="Folder of md/txt/html/pdf sources (default: research.corpus or the bundled corpus).",
    ),
    max_sources: int | None = typer.Option(None, "--max-sources", min=1, help="Most documents to draw on."),
    out: Path | None = typer.Option(None, "--out", help="Also write the Markdown report to this file."),
    provider: str | None = PROVIDER_OPTION,
    model: str | None = MODEL_OPTION,
    base_url: str | None = BASE_URL_OPTION,
    no_cache: bool = typer.Option(False, "--no-cache", help="Bypass the response and corpus index caches."),
    no_failover: bool = NO_FAILOVER_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Plan sub-questions, gather from a corpus and write a report with verified citations."""
    check_out(out)
    settings = run_settings(provider, model, base_url, no_cache, no_failover)
    from agentops_cli.agents.runner import run_agent

    options: dict[str, Any] = {"corpus": str(corpus) if corpus else None, "max_sources": max_sources}
    if not state().quiet:
        options["on_phase"] = _phase_printer()
    result = run_agent("research", question, settings, options).model_dump(mode="json")
    if out is not None:
        write_report(out, result["report"])
    if json_output:
        print_json(result)
        return
    _render(result, out)


def _phase_printer():
    """One dim line per phase on stderr (stdout stays clean for ``--json``)."""
    err = err_console()

    def show(phase: str, detail: str) -> None:
        err.print(
            f"[dim]research › {phase}[/dim] {detail}".rstrip(), highlight=False, markup=True, soft_wrap=True
        )

    return show


def _render(result: dict[str, Any], out: Path | None) -> None:
    from rich.markdown import Markdown

    con = console()
    con.print(Markdown(result["report"]))
    usage = result["usage"]
    footer = (
        f"{result['provider']}/{result['model']} · {len(result['citations'])} citations · "
        f"{usage['input_tokens']}+{usage['output_tokens']} tokens · ${result['cost_usd']:.4f} · "
        f"{result['latency_ms']:.0f} ms · run {result['run_id']}"
    )
    con.print(f"[dim]{footer}[/dim]", highlight=False)
    if result["flags"]:
        con.print(f"[yellow]flags:[/yellow] {', '.join(result['flags'])}", highlight=False)
    if out is not None:
        con.print(f"[green]report written to[/green] {out}", highlight=False)
