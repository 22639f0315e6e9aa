"""Done-when of issue 7: offline over the golden set, citation validity 100 % and must_cite recall ≥ 0.8.

Validity is checked against the raw source files (not the agent's own parsed text), so
a quote only counts when a reader opening the file would find it.
"""

from __future__ import annotations

import json

from agentops_cli.agents.research import service
from agentops_cli.agents.research.corpus import read_document
from agentops_cli.agents.research.verify import quote_in_text
from agentops_cli.config import load_settings
from agentops_cli.llm.factory import make_llm
from agentops_cli.resources import datasets_dir


def test_golden_citation_validity_and_must_cite_recall() -> None:
    rows = [
        json.loads(line) for line in (datasets_dir() / "golden" / "research.jsonl").read_text().splitlines()
    ]
    corpus = datasets_dir() / "corpus"
    settings = load_settings(None, {"llm.provider": "offline"}, dotenv_path=None).settings
    assert len(rows) >= 10 and all(r["agent"] == "research" for r in rows)
    total = valid = 0
    recalls: list[float] = []
    for row in rows:
        out = service.run(row["input"], llm=make_llm(settings, "research"), settings=settings, options={})
        assert out.citations, row["id"]
        for citation in out.citations:
            total += 1
            raw = (corpus / citation.source).read_text(encoding="utf-8")
            parsed = read_document(corpus / citation.source, corpus).text
            valid += quote_in_text(citation.quote, raw) and quote_in_text(citation.quote, parsed)
            assert f"[{citation.n}]" in out.report
        cited = {c.source for c in out.citations}
        must = row["expected"]["must_cite"]
        assert all((corpus / m).is_file() for m in must), row["id"]
        recalls.append(sum(m in cited for m in must) / len(must))
    assert valid == total
    assert sum(recalls) / len(recalls) >= 0.8


def test_typed_golden_cases_report_their_facts() -> None:
    """Issue 18: the typed cases (list, procedure, fact, comparison, synthesis, cross-lingual)
    must put their facts in the report body, before the sources (measured 1.0; gate 0.8)."""
    rows = [
        json.loads(line) for line in (datasets_dir() / "golden" / "research.jsonl").read_text().splitlines()
    ]
    typed = [r for r in rows if set(r["tags"]) & {"list", "procedure", "fact", "comparison", "synthesis"}]
    settings = load_settings(None, {"llm.provider": "offline"}, dotenv_path=None).settings
    assert {t for r in typed for t in r["tags"]} >= {"list", "procedure", "fact", "comparison", "synthesis"}
    found = total = 0
    for row in typed:
        out = service.run(row["input"], llm=make_llm(settings, "research"), settings=settings, options={})
        body = out.report.split("### Sources")[0].split("### Fuentes")[0].lower()
        facts = row["expected"]["must_include"]
        total += len(facts)
        found += sum(f.lower() in body for f in facts)
        if "cross-lingual" in row["tags"]:
            assert ("## Respuesta" in out.report) == row["input"].startswith("¿"), row["id"]
    assert found / total >= 0.8
