"""The one price table: data file, lookups, overrides and exact pricing of usage."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agentops_cli.config import Settings
from agentops_cli.costs.prices import cost_of, cost_of_decimal, load_price_table
from agentops_cli.errors import BadInput
from agentops_cli.llm.usage import Usage

REQUIRED = (
    "gpt-4o-mini",
    "gpt-4o",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "o3",
    "o4-mini",
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gpt-4",
    "offline",
)


def test_table_has_source_date_and_every_required_model() -> None:
    table = load_price_table()
    assert "litellm" in table.source and "model_prices_and_context_window.json" in table.source
    assert len(table.as_of) == 10 and table.as_of.startswith("20")
    assert set(REQUIRED) <= set(table.names())


def test_gpt_4o_mini_list_prices_are_exact_decimals() -> None:
    entry = load_price_table().get("gpt-4o-mini")
    assert (entry.input, entry.cached_price, entry.output) == (
        Decimal("0.15"),
        Decimal("0.075"),
        Decimal("0.60"),
    )
    assert entry.context_window == 128000
    assert entry.encoding == "o200k_base"


def test_offline_costs_nothing() -> None:
    assert cost_of("offline", Usage(input_tokens=10_000, output_tokens=5_000)) == 0.0


def test_cost_of_bills_cached_tokens_at_the_cached_price() -> None:
    # 600 uncached × 0.15 + 400 cached × 0.075 + 200 out × 0.60 = 90 + 30 + 120 = 240 µ$
    usage = Usage(input_tokens=1000, cached_tokens=400, output_tokens=200)
    assert cost_of("gpt-4o-mini", usage) == 0.00024
    assert cost_of_decimal("gpt-4o-mini", usage) == Decimal("0.00024")


def test_cost_of_unknown_model_is_zero_and_dated_names_resolve() -> None:
    usage = Usage(input_tokens=400, output_tokens=100)
    assert cost_of("no-such-model", usage) == 0.0
    assert cost_of("gpt-4o-mini-2024-07-18", usage) == 0.00012
    assert cost_of("openai/GPT-4o-mini", usage) == 0.00012
    assert cost_of("claude-haiku-4-5-20251001", usage) == 0.0009  # 400×1 + 100×5 = 900 µ$


def test_cached_tokens_beyond_input_are_capped() -> None:
    # a malformed record (cached > input) never bills below the cached price of all input
    usage = Usage(input_tokens=100, cached_tokens=500, output_tokens=0)
    assert cost_of("gpt-4o-mini", usage) == 0.0000075  # 100 × 0.075 µ$


def test_long_context_tier_bills_the_whole_request_above_the_threshold() -> None:
    sonnet = load_price_table().get("claude-sonnet-4-5")
    # 200,000 is not above the threshold: 200000×3 + 1000×15 = 615,000 µ$
    assert sonnet.cost(200_000, 1000) == Decimal("0.615")
    # 250,000 > 200,000: 250000×6 + 1000×22.5 = 1,522,500 µ$
    assert sonnet.cost(250_000, 1000) == Decimal("1.5225")
    # cached input in the tier: 250000 cached × 0.6 = 150,000 µ$
    assert sonnet.cost(250_000, 0, 250_000) == Decimal("0.15")


def test_gpt_4_has_no_cache_discount() -> None:
    assert cost_of("gpt-4", Usage(input_tokens=1000, cached_tokens=1000)) == 0.03


def test_unknown_model_suggests_close_names() -> None:
    with pytest.raises(BadInput, match=r"unknown model 'gpt-4o-mni'; did you mean gpt-4o-mini"):
        load_price_table().get("gpt-4o-mni")
    with pytest.raises(BadInput) as info:
        load_price_table().get("zzzzzzzz")
    assert "did you mean" not in str(info.value)


def test_user_prices_add_and_partially_override_models() -> None:
    settings = Settings(
        prices={
            "my-llama": {"provider": "vllm", "input": 0.2, "output": 0.4},
            "gpt-4o-mini": {"input": 0.3},
        }
    )
    table = load_price_table(settings)
    assert table.get("my-llama").cached_price == Decimal("0.2")  # defaults to input price
    mini = table.get("gpt-4o-mini")
    assert (mini.input, mini.cached_price, mini.output) == (Decimal("0.3"), Decimal("0.075"), Decimal("0.6"))
    assert table.overridden == ("gpt-4o-mini", "my-llama")
    # 400×0.2 + 100×0.4 = 120 µ$ ; the shipped table is untouched without settings
    assert cost_of("my-llama", Usage(input_tokens=400, output_tokens=100), settings) == 0.00012
    assert cost_of("my-llama", Usage(input_tokens=400, output_tokens=100)) == 0.0
    assert load_price_table(settings) is table  # cached


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"input": -1, "output": 1}, r"prices\.bad\.input: Input should be greater than or equal to 0"),
        ({"inptu": 1, "output": 1}, r"prices\.bad\.inptu: unknown key"),
        ({"output": 1}, r"prices\.bad\.input: Field required"),
        ({"name": "x", "input": 1, "output": 1}, r"prices\.bad\.name: unknown key"),
        (3, r"prices\.bad: must be a mapping"),
    ],
)
def test_bad_user_prices_are_bad_input(spec: object, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        load_price_table(Settings.model_construct(prices={"bad": spec}))


def test_public_view_is_json_ready() -> None:
    row = load_price_table().get("gemini-2.5-pro").public()
    assert row["model"] == "gemini-2.5-pro"
    assert (row["input"], row["cached_input"], row["output"]) == (1.25, 0.125, 10.0)
    assert row["long_context"] == {"above_tokens": 200000, "input": 2.5, "cached_input": 0.25, "output": 15.0}
