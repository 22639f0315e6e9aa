"""Every scorer and aggregate against values computed by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.errors import BadInput
from agentops_cli.evaluation import normalize as nz
from agentops_cli.evaluation.jsonschema import validate
from agentops_cli.evaluation.models import Example, ScoreRecord
from agentops_cli.evaluation.scorers import (
    SCORERS,
    Binary,
    Confusion,
    Mean,
    MicroPRF,
    Scorer,
    field_counts,
    prf,
    resolve_scorers,
    score_example,
    verdict,
)


def ex(agent: str = "support", **expected) -> Example:
    return Example(id="x", agent=agent, input="q", expected=expected)


def score(name: str, example: Example, output: dict) -> ScoreRecord:
    return SCORERS[name].score(example, output)


# -- generic ----------------------------------------------------------------------------------------
def test_exact_and_normalised_match() -> None:
    e = ex(output="Hello, World!")
    assert score("exact", e, {"answer": "Hello, World!"}).passed is True
    assert score("exact", e, {"answer": "hello world"}).passed is False
    assert score("match", e, {"answer": "  hello   WORLD "}).value == 1.0
    assert score("match", e, {"answer": "hello there"}).value == 0.0


def test_must_include_counts_facts() -> None:
    e = ex("research", must_include=["€410 million", "14.2%", "Iberia"])
    r = score("must_include", e, {"report": "The market is worth €410 MILLION and grows 14.2% a year."})
    assert r.value == pytest.approx(2 / 3)
    assert r.passed is False
    assert r.data == {"hit": 2, "total": 3}
    assert "Iberia" in r.reason


def test_regex_and_bad_regex() -> None:
    assert score("regex", ex(regex=r"order \d{5}"), {"answer": "your order 12345 shipped"}).passed
    assert not score("regex", ex(regex=r"^no$"), {"answer": "yes"}).passed
    bad = score("regex", ex(regex="("), {"answer": "x"})
    assert bad.passed is False and "bad regex" in bad.reason


def test_json_schema_scorer_and_validator() -> None:
    schema = {
        "type": "object",
        "required": ["intent", "confidence"],
        "properties": {
            "intent": {"enum": ["billing", "refund"]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "sources": {"type": "array", "items": {"type": "string"}, "maxItems": 1},
        },
    }
    assert score("json_schema", ex(schema=schema), {"intent": "billing", "confidence": 0.5}).passed
    problems = validate({"intent": "other", "confidence": 1.5, "sources": [1, "a"]}, schema)
    assert problems == [
        "$.intent: 'other' not in ['billing', 'refund']",
        "$.confidence: 1.5 > 1",
        "$.sources: more than 1 items",
        "$.sources[0]: expected string, got int",
    ]
    assert validate({"a": 1}, {"type": "object", "additionalProperties": False, "properties": {}}) == [
        "$.a: not allowed"
    ]
    assert validate(True, {"type": "integer"}) == ["$: expected integer, got bool"]
    assert validate("ab", {"type": "string", "minLength": 3, "pattern": "^z"}) == [
        "$: shorter than 3",
        "$: does not match ^z",
    ]
    assert validate(3, {"anyOf": [{"type": "string"}, {"const": 4}]}) == ["$: matches none of anyOf"]
    assert validate([], {"type": "array", "minItems": 1}) == ["$: fewer than 1 items"]
    assert validate({}, {"required": ["a"]}) == ["$.a: required"]
    assert validate("x", {"type": ["string", "null"], "maxLength": 0}) == ["$: longer than 0"]


# -- support ------------------------------------------------------------------------------------------
def test_intent_confusion_accuracy_macro_f1_and_oos_recall() -> None:
    # gold/pred pairs: billing→billing ×2, billing→refund, refund→refund, oos→oos, oos→billing
    pairs = [
        ("billing", "billing"),
        ("billing", "billing"),
        ("billing", "refund"),
        ("refund", "refund"),
        ("out_of_scope", "out_of_scope"),
        ("out_of_scope", "billing"),
    ]
    agg = Confusion("intent")
    for gold, pred in pairs:
        agg.update(score("intent", ex(intent=gold), {"intent": pred}))
    values = agg.values()
    assert values["intent_accuracy"] == pytest.approx(4 / 6)
    # billing: tp2 fp1 fn1 → P=2/3 R=2/3 F=2/3; refund: tp1 fp1 fn0 → F=2/3; oos: tp1 fp0 fn1 → F=2/3
    assert values["intent_macro_f1"] == pytest.approx(2 / 3)
    assert values["out_of_scope_recall"] == pytest.approx(1 / 2)
    m = agg.matrix()
    assert m["labels"] == ["billing", "out_of_scope", "refund"]
    assert m["matrix"] == [[2, 0, 1], [1, 1, 0], [0, 0, 1]]
    assert values["intent_accuracy_no_reject"] == pytest.approx(4 / 6)  # nothing was rejected
    assert Confusion("intent").values() == {
        "intent_accuracy": None,
        "intent_macro_f1": None,
        "out_of_scope_recall": None,
        "intent_accuracy_no_reject": None,
    }


def test_intent_accuracy_no_reject_counts_what_the_threshold_rejected() -> None:
    """A query rejected as out of scope by the confidence threshold counts as right in
    ``intent_accuracy_no_reject`` when the intent behind the rejection was right."""
    agg = Confusion("intent")
    outputs = [
        ("billing", {"intent": "out_of_scope", "rejected_intent": "billing"}),  # right, but rejected
        ("refund", {"intent": "out_of_scope", "rejected_intent": "billing"}),  # wrong either way
        ("refund", {"intent": "refund", "rejected_intent": None}),
        ("out_of_scope", {"intent": "out_of_scope", "rejected_intent": "billing"}),  # rejection helped
    ]
    for gold, out in outputs:
        agg.update(score("intent", ex(intent=gold), out))
    values = agg.values()
    assert values["intent_accuracy"] == pytest.approx(2 / 4)
    assert values["intent_accuracy_no_reject"] == pytest.approx(2 / 4)
    assert values["out_of_scope_recall"] == 1.0


def test_escalation_precision_recall_f1_and_automation() -> None:
    # (gold, pred): TP TP FP FN TN TN
    pairs = [(True, True), (True, True), (False, True), (True, False), (False, False), (False, False)]
    agg = Binary("escalation")
    for gold, pred in pairs:
        agg.update(score("escalation", ex(escalate=gold), {"escalate": pred}))
    v = agg.values()
    assert v["escalation_precision"] == pytest.approx(2 / 3)
    assert v["escalation_recall"] == pytest.approx(2 / 3)
    assert v["escalation_f1"] == pytest.approx(2 / 3)
    assert v["escalation_accuracy"] == pytest.approx(4 / 6)
    assert v["automation_rate"] == pytest.approx(3 / 6)  # predicted not escalated: FN + TN ×2
    r = score("escalation", ex(escalate=False), {"escalate": True})
    assert r.reason == "escalated, expected not to"


def test_prf_undefined_is_none_not_zero() -> None:
    assert prf(0, 0, 0) == (None, None, None)
    assert prf(0, 2, 0) == (0.0, None, None)
    assert prf(0, 1, 1) == (0.0, 0.0, 0.0)


def test_escalation_reason_first_for_the_metric_any_for_the_verdict() -> None:
    e = ex(escalate=True, escalation_reason="legal_threat")
    assert SCORERS["escalation_reason"].applies(e)
    assert not SCORERS["escalation_reason"].applies(ex(escalate=False, escalation_reason="legal_threat"))
    r = score("escalation_reason", e, {"escalation_reason": "negative_sentiment, legal_threat"})
    assert r.value == 1.0 and r.passed is True
    # another reason came first, but the expected one is among all the reasons: the row passes
    later = score(
        "escalation_reason",
        e,
        {"escalation_reason": "human_requested", "escalation_reasons": ["human_requested", "legal_threat"]},
    )
    assert later.value == 0.0 and later.passed is True
    wrong = score("escalation_reason", e, {"escalation_reason": ["human_requested"]})
    assert wrong.value == 0.0 and wrong.passed is False
    assert "expected legal_threat" in wrong.reason
    assert score("escalation_reason", e, {"escalation_reason": None}).passed is False


def test_language_and_confidence() -> None:
    assert score("language", ex(language="es"), {}).value is None
    assert score("language", ex(language="es"), {"language": "es"}).value == 1.0
    assert score("confidence", ex(), {"confidence": 0.75}).value == 0.75
    assert score("confidence", ex(), {}).value is None


# -- document -----------------------------------------------------------------------------------------
def test_normalisation_of_dates_amounts_names() -> None:
    assert nz.norm_date("15 January 2025") == "2025-01-15"
    assert nz.norm_date("January 15th, 2025") == "2025-01-15"
    assert nz.norm_date("1 de marzo de 2025") == "2025-03-01"
    assert nz.norm_date("28/02/2026") == "2026-02-28"
    assert nz.norm_date("02/28/2026") == "2026-02-28"
    assert nz.norm_date("2025-1-5") == "2025-01-05"
    assert nz.norm_date("31/02/2026") is None
    assert nz.norm_date("2025-03-01T10:00:00") == "2025-03-01"
    assert nz.norm_date("5 ene 2025") == "2025-01-05"
    assert nz.norm_date("soon") is None
    assert nz.norm_amount("$84,000.00") == (84000.0, "USD")
    assert nz.norm_amount("EUR 15.000,00") == (15000.0, "EUR")
    assert nz.norm_amount("15.000,00 €") == (15000.0, "EUR")
    assert nz.norm_amount("1,5 millones EUR") == (1_500_000.0, "EUR")
    assert nz.norm_amount({"amount": 84000, "currency": "usd"}) == (84000.0, "USD")
    assert nz.norm_amount({"amount": None}) is None
    assert nz.norm_amount(12) == (12.0, "")
    assert nz.norm_amount("no money") is None
    assert nz.norm_amount("EUR 15.000") == (15000.0, "EUR")  # Spanish thousands, as the extractor reads them
    assert nz.norm_amount("$1,500,") == (1500.0, "USD")
    assert nz.norm_name("Brightline Software, Inc.") == "brightline software"
    assert nz.norm_name("Soluciones Analíticas Iberia, S.L.") == "soluciones analiticas iberia"
    assert nz.norm_name("The ACME Corp.") == "acme"
    assert nz.norm_text("  Net-30, días! ") == "net 30 dias"


def test_field_counts_hand_computed() -> None:
    expected = {
        "parties": ["Brightline Software Inc.", "Harbor Freight Logistics LLC"],
        "effective_date": "2025-01-15",
        "total_value": {"amount": 84000, "currency": "USD"},
        "governing_law": "New York",
        "renewal": "automatic",
    }
    predicted = {
        "parties": {"value": ["BRIGHTLINE SOFTWARE", "Someone Else Ltd"], "start": 0, "end": 9},
        "effective_date": {"value": "January 15, 2025", "start": 1, "end": 2},
        "total_value": {"value": "USD 84,000", "start": 3, "end": 4},
        "governing_law": {"value": "the laws of the State of New York", "start": 5, "end": 6},
        "payment_terms": {"value": "net 30", "start": 7, "end": 8},
    }
    tp, fp, fn, wrong = field_counts(expected, predicted)
    # tp: brightline, date, amount, law = 4; fp: someone else, payment_terms = 2; fn: harbor, renewal = 2
    assert (tp, fp, fn) == (4, 2, 2)
    assert set(wrong) == {"parties", "payment_terms", "renewal"}
    r = score("fields", ex("document", fields=expected), {"fields": predicted})
    assert r.value == pytest.approx(2 / 3)  # P = R = 4/6
    assert r.passed is False
    agg = MicroPRF("field")
    agg.update(r)
    agg.update(
        score("fields", ex("document", fields={"term": "P12M"}), {"fields": {"term": {"value": "P12M"}}})
    )
    assert agg.values() == {"field_precision": 5 / 7, "field_recall": 5 / 7, "field_f1": pytest.approx(5 / 7)}


def test_amount_currency_mismatch_is_wrong_but_missing_currency_is_fine() -> None:
    assert nz.items_match("total_value", "84000.00 USD", "84000.00")
    assert not nz.items_match("total_value", "84000.00 USD", "84000.00 EUR")
    assert not nz.items_match("governing_law", "spain", "uk")


def test_doc_type_and_risks() -> None:
    assert score("doc_type", ex("document", doc_type="invoice"), {"doc_type": "invoice"}).passed
    r = score(
        "risks",
        ex("document", risks=["auto_renewal", "penalties"]),
        {"risks": [{"type": "penalties"}, {"type": "unlimited_liability"}]},
    )
    assert r.value == 0.5 and r.data == {"tp": 1, "fp": 1, "fn": 1}
    assert r.passed is False and r.reason == "risks missed: auto_renewal"
    none = score("risks", ex("document", risks=[]), {"risks": []})
    assert none.value == 1.0 and none.passed is True


# -- research -----------------------------------------------------------------------------------------
def test_citations_checked_against_the_corpus(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("The market was worth €410 million in 2024.\nGrowth: 14.2 % a year.")
    e = Example(
        id="r",
        agent="research",
        input="q",
        expected={"must_cite": ["a.md", "b.md"]},
        options={"corpus": str(tmp_path)},
    )
    out = {
        "citations": [
            {"n": 1, "source": "a.md", "quote": "worth €410 million in 2024"},
            {"n": 2, "source": "a.md", "quote": "worth €999 million"},
            {"n": 3, "source": "missing.md", "quote": "anything"},
        ]
    }
    r = score("citations", e, out)
    assert r.value == pytest.approx(1 / 3)
    assert r.reason == "unverifiable citations [2] [3]"
    cite = score("must_cite", e, out)
    assert cite.value == 0.5 and cite.reason == "not cited: b.md"
    assert score("citations", e, {"citations": []}).value is None


# -- composition --------------------------------------------------------------------------------------
def test_score_example_verdict_and_scorer_crash() -> None:
    e = ex(intent="billing", escalate=False, regex="(")
    records = score_example(
        e,
        {"intent": "refund", "escalate": False, "answer": "x"},
        ["intent", "escalation", "regex", "doc_type"],
    )
    assert set(records) == {"intent", "escalation", "regex"}  # doc_type does not apply
    passed, reasons = verdict(records)
    assert not passed
    assert reasons[0] == "intent: intent refund != billing"
    nothing = score_example(ex("document", fields={"a": "x"}), {"fields": "not a dict"}, ["fields"])["fields"]
    assert (nothing.value, nothing.passed, nothing.data) == (0.0, False, {"tp": 0, "fp": 0, "fn": 1})


def test_a_crashing_scorer_fails_the_example_not_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(example: Example, output: dict) -> ScoreRecord:
        raise ValueError("bad data")

    monkeypatch.setitem(SCORERS, "boom", Scorer("boom", "raises", lambda e: True, boom, lambda: Mean("boom")))
    records = score_example(ex(), {}, ["boom"])
    assert records["boom"].passed is False
    assert records["boom"].reason == "scorer error: ValueError: bad data"


def test_resolve_scorers_defaults_pick_add_and_errors() -> None:
    assert resolve_scorers([], ["support"], llm_configured=False)[:2] == ["intent", "escalation"]
    assert resolve_scorers(["intent"], ["support"], llm_configured=False) == ["intent"]
    added = resolve_scorers(["+exact"], ["research"], llm_configured=False)
    assert added[0] == "citations" and added[-1] == "exact"
    with pytest.raises(BadInput, match="unknown scorer"):
        resolve_scorers(["nope"], ["support"], llm_configured=False)
    with pytest.raises(BadInput, match="needs an LLM"):
        resolve_scorers(["+judge"], ["support"], llm_configured=False)
