"""The one price table: every dollar figure in agentops is computed here.

Why one module: the forecast of ``agentops cost``, the ``cost_usd`` of every run and the
``--max-cost`` budget of an eval must agree to the micro-dollar, so they all price usage
through :func:`cost_of` / :meth:`PriceTable.get` over the same data file
(``prices.json``, with its ``source`` and ``as_of``), plus the user's ``prices:`` overrides.
The table is JSON, one line per model, because the standard library parses it in well under a
millisecond, while importing a YAML parser would cost ``agentops cost`` ~10 ms at every start.

Money is :class:`~decimal.Decimal` end to end (per-token prices such as $0.075 per 1M do not
fit integer cents or float sums without drift); it is rounded only for display.
"""

from __future__ import annotations

import difflib
import json
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agentops_cli.errors import BadInput

if TYPE_CHECKING:
    from agentops_cli.config import Settings
    from agentops_cli.llm.usage import Usage

PRICES_FILE = Path(__file__).with_name("prices.json")
MILLION = Decimal(1_000_000)
ZERO = Decimal(0)

# Dated snapshots and provider prefixes that APIs report ("gpt-4o-mini-2024-07-18",
# "openai/gpt-4o", "claude-haiku-4-5-20251001") resolve to the table's base name.
_DATE_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8})$")


def _decimal(value: Any) -> Any:
    """Floats from the data file or the config become exact decimals of their printed form
    (0.15 → Decimal('0.15'))."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LongContextTier(_Strict):
    """Prices billed for the whole request once its prompt exceeds ``above_tokens``."""

    above_tokens: int = Field(gt=0)
    input: Decimal = Field(ge=0)
    cached_input: Decimal | None = Field(None, ge=0)
    output: Decimal = Field(ge=0)

    _as_decimal = field_validator("input", "cached_input", "output", mode="before")(_decimal)


class ModelPrice(_Strict):
    """One model's list prices in USD per 1M tokens."""

    name: str
    provider: str = "custom"
    input: Decimal = Field(ge=0)
    cached_input: Decimal | None = Field(None, ge=0, description="prompt-cache read; defaults to input")
    output: Decimal = Field(ge=0)
    context_window: int | None = Field(None, gt=0)
    encoding: str | None = Field(None, description="tiktoken encoding for exact offline counts")
    long_context: LongContextTier | None = None

    _as_decimal = field_validator("input", "cached_input", "output", mode="before")(_decimal)

    @property
    def cached_price(self) -> Decimal:
        return self.input if self.cached_input is None else self.cached_input

    def rates(self, prompt_tokens: int | Decimal) -> tuple[Decimal, Decimal, Decimal]:
        """(input, cached input, output) per 1M tokens for a prompt of this size."""
        tier = self.long_context
        if tier is not None and prompt_tokens > tier.above_tokens:
            cached = tier.input if tier.cached_input is None else tier.cached_input
            return tier.input, cached, tier.output
        return self.input, self.cached_price, self.output

    def cost(
        self, input_tokens: int | Decimal, output_tokens: int | Decimal, cached_tokens: int | Decimal = 0
    ) -> Decimal:
        """Exact USD of one call. ``cached_tokens`` are part of ``input_tokens``.

        Token counts may be fractional averages (a forecast from a measured run).

        Cached tokens beyond the input (a provider quirk) are capped at the input, so a
        malformed usage record never produces a negative bill.
        """
        cached = min(cached_tokens, input_tokens)
        price_in, price_cached, price_out = self.rates(input_tokens)
        micro = (input_tokens - cached) * price_in + cached * price_cached + output_tokens * price_out
        return micro / MILLION

    def public(self) -> dict[str, Any]:
        """JSON-ready view (prices as floats per 1M tokens)."""
        data = {"model": self.name, **self.model_dump(mode="json", exclude={"name"})}
        data["cached_input"] = float(self.cached_price)
        for key in ("input", "output"):
            data[key] = float(getattr(self, key))
        if self.long_context is not None:
            tier = self.long_context
            data["long_context"] = {
                "above_tokens": tier.above_tokens,
                "input": float(tier.input),
                "cached_input": float(tier.input if tier.cached_input is None else tier.cached_input),
                "output": float(tier.output),
            }
        return data


class PriceTable(_Strict):
    """All known models, with the date and source of the figures."""

    source: str
    as_of: str
    models: dict[str, ModelPrice]
    overridden: tuple[str, ...] = ()

    def find(self, model: str) -> ModelPrice | None:
        """The entry for ``model`` or a dated/prefixed variant of it; ``None`` when unknown."""
        for candidate in _candidates(model):
            if candidate in self.models:
                return self.models[candidate]
        return None

    def get(self, model: str) -> ModelPrice:
        """The entry for ``model``; unknown names are bad input with the closest names."""
        entry = self.find(model)
        if entry is not None:
            return entry
        close = difflib.get_close_matches(model.lower(), list(self.models), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise BadInput(
            f"unknown model '{model}'{hint} (see 'agentops cost models'; add prices under 'prices:' "
            "in the config file)"
        )

    def names(self) -> list[str]:
        return list(self.models)


def _candidates(model: str) -> list[str]:
    name = model.strip().lower()
    out = [model, name]
    if "/" in name:
        name = name.rsplit("/", 1)[1]
        out.append(name)
    undated = _DATE_SUFFIX.sub("", name)
    if undated != name:
        out.append(undated)
    return out


def _read_base() -> dict[str, Any]:
    """The shipped table; its ``about``, ``fields`` and ``notes`` keys are documentation."""
    with PRICES_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=16)
def _build(overrides_json: str) -> PriceTable:
    raw = _read_base()
    models: dict[str, dict[str, Any]] = {name: dict(spec) for name, spec in raw["models"].items()}
    overrides: dict[str, dict[str, Any]] = json.loads(overrides_json)
    for name, spec in overrides.items():
        if not isinstance(spec, dict):
            raise BadInput(f"prices.{name}: must be a mapping with input/output prices per 1M tokens")
        unknown = sorted(set(spec) - (set(ModelPrice.model_fields) - {"name"}))
        if unknown:
            allowed = ", ".join(k for k in ModelPrice.model_fields if k != "name")
            raise BadInput(f"prices.{name}.{unknown[0]}: unknown key (allowed: {allowed})")
        base = models.get(name, {"provider": "custom"})
        models[name] = {**base, **spec}
    entries: dict[str, ModelPrice] = {}
    for name, spec in models.items():
        try:
            entries[name] = ModelPrice(name=name, **spec)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            raise BadInput(f"prices.{name}.{where}: {message}") from exc
    return PriceTable(
        source=str(raw["source"]),
        as_of=str(raw["as_of"]),
        models=entries,
        overridden=tuple(sorted(overrides)),
    )


def load_price_table(settings: Settings | None = None) -> PriceTable:
    """The table with the user's ``prices:`` on top (cached per distinct set of overrides).

    Without ``settings`` only the shipped table is used: loading settings from disk behind a
    caller's back would make the same call price differently in different folders.
    """
    overrides = settings.prices if settings is not None else {}
    return _build(json.dumps(overrides, sort_keys=True, default=str))


def cost_of_decimal(model: str, usage: Usage, settings: Settings | None = None) -> Decimal:
    """Exact USD of ``usage`` on ``model``; unknown models cost 0 (a run must not fail on price)."""
    entry = load_price_table(settings).find(model)
    if entry is None:
        return ZERO
    return entry.cost(usage.input_tokens, usage.output_tokens, usage.cached_tokens)


def cost_of(model: str, usage: Usage, settings: Settings | None = None) -> float:
    """USD of ``usage`` on ``model``, as a float for JSON (``cost_usd`` of runs and evals).

    ``usage.input_tokens`` includes ``cached_tokens``: cached ones are billed at the cached
    price and the rest at the input price. Unknown models cost 0.0.
    """
    return float(cost_of_decimal(model, usage, settings))
