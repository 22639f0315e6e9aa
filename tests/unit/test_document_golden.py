"""Offline field precision / recall / F1 over the golden documents (the issue's "done when").

Comparison is normalised: strings without case, accents or punctuation (a longer string
that contains the expected one counts, e.g. a scope phrase); numbers within a cent;
party lists as sets of normalised names. A wrong value is a false positive *and* a
false negative; a value where none is expected is a false positive.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentops_cli.agents.document.normalize import fold
from agentops_cli.agents.runner import run_agent
from agentops_cli.config import Settings

GOLDEN = Path(__file__).resolve().parents[2] / "datasets" / "golden"


def rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (GOLDEN / "document.jsonl").read_text(encoding="utf-8").splitlines()]


def same(expected: Any, got: Any) -> bool:
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and abs(float(got["amount"]) - float(expected["amount"])) < 0.01
            and got["currency"] == expected["currency"]
        )
    if isinstance(expected, list):
        return isinstance(got, list) and {fold(x) for x in expected} == {fold(x) for x in got}
    if not isinstance(got, str):
        return False
    return fold(expected) == fold(got) or (len(fold(expected)) > 20 and fold(expected) in fold(got))


@pytest.fixture(scope="module")
def results() -> list[tuple[dict, dict]]:
    settings = Settings()
    return [
        (row, run_agent("document", row["input"], settings, {"root": str(GOLDEN)}, log=False))
        for row in rows()
    ]


def test_golden_set_is_big_and_varied() -> None:
    data = rows()
    assert len(data) >= 12
    files = {row["input"].rsplit(".", 1)[-1] for row in data}
    assert {"pdf", "docx", "txt", "md", "html"} <= files
    assert {"contract", "proposal", "policy", "invoice"} <= {row["expected"]["doc_type"] for row in data}
    assert {"en", "es"} <= {tag for row in data for tag in row["tags"]}


def test_offline_field_f1_reaches_the_bar(results: list[tuple[dict, dict]]) -> None:
    tp = fp = fn = 0
    misses: list[str] = []
    for row, result in results:
        expected = row["expected"]["fields"]
        got = {name: field["value"] for name, field in result["fields"].items()}
        for name in set(expected) | set(got):
            if name in expected and name in got and same(expected[name], got[name]):
                tp += 1
                continue
            if name in got:
                fp += 1
            if name in expected:
                fn += 1
            misses.append(f"{row['id']}.{name}: expected {expected.get(name)!r}, got {got.get(name)!r}")
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    print(f"\nfield P={precision:.3f} R={recall:.3f} F1={f1:.3f} (tp={tp} fp={fp} fn={fn})")
    print("\n".join(misses))
    assert f1 >= 0.85, misses


def test_doc_types_and_risk_types(results: list[tuple[dict, dict]]) -> None:
    type_hits = sum(result["doc_type"] == row["expected"]["doc_type"] for row, result in results)
    assert type_hits / len(results) >= 0.9
    tp = fp = fn = 0
    for row, result in results:
        expected, got = set(row["expected"]["risks"]), {risk["type"] for risk in result["risks"]}
        tp, fp, fn = tp + len(expected & got), fp + len(got - expected), fn + len(expected - got)
    f1 = 2 * tp / (2 * tp + fp + fn)
    print(f"\nrisk-type F1={f1:.3f} (tp={tp} fp={fp} fn={fn}); doc types {type_hits}/{len(results)}")
    assert f1 >= 0.8


def test_every_value_is_grounded_in_the_loaded_text(results: list[tuple[dict, dict]]) -> None:
    from agentops_cli.agents.document.loaders import load_document

    for row, result in results:
        text = load_document(row["input"], GOLDEN, max_bytes=10**7, max_pages=50).text
        for field in result["fields"].values():
            assert text[field["start"] : field["end"]] == field["text"]
        for item in [*result["clauses"]]:
            assert text[item["start"] : item["end"]] == item["text"]
        for risk in result["risks"]:
            assert text[risk["start"] : risk["end"]] == risk["evidence"]


def test_clause_types_the_rows_expect(results: list[tuple[dict, dict]]) -> None:
    """Rows may list CUAD clause types a lawyer finds in the document (``clauses``) and the ones the
    document only seems to have (``not_clauses``: the words near a clause, not the clause)."""
    checked = 0
    for row, result in results:
        got = {clause["type"] for clause in result["clauses"]}
        expected = row["expected"]
        missing = set(expected.get("clauses", ())) - got
        wrong = set(expected.get("not_clauses", ())) & got
        assert not missing and not wrong, f"{row['id']}: missing {missing}, should not be there {wrong}"
        checked += len(expected.get("clauses", ())) + len(expected.get("not_clauses", ()))
    assert checked >= 9
