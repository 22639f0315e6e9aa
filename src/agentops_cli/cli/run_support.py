"""``agentops run support``: parse flags, run the support agent, render the answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from agentops_cli.cli.common import JSON_OPTION, console, print_json
from agentops_cli.cli.run_flags import (
    BASE_URL_OPTION,
    MODEL_OPTION,
    NO_CACHE_OPTION,
    NO_FAILOVER_OPTION,
    PROVIDER_OPTION,
    run_settings,
)
from agentops_cli.errors import BadInput


def support(
    query: str | None = typer.Argument(None, help="The customer query (omit with --resume)."),
    pack: Path | None = typer.Option(
        None,
        "--pack",
        help="Pack folder or a training CSV/JSONL (default: support.pack or the bundled pack).",
    ),
    provider: str | None = PROVIDER_OPTION,
    model: str | None = MODEL_OPTION,
    base_url: str | None = BASE_URL_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
    no_failover: bool = NO_FAILOVER_OPTION,
    hitl: bool = typer.Option(False, "--hitl", help="Pause for a human to approve or rewrite the answer."),
    thread: str | None = typer.Option(None, "--thread", help="Thread id for --hitl (default: a new one)."),
    resume: str | None = typer.Option(None, "--resume", help="Continue a paused --hitl run (thread id)."),
    approve: bool = typer.Option(False, "--approve", help="With --resume: send the answer as it is."),
    rewrite: str | None = typer.Option(
        None, "--rewrite", help="With --resume: replace the answer with TEXT."
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Answer a customer query: intent, confidence, answer with sources, escalate-to-human decision."""
    options = _options(query, pack, hitl, thread, resume, approve, rewrite)
    settings = run_settings(provider, model, base_url, no_cache, no_failover)
    from agentops_cli.agents.runner import run_agent

    result = run_agent("support", query or "", settings, options).model_dump(mode="json")
    if json_output:
        print_json(result)
    else:
        render(result)


def _options(
    query: str | None,
    pack: Path | None,
    hitl: bool,
    thread: str | None,
    resume: str | None,
    approve: bool,
    rewrite: str | None,
) -> dict[str, Any]:
    """Check flag combinations; the service gets one plain options dict."""
    if resume:
        if query:
            raise BadInput("--resume: give either QUERY or --resume THREAD, not both")
        if approve == (rewrite is not None):
            raise BadInput("--resume needs exactly one decision: --approve or --rewrite TEXT")
        decision = {"action": "approve"} if approve else {"action": "rewrite", "text": rewrite}
        return {"resume": resume, "decision": decision}
    if approve or rewrite is not None:
        raise BadInput("--approve/--rewrite only make sense with --resume THREAD")
    if query is None:
        raise BadInput("QUERY: missing (or use --resume THREAD)")
    if thread and not hitl:
        raise BadInput("--thread only makes sense with --hitl")
    return {"pack": str(pack) if pack else None, "hitl": hitl, "thread": thread}


def _bar(value: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, value)) * width)
    colour = "green" if value >= 0.75 else "yellow" if value >= 0.45 else "red"
    return f"[{colour}]{'█' * filled}[/{colour}][dim]{'░' * (width - filled)}[/dim] {value:.2f}"


def render(result: dict[str, Any]) -> None:
    """The rich panel: intent, confidence bar, answer, sources, escalation, latency, cost."""
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("Intent", f"{result['intent']}  [dim]({result.get('language', '')})[/dim]")
    grid.add_row("Confidence", _bar(float(result["confidence"])))
    grid.add_row("Answer", escape(result["answer"]))
    if result.get("draft_answer"):
        grid.add_row("Draft for agent", f"[dim]{escape(result['draft_answer'])}[/dim]")
    sources = result.get("sources") or []
    grid.add_row(
        "Sources",
        "\n".join(f"{s['id']}  [dim]{escape(s['title'])} · {s['score']:.2f}[/dim]" for s in sources) or "—",
    )
    if result["escalate"]:
        others = [r for r in result.get("escalation_reasons", []) if r != result["escalation_reason"]]
        more = f" [dim](also: {', '.join(others)})[/dim]" if others else ""
        grid.add_row("Escalate", f"[bold red]yes[/bold red] · {result['escalation_reason']}{more}")
    else:
        grid.add_row("Escalate", "[green]no[/green]")
    if result.get("flags"):
        grid.add_row("Flags", ", ".join(result["flags"]))
    usage = result["usage"]
    grid.add_row(
        "Run",
        f"{result['provider']}/{result['model']} · {result['latency_ms']:.0f} ms · ${result['cost_usd']:.6f}"
        f" · {usage['input_tokens']}+{usage['output_tokens']} tokens · run {result['run_id']}",
    )
    status = result.get("status", "done")
    if status == "pending_review":
        thread = result["thread_id"]
        grid.add_row(
            "Review",
            f"[yellow]waiting for a human[/yellow] · thread {thread}\n"
            f"agentops run support --resume {thread} --approve | --rewrite TEXT",
        )
    elif status in ("approved", "rewritten"):
        grid.add_row("Review", f"[green]{status} by a human[/green] · thread {result['thread_id']}")
    border = "red" if result["escalate"] else "green"
    console().print(Panel(grid, title="[bold]support[/bold]", border_style=border, expand=False))
