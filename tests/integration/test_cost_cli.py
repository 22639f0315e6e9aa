"""``agentops cost`` through the real CLI: JSON contract, tables, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_done_when_json() -> None:
    result = run_cli(
        "cost",
        "--rpd",
        "1000",
        "--model",
        "gpt-4o-mini",
        "--input-tokens",
        "400",
        "--output-tokens",
        "100",
        "--json",
    )
    assert result.code == 0, result.stderr
    data = result.json()  # exactly one JSON document
    mini = data["models"][0]
    assert (data["rpd"], data["days_per_month"], data["days_per_year"]) == (1000, 30, 365)
    assert (mini["model"], mini["per_request_usd"], mini["per_day_usd"]) == ("gpt-4o-mini", 0.00012, 0.12)
    assert (mini["per_month_usd"], mini["per_year_usd"]) == (3.6, 43.8)
    assert data["roi"] is None


def test_every_flag_together_json() -> None:
    result = run_cli(
        "cost",
        "--rpd",
        "1000",
        "--model",
        "gpt-4o",
        "--mix",
        "gpt-4o-mini=0.8,gpt-4o=0.2",
        "--cache-hit-rate",
        "0.2",
        "--cached-input-ratio",
        "0.5",
        "--human-cost-per-hour",
        "15",
        "--minutes-per-query",
        "10",
        "--automation-rate",
        "0.7",
        "--investment",
        "20000",
        "--json",
    )
    assert result.code == 0, result.stderr
    data = result.json()
    # per call: mini 200×0.15+200×0.075+100×0.6 = 105 µ$; 4o 200×2.5+200×1.25+100×10 = 1750 µ$; ×0.8 hits
    assert [(m["model"], m["per_request_usd"]) for m in data["models"]] == [
        ("gpt-4o-mini", 0.000084),
        ("gpt-4o", 0.0014),
    ]
    assert data["mix"]["per_month_usd"] == 10.416  # (0.8×84 + 0.2×1400) µ$ × 1000 × 30
    assert data["roi"]["basis"] == "mix"
    assert data["roi"]["monthly_saving_usd"] == 52489.584  # 52,500 − 10.416


def test_table_output_with_mix_roi_and_sources() -> None:
    result = run_cli(
        "cost",
        "--rpd",
        "1000",
        "--model",
        "gpt-4o",
        "--model",
        "gpt-4o-mini",
        "--mix",
        "gpt-4o-mini=0.8,gpt-4o=0.2",
        "--human-cost-per-hour",
        "15",
        "--minutes-per-query",
        "10",
        "--automation-rate",
        "0.7",
        "--investment",
        "20000",
        env={"COLUMNS": "140"},
    )
    assert result.code == 0, result.stderr
    out = result.stdout
    assert out.index("gpt-4o-mini") < out.index("│ gpt-4o ")  # sorted by monthly cost
    assert "$3.60" in out and "$60.00" in out
    assert "saves $45.12/month (75.2%) vs gpt-4o alone" in out
    assert "$2.50/query" in out and "11.4 days" in out and "3,094%" in out
    assert "prices as of" in out and "litellm" in out


def test_table_notes_roi_without_investment_and_no_payback() -> None:
    result = run_cli(
        "cost",
        "--rpd",
        "10",
        "--model",
        "gpt-4",
        "--input-tokens",
        "10000",
        "--human-cost-per-hour",
        "1",
        "--minutes-per-query",
        "1",
        env={"COLUMNS": "140"},
    )
    assert result.code == 0, result.stderr
    assert "input exceeds the context window (8,192 tokens)" in result.stdout
    assert "add --investment USD" in result.stdout
    result = run_cli(
        "cost",
        "--rpd",
        "10",
        "--model",
        "gpt-4",
        "--input-tokens",
        "10000",
        "--human-cost-per-hour",
        "1",
        "--minutes-per-query",
        "1",
        "--investment",
        "5",
        env={"COLUMNS": "140"},
    )
    assert "no payback where the LLM costs more" in result.stdout


def test_prompt_file_counts_tokens_offline(tmp_path: Path) -> None:
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("hello world", encoding="utf-8")
    result = run_cli(
        "cost",
        "--rpd",
        "1000",
        "--prompt-file",
        str(prompt),
        "--output-tokens",
        "0",
        "--model",
        "gpt-4o-mini",
        "--model",
        "claude-haiku-4-5",
        "--json",
    )
    assert result.code == 0, result.stderr
    rows = {m["model"]: m for m in result.json()["models"]}
    # 2 tokens × 0.15 µ$ = 0.3 µ$ per request; claude: 2 × 1 µ$ (approximate count)
    assert (rows["gpt-4o-mini"]["input_tokens"], rows["gpt-4o-mini"]["per_request_usd"]) == (2, 3e-07)
    assert rows["gpt-4o-mini"]["token_count"] == "counted (o200k_base)"
    assert rows["claude-haiku-4-5"]["token_count"] == "approximate (o200k_base)"
    assert rows["claude-haiku-4-5"]["per_request_usd"] == 2e-06
    table = run_cli(
        "cost",
        "--rpd",
        "10",
        "--prompt-file",
        str(prompt),
        "--model",
        "claude-haiku-4-5",
        env={"COLUMNS": "140"},
    )
    assert "~2/100" in table.stdout and "approximate" in table.stdout


def test_from_run_reads_the_summary(isolated: Path) -> None:
    run_dir = isolated / "runs" / "20250101-abc"
    run_dir.mkdir(parents=True)
    (run_dir / "summary.json").write_text(
        json.dumps(
            {
                "n": 10,
                "model": "gpt-4o-mini",
                "usage": {"input_tokens": 5000, "output_tokens": 1500, "cached_tokens": 1000},
            }
        ),
        encoding="utf-8",
    )
    result = run_cli("cost", "--rpd", "1000", "--from-run", "20250101-abc", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["models"][0]["per_month_usd"] == 4.725  # 157.5 µ$ × 1000 × 30
    table = run_cli("cost", "--rpd", "1000", "--from-run", "last", env={"COLUMNS": "140"})
    assert "measured averages of eval run 20250101-abc (n=10)" in table.stdout


def test_bad_input_exits_2_with_one_line() -> None:
    cases = [
        (("--rpd", "-5"), "error: --rpd must be a positive number of requests per day, got -5"),
        (("--rpd", "10", "--mix", "gpt-4o-mini=0.7,gpt-4o=0.2"), "shares must sum to 1, they sum to 0.9"),
        (("--rpd", "10", "--model", "gpt-4o-mni"), "did you mean gpt-4o-mini"),
        (("--rpd", "10", "--from-run", "nope"), "--from-run: no eval run 'nope'"),
        ((), "--rpd is required"),
    ]
    for args, message in cases:
        result = run_cli("cost", *args, "--json")
        assert result.code == 2, (args, result.stderr)
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stdout == ""


def test_models_json_and_table() -> None:
    result = run_cli("cost", "models", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    rows = {row["model"]: row for row in data["models"]}
    assert (
        rows["gpt-4o-mini"]["input"],
        rows["gpt-4o-mini"]["cached_input"],
        rows["gpt-4o-mini"]["output"],
    ) == (
        0.15,
        0.075,
        0.6,
    )
    assert rows["offline"]["input"] == 0 and data["as_of"]
    table = run_cli("cost", "models", env={"COLUMNS": "140"})
    assert table.code == 0
    assert "claude-sonnet-4-5" in table.stdout and ">200k: 6/0.6/22.5" in table.stdout
    assert f"as of {data['as_of']}" in table.stdout


def test_config_prices_reach_the_cli(tmp_path: Path) -> None:
    (tmp_path / "agentops.yaml").write_text(
        "prices:\n  my-llama:\n    provider: vllm\n    input: 0.2\n    output: 0.4\n", encoding="utf-8"
    )
    result = run_cli("cost", "--rpd", "1000", "--model", "my-llama", "--json", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.json()["models"][0]["per_month_usd"] == 3.6  # (400×0.2 + 100×0.4) µ$ × 30,000
    listing = run_cli("cost", "models", cwd=tmp_path, env={"COLUMNS": "140"})
    assert "my-llama (config)" in listing.stdout
