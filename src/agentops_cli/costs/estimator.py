"""The cost forecast behind ``agentops cost``: per request, day, month (30 d) and year (365 d).

Why this shape: the seeds price an agent with one per-token figure, which is wrong for every
current model. Here each request is priced as the provider bills it — uncached input, cached
input and output at their own prices — then scaled by the response-cache hit rate (a hit costs
nothing) and by volume. Routing mixes and the ROI against human agents are computed from the
same per-request figures, so every number on screen adds up. All arithmetic is Decimal;
floats appear only in the JSON rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

from agentops_cli.costs.inputs import parse_mix, read_prompt_file, read_run
from agentops_cli.costs.prices import ModelPrice, load_price_table
from agentops_cli.errors import BadInput

if TYPE_CHECKING:
    from agentops_cli.config import Settings

DAYS_PER_MONTH = 30
DAYS_PER_YEAR = 365
DEFAULT_INPUT_TOKENS = 400
DEFAULT_OUTPUT_TOKENS = 100
DEFAULT_AUTOMATION_RATE = Decimal(1)


def _float(value: Decimal) -> float:
    return float(value)


# Decimal inside, a JSON number outside (pydantic would otherwise dump Decimal as a string).
# A Python function rather than the builtin ``float``: pydantic inspects a serializer's
# signature for every field, and a builtin's is parsed from text (~0.3 ms each, 40+ fields).
Num = Annotated[Decimal, PlainSerializer(_float, return_type=float, when_used="json")]
OptNum = Annotated[
    Decimal | None, PlainSerializer(lambda v: None if v is None else float(v), when_used="json")
]


def _number(value: Decimal) -> int | float:
    """Whole token counts print as integers (400, not 400.0); averages keep their fraction."""
    return int(value) if value == value.to_integral_value() else float(value)


Tokens = Annotated[Decimal, PlainSerializer(_number, when_used="json")]


class CostQuery(BaseModel):
    """Everything ``agentops cost`` was asked; ``None`` means "flag not given"."""

    rpd: int | None = None
    models: list[str] = []
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_hit_rate: float | None = None
    cached_input_ratio: float | None = None
    mix: str | None = None
    human_cost_per_hour: float | None = None
    minutes_per_query: float | None = None
    automation_rate: float | None = None
    investment: float | None = None
    prompt_file: Path | None = None
    from_run: str | None = None


class ModelCost(BaseModel):
    model: str
    provider: str
    input_tokens: Tokens
    output_tokens: Tokens
    cached_input_tokens: Tokens
    token_count: str
    per_llm_call_usd: Num
    per_request_usd: Num
    per_day_usd: Num
    per_month_usd: Num
    per_year_usd: Num
    context_window: int | None
    notes: list[str] = []


class MixCost(BaseModel):
    shares: dict[str, Num]
    per_request_usd: Num
    per_day_usd: Num
    per_month_usd: Num
    per_year_usd: Num
    baseline_model: str
    baseline_per_month_usd: Num
    saving_per_month_usd: Num
    saving_pct: Num


class RoiOption(BaseModel):
    basis: str
    llm_cost_per_month_usd: Num
    monthly_saving_usd: Num
    yearly_saving_usd: Num
    payback_months: OptNum
    payback_days: OptNum
    roi_year1_pct: OptNum


class Roi(RoiOption):
    human_cost_per_hour_usd: Num
    minutes_per_query: Num
    automation_rate: Num
    human_cost_per_query_usd: Num
    human_cost_per_month_usd: Num
    automated_queries_per_month: Num
    human_cost_avoided_per_month_usd: Num
    investment_usd: OptNum
    by_model: list[RoiOption]


class Forecast(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    rpd: int
    days_per_month: int = DAYS_PER_MONTH
    days_per_year: int = DAYS_PER_YEAR
    assumptions: dict[str, object]
    models: list[ModelCost]
    mix: MixCost | None
    roi: Roi | None
    price_table: dict[str, str]


def _dec(value: float | int) -> Decimal:
    """A flag value as the decimal the user typed (0.1 stays 0.1, not 0.1000000000000000055…)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _rate(name: str, value: float | None) -> Decimal | None:
    if value is None:
        return None
    if not 0 <= value <= 1:
        raise BadInput(f"{name} must be between 0 and 1, got {value:g}")
    return _dec(value)


def _non_negative(name: str, value: float | None, *, positive: bool = False) -> Decimal | None:
    if value is None:
        return None
    if value < 0 or (positive and value == 0) or value != value:
        raise BadInput(f"{name} must be {'positive' if positive else 'zero or more'}, got {value:g}")
    return _dec(value)


@dataclass(frozen=True)
class _Tokens:
    """Input/output tokens per request for one model, and how they were obtained.

    A plain dataclass: it never leaves this module and its fields are already Decimals, so a
    pydantic model would only add a validator build to every start of ``agentops cost``.
    """

    input: Decimal
    output: Decimal
    cached_ratio: Decimal
    how: str
    note: str | None = None


def _token_plan(query: CostQuery, settings: Settings) -> tuple[dict, object]:
    """Resolve the token source once: flags/defaults, ``--prompt-file`` or ``--from-run``."""
    if query.from_run is not None and (query.input_tokens is not None or query.prompt_file is not None):
        raise BadInput("--from-run already gives the input tokens; drop --input-tokens/--prompt-file")
    if query.prompt_file is not None and query.input_tokens is not None:
        raise BadInput("--prompt-file and --input-tokens both set the input tokens; give one")
    for name, value in (("--input-tokens", query.input_tokens), ("--output-tokens", query.output_tokens)):
        if value is not None and value < 0:
            raise BadInput(f"{name} must be zero or more, got {value}")
    if query.from_run is not None:
        run = read_run(Path(settings.runs_dir), query.from_run)
        return {"source": "run", "run": run}, run
    if query.prompt_file is not None:
        return {"source": "prompt-file", "text": read_prompt_file(query.prompt_file)}, None
    return {"source": "flags" if query.input_tokens is not None else "default"}, None


def _tokens_for(model: str, plan: dict, query: CostQuery, settings: Settings) -> _Tokens:
    ratio_flag = _rate("--cached-input-ratio", query.cached_input_ratio)
    output = Decimal(query.output_tokens if query.output_tokens is not None else DEFAULT_OUTPUT_TOKENS)
    if plan["source"] == "run":
        run = plan["run"]
        return _Tokens(
            input=run.input_tokens,
            output=run.output_tokens if query.output_tokens is None else output,
            cached_ratio=run.cached_ratio if ratio_flag is None else ratio_flag,
            how=f"measured (run {run.run_id}, n={run.n})",
        )
    ratio = ratio_flag if ratio_flag is not None else Decimal(0)
    if plan["source"] == "prompt-file":
        from agentops_cli.costs.tokens import count_tokens

        counted = count_tokens(plan["text"], model, settings)
        how = f"counted ({counted.encoding})" if counted.exact else f"approximate ({counted.encoding})"
        return _Tokens(
            input=Decimal(counted.tokens), output=output, cached_ratio=ratio, how=how, note=counted.note
        )
    tokens = query.input_tokens if query.input_tokens is not None else DEFAULT_INPUT_TOKENS
    return _Tokens(input=Decimal(tokens), output=output, cached_ratio=ratio, how=plan["source"])


def _model_cost(entry: ModelPrice, tokens: _Tokens, rpd: int, hit_rate: Decimal) -> ModelCost:
    cached = tokens.input * tokens.cached_ratio
    per_call = entry.cost(tokens.input, tokens.output, cached)
    per_request = per_call * (1 - hit_rate)
    per_day = per_request * rpd
    notes = [tokens.note] if tokens.note else []
    if entry.context_window is not None and tokens.input > entry.context_window:
        notes.append(f"input exceeds the context window ({entry.context_window:,} tokens)")
    if entry.long_context is not None and tokens.input > entry.long_context.above_tokens:
        notes.append(f"long-context prices apply (prompt > {entry.long_context.above_tokens:,} tokens)")
    return ModelCost(
        model=entry.name,
        provider=entry.provider,
        input_tokens=tokens.input,
        output_tokens=tokens.output,
        cached_input_tokens=cached,
        token_count=tokens.how,
        per_llm_call_usd=per_call,
        per_request_usd=per_request,
        per_day_usd=per_day,
        per_month_usd=per_day * DAYS_PER_MONTH,
        per_year_usd=per_day * DAYS_PER_YEAR,
        context_window=entry.context_window,
        notes=notes,
    )


def _mix_cost(shares: dict[str, Decimal], costs: dict[str, ModelCost], rpd: int) -> MixCost:
    per_request = sum((share * costs[m].per_request_usd for m, share in shares.items()), Decimal(0))
    baseline = max((costs[m] for m in shares), key=lambda c: c.per_request_usd)
    per_day = per_request * rpd
    saving = baseline.per_month_usd - per_day * DAYS_PER_MONTH
    pct = saving / baseline.per_month_usd * 100 if baseline.per_month_usd else Decimal(0)
    return MixCost(
        shares=shares,
        per_request_usd=per_request,
        per_day_usd=per_day,
        per_month_usd=per_day * DAYS_PER_MONTH,
        per_year_usd=per_day * DAYS_PER_YEAR,
        baseline_model=baseline.model,
        baseline_per_month_usd=baseline.per_month_usd,
        saving_per_month_usd=saving,
        saving_pct=pct,
    )


def _roi_option(
    basis: str, llm_per_day: Decimal, avoided_per_day: Decimal, investment: Decimal | None
) -> RoiOption:
    saving_per_day = avoided_per_day - llm_per_day
    yearly = saving_per_day * DAYS_PER_YEAR
    payback_months = payback_days = roi_pct = None
    if investment is not None:
        if saving_per_day > 0:
            payback_days = investment / saving_per_day
            payback_months = payback_days / DAYS_PER_MONTH
        if investment > 0:
            roi_pct = (yearly - investment) / investment * 100
    return RoiOption(
        basis=basis,
        llm_cost_per_month_usd=llm_per_day * DAYS_PER_MONTH,
        monthly_saving_usd=saving_per_day * DAYS_PER_MONTH,
        yearly_saving_usd=yearly,
        payback_months=payback_months,
        payback_days=payback_days,
        roi_year1_pct=roi_pct,
    )


def _roi(query: CostQuery, rpd: int, options: list[tuple[str, Decimal]]) -> Roi | None:
    """Human cost avoided by the automated share, minus what the LLM costs on every query."""
    hourly = _non_negative("--human-cost-per-hour", query.human_cost_per_hour)
    minutes = _non_negative("--minutes-per-query", query.minutes_per_query, positive=True)
    rate = _rate("--automation-rate", query.automation_rate)
    investment = _non_negative("--investment", query.investment)
    if hourly is None and minutes is None:
        if rate is not None or investment is not None:
            raise BadInput(
                "--automation-rate/--investment need --human-cost-per-hour and --minutes-per-query"
            )
        return None
    if hourly is None or minutes is None:
        raise BadInput("ROI needs both --human-cost-per-hour and --minutes-per-query")
    rate = DEFAULT_AUTOMATION_RATE if rate is None else rate
    per_query = hourly * minutes / 60
    automated_per_day = rpd * rate
    avoided_per_day = per_query * automated_per_day
    by_model = [_roi_option(basis, per_day, avoided_per_day, investment) for basis, per_day in options]
    main = by_model[0]
    return Roi(
        **main.model_dump(),
        human_cost_per_hour_usd=hourly,
        minutes_per_query=minutes,
        automation_rate=rate,
        human_cost_per_query_usd=per_query,
        human_cost_per_month_usd=per_query * rpd * DAYS_PER_MONTH,
        automated_queries_per_month=automated_per_day * DAYS_PER_MONTH,
        human_cost_avoided_per_month_usd=avoided_per_day * DAYS_PER_MONTH,
        investment_usd=investment,
        by_model=by_model,
    )


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def forecast(query: CostQuery, settings: Settings) -> Forecast:
    """Price ``query`` with the one price table (plus the user's ``prices:``)."""
    if query.rpd is None:
        raise BadInput("--rpd is required: requests per day, e.g. 'agentops cost --rpd 1000'")
    if query.rpd <= 0:
        raise BadInput(f"--rpd must be a positive number of requests per day, got {query.rpd}")
    hit_rate = _rate("--cache-hit-rate", query.cache_hit_rate) or Decimal(0)
    _rate("--cached-input-ratio", query.cached_input_ratio)
    table = load_price_table(settings)
    plan, run = _token_plan(query, settings)
    shares = parse_mix(query.mix) if query.mix is not None else {}

    names = _unique([*query.models, *shares])
    if not names:
        run_model = getattr(run, "model", None)
        names = [run_model if run_model else settings.llm.model]
    entries = {name: table.get(name) for name in names}
    costs = {
        name: _model_cost(entry, _tokens_for(entry.name, plan, query, settings), query.rpd, hit_rate)
        for name, entry in entries.items()
    }
    mix = _mix_cost(shares, costs, query.rpd) if shares else None
    ordered = sorted(costs.values(), key=lambda c: (c.per_month_usd, c.model))
    options = [("mix", mix.per_day_usd)] if mix else []
    options += [(c.model, c.per_day_usd) for c in ordered]
    first = ordered[0]
    assumptions: dict[str, object] = {
        "input_tokens": _number(first.input_tokens),
        "output_tokens": _number(first.output_tokens),
        "token_source": plan["source"],
        "cache_hit_rate": float(hit_rate),
        "cached_input_ratio": float(_rate("--cached-input-ratio", query.cached_input_ratio) or 0)
        if plan["source"] != "run"
        else float(first.cached_input_tokens / first.input_tokens if first.input_tokens else 0),
        "month": f"{DAYS_PER_MONTH} days",
        "year": f"{DAYS_PER_YEAR} days",
    }
    if query.prompt_file is not None:
        assumptions["prompt_file"] = str(query.prompt_file)
    if run is not None:
        assumptions["from_run"] = run.run_id
        assumptions["run_requests"] = run.n
    return Forecast(
        rpd=query.rpd,
        assumptions=assumptions,
        models=ordered,
        mix=mix,
        roi=_roi(query, query.rpd, options),
        price_table={"as_of": table.as_of, "source": table.source},
    )


def price_list(settings: Settings | None = None) -> dict[str, object]:
    """The table for ``agentops cost models``: date, source and every model's prices."""
    table = load_price_table(settings)
    models = []
    for entry in table.models.values():
        row = entry.public()
        row["origin"] = "config" if entry.name in table.overridden else "table"
        models.append(row)
    return {"as_of": table.as_of, "source": table.source, "unit": "USD per 1M tokens", "models": models}
