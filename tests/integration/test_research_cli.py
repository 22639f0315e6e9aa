"""``agentops run research`` through the real CLI in a subprocess (offline provider)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.contract import assert_run_contract

QUESTION = "How large is the AP automation market in Spain and Portugal and how fast is it growing?"


def test_json_output_follows_the_contract(tmp_path: Path) -> None:
    out_file = tmp_path / "report.md"
    result = run_cli("run", "research", QUESTION, "--json", "--provider", "offline", "--out", str(out_file))
    assert result.code == 0, result.stderr
    doc = result.json()
    assert_run_contract(doc, "research")
    assert doc["agent"] == "research" and doc["provider"] == "offline" and doc["degraded"] is False
    assert doc["question"] == QUESTION
    assert (
        doc["plan"][0]
        == "How large is the market for AP automation (Spain, Portugal) and how fast is it growing?"
    )
    first = doc["citations"][0]
    assert first["n"] == 1
    assert first["source"] == "market_note_ap_automation_iberia.md"
    assert "14.2%" in doc["report"] and "€410 million" in doc["report"]
    assert out_file.read_text(encoding="utf-8") == doc["report"]
    assert "research › plan" in result.stderr and "research › verify" in result.stderr


def test_human_output_renders_markdown_and_cached_index(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        "# Pet food note\n\nThe pet food market grew 12% in 2024 to €3 billion.\n", encoding="utf-8"
    )
    first = run_cli("run", "research", "How fast is the pet food market growing?", "--corpus", str(corpus))
    assert first.code == 0, first.stderr
    assert "Executive summary" in first.stdout and "Sources" in first.stdout
    assert "The pet food market grew 12% in 2024 to €3 billion." in first.stdout
    assert "offline/offline" in first.stdout
    assert "research › corpus" in first.stderr and "index from cache" not in first.stderr
    quiet = run_cli("-q", "run", "research", "pet food growth", "--corpus", str(corpus), "--json")
    assert quiet.code == 0 and quiet.stderr == ""
    doc = json.loads(quiet.stdout)
    assert doc["corpus_index"]["cached"] is True and doc["corpus_index"]["documents"] == 1
    assert doc["citations"][0]["source"] == "a.md"


def test_missing_and_empty_corpus_exit_2(tmp_path: Path) -> None:
    missing = run_cli("run", "research", "anything", "--corpus", str(tmp_path / "nope"), "--json")
    assert missing.code == 2 and missing.stdout == ""
    assert missing.stderr.strip() == f"error: {tmp_path / 'nope'}: corpus folder not found"
    (tmp_path / "empty").mkdir()
    empty = run_cli("run", "research", "anything", "--corpus", str(tmp_path / "empty"))
    assert empty.code == 2 and "corpus is empty" in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1


def test_bad_flags_exit_2(tmp_path: Path) -> None:
    assert run_cli("run", "research", "q", "--max-sources", "0").code == 2
    bad_provider = run_cli("run", "research", "q", "--provider", "magic")
    assert bad_provider.code == 2 and "--provider" in bad_provider.stderr
    bad_out = run_cli("run", "research", "q", "--out", str(tmp_path / "no" / "r.md"))
    assert bad_out.code == 2 and "does not exist" in bad_out.stderr


def test_in_process_render_and_out_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The same command in-process (rendering code measured by coverage)."""
    import pytest

    from agentops_cli.cli.app import main

    out_file = tmp_path / "r.md"
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "run",
                "research",
                "What budgets do CFOs have for AP automation?",
                "--out",
                str(out_file),
                "--max-sources",
                "2",
            ]
        )
    captured = capsys.readouterr()
    assert exit_info.value.code == 0
    assert "report written to" in captured.out and "flags: budget_exhausted:max_sources" in captured.out
    assert "research › write" in captured.err
    assert "18,000 euros" in out_file.read_text(encoding="utf-8")
