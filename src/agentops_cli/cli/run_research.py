"""``agentops run research``: parse flags, run the research agent, render the report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from agentops_cli.cli.common import JSON_OPTION, console, err_console, print_json, state
from agentops_cli.errors import BadInput


def research(
    question: str = typer.Argument(..., help="The research question."),
    corpus: Path | None = typer.Option(
        None,
        "--corpus",
        help="Folder of md/txt/html/pdf sources (default: research.corpus or the bundled corpus).",
    ),
    max_sources: int | None = typer.Option(None, "--max-sources", min=1, help="Most documents to draw on."),
    out: Path | None = typer.Option(None, "--out", help="Also write the Markdown report to this file."),
    provider: str | None = typer.Option(None, "--provider", help="offline or openai."),
    model: str | None = typer.Option(None, "--model", help="Model name for the openai provider."),
    base_url: str | None = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Bypass the response and corpus index caches."),
    no_failover: bool = typer.Option(False, "--no-failover", help="Fail (exit 3) instead of going offline."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Plan sub-questions, gather from a corpus and write a report with verified citations."""
    if provider is not None and provider not in ("offline", "openai"):
        raise BadInput(f"--provider: must be offline or openai, got '{provider}'")
    if out is not None and not out.parent.is_dir():
        raise BadInput(f"{out}: folder {out.parent} does not exist")
    settings = state().settings(
        {
            "llm.provider": provider,
            "llm.model": model,
            "llm.base_url": base_url,
            "cache.enabled": False if no_cache else None,
            "resilience.failover": False if no_failover else None,
        }
    )
    from agentops_cli.agents.runner import run_agent

    options: dict[str, Any] = {"corpus": str(corpus) if corpus else None, "max_sources": max_sources}
    if not state().quiet:
        options["on_phase"] = _phase_printer()
    result = run_agent("research", question, settings, options)
    if out is not None:
        _write(out, result["report"])
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


def _write(path: Path, text: str) -> None:
    """Write via a temporary file so an interrupted run never leaves half a report."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


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
