"""The forecast: every flag of ``agentops cost`` against hand-computed figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentops_cli.config import Settings
from agentops_cli.costs.estimator import CostQuery, forecast, price_list
from agentops_cli.errors import BadInput


def run(**kwargs: object) -> dict:
    """The forecast as its JSON document (floats), as scripts see it."""
    settings = kwargs.pop("settings", None) or Settings()
    return forecast(CostQuery(**kwargs), settings).model_dump(mode="json")


def by_model(result: dict) -> dict[str, dict]:
    return {m["model"]: m for m in result["models"]}


def test_done_when_gpt_4o_mini_400_100() -> None:
    result = run(rpd=1000, models=["gpt-4o-mini"], input_tokens=400, output_tokens=100)
    mini = result["models"][0]
    assert (mini["per_request_usd"], mini["per_day_usd"], mini["per_month_usd"]) == (0.00012, 0.12, 3.6)
    assert mini["per_year_usd"] == 43.8  # 0.12 × 365
    assert (result["rpd"], result["days_per_month"], result["days_per_year"]) == (1000, 30, 365)
    assert result["mix"] is None and result["roi"] is None
    assert result["price_table"]["as_of"]


def test_defaults_are_400_in_100_out_on_the_configured_model() -> None:
    result = run(rpd=1000, settings=Settings(llm={"model": "gpt-4o"}))
    assert result["assumptions"]["input_tokens"] == 400
    assert result["assumptions"]["output_tokens"] == 100
    assert result["assumptions"]["token_source"] == "default"
    # gpt-4o: 400×2.50 + 100×10 = 2000 µ$
    assert [(m["model"], m["per_request_usd"]) for m in result["models"]] == [("gpt-4o", 0.002)]


def test_several_models_are_sorted_by_monthly_cost() -> None:
    result = run(rpd=100, models=["gpt-4o", "gpt-4.1-nano", "gpt-4o-mini"])
    # nano 400×0.1+100×0.4 = 80 µ$, mini 120 µ$, 4o 2000 µ$ per request; ×100×30
    assert [(m["model"], m["per_month_usd"]) for m in result["models"]] == [
        ("gpt-4.1-nano", 0.24),
        ("gpt-4o-mini", 0.36),
        ("gpt-4o", 6.0),
    ]


def test_cache_hit_rate_makes_hits_free() -> None:
    mini = run(rpd=1000, models=["gpt-4o-mini"], cache_hit_rate=0.25)["models"][0]
    assert mini["per_llm_call_usd"] == 0.00012
    assert (mini["per_request_usd"], mini["per_day_usd"], mini["per_month_usd"]) == (0.00009, 0.09, 2.7)


def test_cached_input_ratio_bills_that_share_at_the_cached_price() -> None:
    # gpt-4o 1000 in, 0 out, half cached: 500×2.50 + 500×1.25 = 1875 µ$
    m = run(rpd=100, models=["gpt-4o"], input_tokens=1000, output_tokens=0, cached_input_ratio=0.5)
    gpt4o = m["models"][0]
    assert gpt4o["cached_input_tokens"] == 500
    assert (gpt4o["per_request_usd"], gpt4o["per_day_usd"], gpt4o["per_month_usd"]) == (
        0.001875,
        0.1875,
        5.625,
    )
    assert m["assumptions"]["cached_input_ratio"] == 0.5


def test_mix_blends_and_reports_the_saving_against_the_priciest_model() -> None:
    result = run(rpd=1000, mix="gpt-4o-mini=0.8,gpt-4o=0.2")
    mix = result["mix"]
    # 0.8 × 120 µ$ + 0.2 × 2000 µ$ = 496 µ$ per request
    assert mix["shares"] == {"gpt-4o-mini": 0.8, "gpt-4o": 0.2}
    assert (mix["per_request_usd"], mix["per_day_usd"], mix["per_month_usd"]) == (0.000496, 0.496, 14.88)
    assert mix["per_year_usd"] == 181.04
    assert (mix["baseline_model"], mix["baseline_per_month_usd"]) == ("gpt-4o", 60.0)
    assert mix["saving_per_month_usd"] == 45.12
    assert mix["saving_pct"] == 75.2
    assert sorted(by_model(result)) == ["gpt-4o", "gpt-4o-mini"]


def test_mix_accepts_percentages_and_adds_extra_models() -> None:
    result = run(rpd=10, models=["gpt-5-nano"], mix="gpt-4o-mini=50%,gpt-4.1-nano=50%")
    # (120 + 80) / 2 = 100 µ$ per request
    assert result["mix"]["per_request_usd"] == 0.0001
    assert result["mix"]["baseline_model"] == "gpt-4o-mini"
    assert sorted(by_model(result)) == ["gpt-4.1-nano", "gpt-4o-mini", "gpt-5-nano"]


def test_roi_with_the_seed_support_case() -> None:
    """Seed: $15/h agents, 10 min per query, 70 % automated, $20,000 invested; 1,000 queries/day."""
    roi = run(
        rpd=1000,
        models=["gpt-4o-mini"],
        human_cost_per_hour=15,
        minutes_per_query=10,
        automation_rate=0.7,
        investment=20000,
    )["roi"]
    assert roi["human_cost_per_query_usd"] == 2.5  # 15 × 10/60
    assert roi["human_cost_per_month_usd"] == 75000.0  # 2.5 × 1000 × 30
    assert roi["automated_queries_per_month"] == 21000  # 1000 × 0.7 × 30
    assert roi["human_cost_avoided_per_month_usd"] == 52500.0
    assert roi["basis"] == "gpt-4o-mini"
    assert roi["llm_cost_per_month_usd"] == 3.6
    assert roi["monthly_saving_usd"] == 52496.4  # 52,500 − 3.60
    assert roi["yearly_saving_usd"] == 638706.2  # (1750 − 0.12) × 365
    assert roi["payback_days"] == pytest.approx(11.429355155782, abs=1e-9)  # 20,000 / 1,749.88
    assert roi["payback_months"] == pytest.approx(0.380978505193, abs=1e-9)  # seed: "< 1 month"
    assert roi["roi_year1_pct"] == pytest.approx(3093.531, abs=1e-9)  # (638,706.2 − 20,000)/20,000
    assert roi["investment_usd"] == 20000.0


def test_roi_lists_every_option_with_the_mix_first() -> None:
    roi = run(
        rpd=500,
        mix="gpt-4o-mini=0.8,gpt-4o=0.2",
        human_cost_per_hour=15,
        minutes_per_query=10,
    )["roi"]
    assert roi["automation_rate"] == 1.0  # default: every query automated
    assert [o["basis"] for o in roi["by_model"]] == ["mix", "gpt-4o-mini", "gpt-4o"]
    # mix: 496 µ$ × 500 × 30 = 7.44 ; avoided 2.5 × 500 × 30 = 37,500
    assert roi["by_model"][0]["llm_cost_per_month_usd"] == 7.44
    assert roi["monthly_saving_usd"] == 37492.56
    assert roi["payback_days"] is None and roi["roi_year1_pct"] is None  # no --investment


def test_no_payback_when_the_llm_costs_more_than_it_saves() -> None:
    roi = run(
        rpd=100,
        models=["gpt-4"],
        input_tokens=100_000,
        output_tokens=0,
        human_cost_per_hour=1,
        minutes_per_query=1,
        investment=1000,
    )["roi"]
    # gpt-4: 100,000 × 30 µ$ = $3 per query vs 1/60 $ of human time
    assert roi["monthly_saving_usd"] < 0
    assert roi["payback_days"] is None and roi["payback_months"] is None
    assert roi["roi_year1_pct"] < -100


def test_money_does_not_drift() -> None:
    # 333 × 0.1 µ$ = 33.3 µ$; × 1000 × 30 = $0.999 exactly (floats give 0.9989999999999999)
    nano = run(rpd=1000, models=["gpt-4.1-nano"], input_tokens=333, output_tokens=0)["models"][0]
    assert nano["per_month_usd"] == 0.999


def test_context_window_and_long_context_notes() -> None:
    result = run(rpd=1, models=["gpt-4", "claude-sonnet-4-5"], input_tokens=250_000, output_tokens=1000)
    notes = {m["model"]: m["notes"] for m in result["models"]}
    assert notes["gpt-4"] == ["input exceeds the context window (8,192 tokens)"]
    assert "long-context prices apply" in notes["claude-sonnet-4-5"][1]
    assert by_model(result)["claude-sonnet-4-5"]["per_request_usd"] == 1.5225


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "--rpd is required"),
        ({"rpd": -5}, "--rpd must be a positive number of requests per day, got -5"),
        ({"rpd": 0}, "--rpd must be a positive"),
        ({"rpd": 1, "cache_hit_rate": 1.5}, "--cache-hit-rate must be between 0 and 1, got 1.5"),
        ({"rpd": 1, "cached_input_ratio": -0.1}, "--cached-input-ratio must be between 0 and 1"),
        ({"rpd": 1, "input_tokens": -1}, "--input-tokens must be zero or more"),
        ({"rpd": 1, "output_tokens": -1}, "--output-tokens must be zero or more"),
        ({"rpd": 1, "models": ["gpt-4o-mni"]}, "did you mean gpt-4o-mini"),
        ({"rpd": 1, "mix": "gpt-4o-mini=0.8,gpt-4o=0.1"}, "shares must sum to 1, they sum to 0.9"),
        ({"rpd": 1, "mix": "gpt-4o-mini=0.5,gpt-4o-mni=0.5"}, "did you mean gpt-4o-mini"),
        (
            {"rpd": 1, "human_cost_per_hour": 15},
            "ROI needs both --human-cost-per-hour and --minutes-per-query",
        ),
        ({"rpd": 1, "investment": 100}, "--automation-rate/--investment need --human-cost-per-hour"),
        ({"rpd": 1, "human_cost_per_hour": -1, "minutes_per_query": 1}, "--human-cost-per-hour must be zero"),
        (
            {"rpd": 1, "human_cost_per_hour": 1, "minutes_per_query": 0},
            "--minutes-per-query must be positive",
        ),
        (
            {"rpd": 1, "human_cost_per_hour": 1, "minutes_per_query": 1, "automation_rate": 2},
            "--automation-rate must be between 0 and 1",
        ),
        ({"rpd": 1, "input_tokens": 10, "prompt_file": Path("x.txt")}, "give one"),
        ({"rpd": 1, "input_tokens": 10, "from_run": "r1"}, "--from-run already gives the input tokens"),
    ],
)
def test_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(BadInput, match=message.replace("(", r"\(").replace("+", r"\+")):
        run(**kwargs)


def write_run(runs: Path, run_id: str, summary: object) -> None:
    (runs / run_id).mkdir(parents=True)
    text = summary if isinstance(summary, str) else json.dumps(summary)
    (runs / run_id / "summary.json").write_text(text, encoding="utf-8")


def test_from_run_uses_measured_averages(tmp_path: Path) -> None:
    write_run(
        tmp_path,
        "r1",
        {
            "n": 10,
            "model": "gpt-4o-mini",
            "usage": {"input_tokens": 5000, "output_tokens": 1500, "cached_tokens": 1000},
        },
    )
    result = run(rpd=1000, from_run="r1", settings=Settings(runs_dir=tmp_path))
    mini = result["models"][0]
    # avg 500 in (20 % cached = 100), 150 out: 400×0.15 + 100×0.075 + 150×0.60 = 157.5 µ$
    assert (mini["model"], mini["input_tokens"], mini["output_tokens"]) == ("gpt-4o-mini", 500, 150)
    assert (mini["per_request_usd"], mini["per_day_usd"], mini["per_month_usd"]) == (0.0001575, 0.1575, 4.725)
    assert result["assumptions"]["from_run"] == "r1"
    assert result["assumptions"]["cached_input_ratio"] == 0.2


def test_from_run_prices_other_models_and_takes_flags_on_top(tmp_path: Path) -> None:
    write_run(tmp_path, "r1", {"n": 4, "model": None, "usage": {"input_tokens": 4000, "output_tokens": 400}})
    result = run(
        rpd=10,
        from_run="last",
        models=["gpt-4o"],
        output_tokens=0,
        cached_input_ratio=0.5,
        settings=Settings(runs_dir=tmp_path),
    )
    # 1000 in, half cached, 0 out on gpt-4o: 1875 µ$
    assert result["models"][0]["per_request_usd"] == 0.001875
    assert result["models"][0]["token_count"] == "measured (run r1, n=4)"


def test_models_listing_marks_config_entries() -> None:
    data = price_list(Settings(prices={"mine": {"input": 1, "output": 2}}))
    rows = {row["model"]: row for row in data["models"]}
    assert rows["mine"]["origin"] == "config" and rows["gpt-4o"]["origin"] == "table"
    assert data["unit"] == "USD per 1M tokens"
