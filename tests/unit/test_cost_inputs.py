"""Sources of a forecast's numbers: --mix, --prompt-file (offline tokens), --from-run."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from agentops_cli.costs.inputs import parse_mix, read_prompt_file, read_run
from agentops_cli.costs.tokens import count_tokens
from agentops_cli.errors import BadInput


def test_parse_mix_decimals_and_percentages() -> None:
    assert parse_mix("gpt-4o-mini=0.8, gpt-4o=0.2") == {
        "gpt-4o-mini": Decimal("0.8"),
        "gpt-4o": Decimal("0.2"),
    }
    assert parse_mix("a=33.4%,b=33.3%,c=33.3%,") == {
        "a": Decimal("0.334"),
        "b": Decimal("0.333"),
        "c": Decimal("0.333"),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gpt-4o-mini", "is not MODEL=SHARE"),
        ("gpt-4o-mini=", "is not MODEL=SHARE"),
        ("a=x,b=1", "share of 'a' is not a number: 'x'"),
        ("a=0,b=1", r"share of 'a' must be in \(0, 1\]"),
        ("a=1.5", r"share of 'a' must be in \(0, 1\]"),
        ("a=0.5,a=0.5", "'a' is given twice"),
        (",", "no MODEL=SHARE pairs"),
        ("a=0.6,b=0.6", "shares must sum to 1, they sum to 1.2"),
    ],
)
def test_parse_mix_rejects_bad_input(text: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        parse_mix(text)


def test_count_tokens_exact_for_openai_models() -> None:
    count = count_tokens("hello world", "gpt-4o-mini")
    assert (count.tokens, count.encoding, count.exact, count.note) == (2, "o200k_base", True, None)
    # the OpenAI cookbook's example: "tiktoken is great!" is 6 cl100k_base tokens
    assert count_tokens("tiktoken is great!", "gpt-4").tokens == 6
    assert count_tokens("", "gpt-4o").tokens == 0


def test_count_tokens_uses_each_models_encoding() -> None:
    import bpe_openai

    text = "Customer: ¿Dónde está mi pedido #12345? Llegó tarde otra vez."
    o200k = len(bpe_openai.get_encoding("o200k_base").encode_ordinary(text))
    cl100k = len(bpe_openai.get_encoding("cl100k_base").encode_ordinary(text))
    assert o200k != cl100k
    assert count_tokens(text, "gpt-4o").tokens == o200k
    assert count_tokens(text, "gpt-4").tokens == cl100k


def test_count_tokens_is_approximate_without_an_offline_tokenizer() -> None:
    count = count_tokens("hello world <|endoftext|>", "claude-haiku-4-5")
    assert not count.exact and count.encoding == "o200k_base"
    assert count.note == "approximate: anthropic tokenizer not available offline, counted with o200k_base"
    assert count.tokens == count_tokens("hello world <|endoftext|>", "gpt-4o").tokens
    assert "this provider" in (count_tokens("x", "unknown-model").note or "")


def test_read_prompt_file_errors(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="file not found"):
        read_prompt_file(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa")
    with pytest.raises(BadInput, match="cannot read as UTF-8"):
        read_prompt_file(bad)


def _summary(runs: Path, run_id: str, data: object) -> Path:
    (runs / run_id).mkdir(parents=True)
    path = runs / run_id / "summary.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_read_run_averages_and_last(tmp_path: Path) -> None:
    old = _summary(tmp_path, "old", {"n": 2, "usage": {"input_tokens": 10, "output_tokens": 4}})
    os.utime(old, (1, 1))
    _summary(
        tmp_path,
        "new",
        {
            "n": 4,
            "model": "gpt-4o",
            "usage": {"input_tokens": 1000, "output_tokens": 250, "cached_tokens": 5000},
        },
    )
    run = read_run(tmp_path, "last")
    assert (run.run_id, run.n, run.model) == ("new", 4, "gpt-4o")
    assert (run.input_tokens, run.output_tokens, run.cached_tokens) == (250, Decimal("62.5"), 250)
    assert run.cached_ratio == 1  # cached capped at input
    assert read_run(tmp_path, "old").model is None


@pytest.mark.parametrize(
    ("summary", "message"),
    [
        ("{not json", "unreadable summary"),
        ([1, 2], "summary has no 'n' and 'usage'"),
        ({"n": True, "usage": {}}, "summary has no 'n' and 'usage'"),
        ({"n": 0, "usage": {"input_tokens": 1}}, r"run has no requests \(n = 0\)"),
        ({"n": 1, "usage": {"input_tokens": "many"}}, "usage token counts must be integers"),
        ({"n": 3, "usage": {"input_tokens": 0, "output_tokens": 0}}, "recorded no tokens"),
    ],
)
def test_read_run_rejects_bad_summaries(tmp_path: Path, summary: object, message: str) -> None:
    _summary(tmp_path, "r", summary)
    with pytest.raises(BadInput, match=message):
        read_run(tmp_path, "r")


def test_read_run_missing(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"no eval run 'nope' \(.*summary.json not found"):
        read_run(tmp_path, "nope")
    with pytest.raises(BadInput, match=r"no eval run with a summary\.json"):
        read_run(tmp_path, "last")
    with pytest.raises(BadInput, match="is not a run id"):
        read_run(tmp_path, "../etc")
