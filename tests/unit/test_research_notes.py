"""Offline notes: each sub-question prefers evidence of its own facet (real corpus index, no LLM)."""

from __future__ import annotations

from pathlib import Path

from agentops_cli.agents.research import offline
from agentops_cli.agents.research.corpus import load_corpus

QUESTION = "Who are the main competitors in widget software in Spain and how do they price?"
MARKET = "The widget software market in Spain reached €50 million in 2024 and grew 9% a year since 2020."
RIVAL = "Acme Widgets is a Madrid-based widget software vendor with 120 customers in Spain and a 7% share."
PRICE = "Widget software in Spain costs €1.20 per invoice on average, with a 15% discount for annual plans."


def _notes(tmp_path: Path, subquestion: str) -> list[str]:
    root = tmp_path / "c"
    root.mkdir(exist_ok=True)
    for name, text in (("market.md", MARKET), ("rival.md", RIVAL), ("price.md", PRICE)):
        (root / name).write_text(f"# {name[:-3].title()}\n\n{text}\n", encoding="utf-8")
    corpus = load_corpus(root, cache_dir=None)
    passages = [(p, 1.0) for p in corpus.data.passages]
    found = offline.notes(corpus, QUESTION, subquestion, 1, passages, used=set(), per_subquestion=1)
    return [n.quote for n in found.notes]


def test_each_subquestion_leads_with_its_own_facet(tmp_path: Path) -> None:
    plan = offline.plan(QUESTION, 3).subquestions
    by_facet = {offline.facet_of(q).name: q for q in plan}  # type: ignore[union-attr]
    assert set(by_facet) == {"competitors", "pricing", "market"}
    assert _notes(tmp_path, by_facet["competitors"]) == [RIVAL]
    assert _notes(tmp_path, by_facet["pricing"]) == [PRICE]
    assert _notes(tmp_path, by_facet["market"]) == [MARKET]


def test_facet_signals_recognise_the_kind_of_fact() -> None:
    signal = {f.name: f.signal for f in offline.FACETS}
    assert signal["competitors"] and signal["competitors"].search(RIVAL)
    assert signal["competitors"] and not signal["competitors"].search("It entered Spain in 2022.")
    assert signal["pricing"] and signal["pricing"].search(PRICE)
    assert signal["pricing"] and not signal["pricing"].search(MARKET)  # €50 million is a size, not a price
    assert signal["market"] and signal["market"].search(MARKET)
