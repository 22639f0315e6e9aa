"""``agentops cost``: cost forecast by model, and ``agentops cost models``: the price table.

Flags are parsed here and handed to :mod:`agentops_cli.costs.estimator`; this module only
renders. It must stay light: ``agentops cost`` answers in well under 200 ms.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from agentops_cli.cli.common import JSON_OPTION, console, print_json, state

if TYPE_CHECKING:
    from agentops_cli.costs.estimator import Forecast

app = typer.Typer(help="Cost forecast per request / day / month, by model, with caching, routing and ROI.")


@app.callback(invoke_without_command=True)
def cost(
    ctx: typer.Context,
    rpd: int | None = typer.Option(None, "--rpd", help="Requests per day (required)."),
    model: list[str] | None = typer.Option(
        None, "--model", "-m", help="Model to price; repeat for a side-by-side table. Default: llm.model."
    ),
    input_tokens: int | None = typer.Option(
        None, "--input-tokens", help="Input tokens per request (default 400)."
    ),
    output_tokens: int | None = typer.Option(
        None, "--output-tokens", help="Output tokens per request (default 100)."
    ),
    cache_hit_rate: float | None = typer.Option(
        None, "--cache-hit-rate", help="Share of requests answered by the response cache, 0-1 (they cost 0)."
    ),
    cached_input_ratio: float | None = typer.Option(
        None, "--cached-input-ratio", help="Share of input tokens billed at the cached-input price, 0-1."
    ),
    mix: str | None = typer.Option(
        None, "--mix", help="Routing mix MODEL=SHARE,... summing to 1, e.g. gpt-4o-mini=0.8,gpt-4o=0.2."
    ),
    human_cost_per_hour: float | None = typer.Option(
        None, "--human-cost-per-hour", help="ROI: cost of a human agent, USD per hour."
    ),
    minutes_per_query: float | None = typer.Option(
        None, "--minutes-per-query", help="ROI: minutes a human spends per query."
    ),
    automation_rate: float | None = typer.Option(
        None, "--automation-rate", help="ROI: share of queries the agent resolves alone, 0-1 (default 1)."
    ),
    investment: float | None = typer.Option(
        None, "--investment", help="ROI: up-front investment in USD, for payback and year-1 ROI."
    ),
    prompt_file: Path | None = typer.Option(
        None, "--prompt-file", help="Measure input tokens from a real prompt (offline tokenizer)."
    ),
    from_run: str | None = typer.Option(
        None, "--from-run", help="Use average tokens per request measured by an eval run (RUN_ID or last)."
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Forecast cost per request / day / month / year (or use a sub-command)."""
    if ctx.invoked_subcommand is not None:
        return
    from agentops_cli.costs.estimator import CostQuery, forecast

    query = CostQuery(
        rpd=rpd,
        models=model or [],
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_hit_rate=cache_hit_rate,
        cached_input_ratio=cached_input_ratio,
        mix=mix,
        human_cost_per_hour=human_cost_per_hour,
        minutes_per_query=minutes_per_query,
        automation_rate=automation_rate,
        investment=investment,
        prompt_file=prompt_file,
        from_run=from_run,
    )
    result = forecast(query, state().settings())
    if json_output:
        print_json(result)
        return
    render_forecast(result)


@app.command("models")
def models(json_output: bool = JSON_OPTION) -> None:
    """List the price table (USD per 1M tokens) with its date and source."""
    from agentops_cli.costs.estimator import price_list

    data = price_list(state().settings())
    if json_output:
        print_json(data)
        return
    render_price_list(data)


def usd(value: Decimal | float, places: int = 2) -> str:
    """Money for people: thousands separators; more places for sub-cent amounts."""
    amount = Decimal(str(value))
    if amount != 0 and abs(amount) < 1 and places < 6:
        places = 6 if abs(amount) < Decimal("0.01") else 4
    return f"${amount:,.{places}f}"


def _pct(value: Decimal | float) -> str:
    return f"{Decimal(str(value)) * 100:.4g}%"


def render_forecast(result: Forecast) -> None:
    """Side-by-side table sorted by monthly cost, then the mix and ROI panels."""
    from rich.table import Table

    out = console()
    a = result.assumptions
    table = Table(title=f"Cost forecast: {result.rpd:,} requests/day", title_justify="left")
    for name in ("model", "in/out tokens", "per request", "per day", "per month (30 d)", "per year (365 d)"):
        table.add_column(name, justify="left" if name == "model" else "right", no_wrap=name == "model")
    notes: list[str] = []
    for row in result.models:
        approx = "~" if row.token_count.startswith("approximate") else ""
        tokens = f"{approx}{row.input_tokens:,.0f}/{row.output_tokens:,.0f}"
        table.add_row(
            row.model,
            tokens,
            usd(row.per_request_usd, 6),
            usd(row.per_day_usd),
            usd(row.per_month_usd),
            usd(row.per_year_usd),
        )
        notes += [f"{row.model}: {note}" for note in row.notes]
    out.print(table)
    out.print(_token_line(result))
    out.print(
        f"response-cache hit rate {_pct(a['cache_hit_rate'])} (hits cost $0) · "
        f"cached input {_pct(a['cached_input_ratio'])} of input tokens"
    )
    for note in notes:
        out.print(f"[yellow]note[/]: {note}")
    if result.mix is not None:
        m = result.mix
        shares = ", ".join(f"{name} {_pct(share)}" for name, share in m.shares.items())
        out.print(
            f"\n[bold]Routing mix[/] ({shares}): {usd(m.per_request_usd, 6)}/request, "
            f"{usd(m.per_month_usd)}/month; saves {usd(m.saving_per_month_usd)}/month "
            f"({m.saving_pct:.1f}%) vs {m.baseline_model} alone ({usd(m.baseline_per_month_usd)}/month)"
        )
    if result.roi is not None:
        _render_roi(result)
    out.print(
        f"\n[dim]prices as of {result.price_table['as_of']} · {result.price_table['source']}[/]",
        soft_wrap=True,
    )


def _token_line(result: Forecast) -> str:
    """Say where the token counts come from: a budget is only as good as its assumptions."""
    a = result.assumptions
    source = a["token_source"]
    if source == "prompt-file":
        return (
            f"input tokens counted offline from {a['prompt_file']} with each model's tokenizer "
            "(~ = approximate)"
        )
    if source == "run":
        return f"tokens per request: measured averages of eval run {a['from_run']} (n={a['run_requests']})"
    if source == "default":
        return "tokens per request: defaults (400 in / 100 out); set --input-tokens/--output-tokens"
    return "tokens per request: from --input-tokens/--output-tokens"


def _render_roi(result: Forecast) -> None:
    from rich.table import Table

    r = result.roi
    assert r is not None
    out = console()
    out.print(
        f"\n[bold]ROI vs humans[/]: {usd(r.human_cost_per_hour_usd)}/h × {r.minutes_per_query:g} min "
        f"= {usd(r.human_cost_per_query_usd)}/query; {_pct(r.automation_rate)} automated = "
        f"{r.automated_queries_per_month:,.0f} queries/month, {usd(r.human_cost_avoided_per_month_usd)} "
        "of human time avoided/month"
    )
    table = Table(title_justify="left")
    # short headers so six columns fit 80 terminal columns; the model name may wrap, numbers never
    for name in ("option", "LLM/month", "saved/month", "saved/year", "payback", "ROI yr 1"):
        left = name == "option"
        table.add_column(name, justify="left" if left else "right", no_wrap=not left, overflow="fold")
    for opt in r.by_model:
        payback = (
            "-"
            if opt.payback_days is None
            else (
                f"{opt.payback_days:,.1f} days"
                if opt.payback_days < 60
                else f"{opt.payback_months:,.1f} months"
            )
        )
        roi = "-" if opt.roi_year1_pct is None else f"{opt.roi_year1_pct:,.0f}%"
        table.add_row(
            opt.basis,
            usd(opt.llm_cost_per_month_usd),
            usd(opt.monthly_saving_usd, 0),
            usd(opt.yearly_saving_usd, 0),
            payback,
            roi,
        )
    out.print(table)
    if r.investment_usd is None:
        out.print("[dim]add --investment USD for payback and year-1 ROI[/]")
    elif any(o.payback_days is None for o in r.by_model):
        out.print("[yellow]note[/]: no payback where the LLM costs more than the human time it saves")


def render_price_list(data: dict[str, Any]) -> None:
    """The table of ``agentops cost models``."""
    from rich.table import Table

    table = Table(title=f"Prices, USD per 1M tokens (as of {data['as_of']})", title_justify="left")
    for name in ("model", "provider", "input", "cached", "output", "context", "long context"):
        left = name in ("model", "provider", "long context")
        table.add_column(name, justify="left" if left else "right", no_wrap=name != "long context")
    for row in data["models"]:
        tier = row.get("long_context")
        long_ctx = (
            f">{tier['above_tokens'] // 1000}k: {tier['input']:g}/{tier['cached_input']:g}/{tier['output']:g}"
            if tier
            else ""
        )
        ctx = f"{row['context_window']:,}" if row.get("context_window") else "-"
        name = row["model"] if row["origin"] == "table" else f"{row['model']} (config)"
        table.add_row(
            name,
            row["provider"],
            f"{row['input']:g}",
            f"{row['cached_input']:g}",
            f"{row['output']:g}",
            ctx,
            long_ctx,
        )
    out = console()
    out.print(table)
    out.print(f"[dim]source: {data['source']}[/]", soft_wrap=True)
