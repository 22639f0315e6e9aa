"""Issue 18: question analysis, typed plans, structured evidence, typed reports, cross-lingual.

Every corpus here is written in the test (never the dev set); the agent runs for real, offline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.agents.research import service
from agentops_cli.agents.research.lexicon import concepts, translate
from agentops_cli.agents.research.question import analyse, typed_plan
from agentops_cli.agents.research.units import children, document_units, plain
from agentops_cli.agents.research.verify import locate
from agentops_cli.config import load_settings
from agentops_cli.llm.factory import make_llm

HANDBOOK = """# Acme people handbook

This page describes the Acme people policies and is reviewed every year.

## Remote work

Employees may work remotely up to three days a week. The office is open from 8:00 to 19:00.

Remote work requests must include:
- The days you plan to work from home
- A phone number where you can be reached
- Your manager’s written approval

## Onboarding

On your first day, follow these steps:

1. Collect your badge at reception.
2. Sign the “acceptable use” policy.
3. Meet your buddy for lunch.

## Laptop models

### Standard laptop

A 14-inch laptop with 16 GB of memory, replaced every four years.

### Developer laptop

A 16-inch laptop with 32 GB of memory, replaced every three years.

| Accessory | Budget |
|---|---|
| Monitor | €250 |
| Headset | €80 |
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("acme")
    (root / "handbook.md").write_text(HANDBOOK, encoding="utf-8")
    (root / "notes.txt").write_text("Office plants\n\nThe plants are watered on Fridays.\n", encoding="utf-8")
    return root


def ask(question: str, corpus: Path) -> object:
    settings = load_settings(
        None, {"llm.provider": "offline", "cache.enabled": False}, dotenv_path=None
    ).settings
    return service.run(
        question, llm=make_llm(settings, "research"), settings=settings, options={"corpus": str(corpus)}
    )


def body(report: str) -> str:
    return report.split("### Sources")[0].split("### Fuentes")[0]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many days a week can Acme employees work remotely?", "fact"),
        ("Which documents must a remote work request include?", "list"),
        ("What should a new employee do on the first day?", "procedure"),
        ("How does the standard laptop differ from the developer laptop?", "comparison"),
        ("How large is the market for laptops and who are the main competitors?", "market"),
        ("¿Qué tipos de permisos ofrece la empresa?", "list"),
        ("¿Qué pasos debe seguir un empleado antes de viajar?", "procedure"),
    ],
)
def test_question_type(question: str, kind: str) -> None:
    assert analyse(question).type == kind


def test_comparison_plans_one_subquestion_per_entity_in_the_question_language() -> None:
    analysis = analyse("How does the standard laptop differ from the developer laptop?")
    assert analysis.entities == ["standard laptop", "developer laptop"]
    plan = typed_plan(analysis, 5)
    assert len(plan) == 2 and plan[0].startswith("standard laptop") and plan[1].startswith("developer laptop")
    spanish = analyse("¿En qué se diferencian el portátil estándar y el portátil de desarrollo?")
    assert spanish.language == "es" and spanish.type == "comparison"
    assert all("market" not in p and "mercado" not in p for p in typed_plan(spanish, 5))


def test_spanish_question_gets_a_spanish_plan_without_the_market_template() -> None:
    analysis = analyse("¿Cuántos días de vacaciones se pueden acumular, y qué pasa con los días que sobran?")
    plan = typed_plan(analysis, 5)
    assert analysis.language == "es" and len(plan) == 2
    assert plan[0].startswith("¿Cuántos días de vacaciones") and "market" not in " ".join(plan)


def test_lexicon_translates_both_ways_and_counts_a_concept_once() -> None:
    assert "password" in translate("¿Cuál es la contraseña?", "es").split()
    assert "reembolso" in translate("refund policy", "en").split()
    pairs = concepts("empleados de la empresa", "es")
    assert len(pairs) == 2 and all(other for _, other in pairs)


def test_units_keep_lists_steps_rows_and_subheadings_with_exact_spans() -> None:
    units = document_units(HANDBOOK)
    assert all(HANDBOOK[u.start : u.end] == u.quote for u in units)
    lead = next(u for u in units if u.quote == "Remote work requests must include:")
    assert [u.quote for u in children(units, lead)][2] == "Your manager’s written approval"
    steps = next(u for u in units if u.quote == "On your first day, follow these steps:")
    assert [u.kind for u in children(units, steps)] == ["step"] * 3
    models = next(u for u in units if u.quote == "Laptop models")
    assert [u.quote for u in children(units, models)] == ["Standard laptop", "Developer laptop"]
    row = next(u for u in units if u.kind == "row" and "Monitor" in u.quote)
    assert plain(row.quote) == "Monitor — €250"
    assert plain('[Overtime]({% page "/x/" %}): **Yes**') == "Overtime: Yes"


def test_locate_returns_the_original_characters_or_nothing() -> None:
    text = "Sign the “acceptable use” policy before it’s too late."
    assert locate('Sign the "acceptable use" policy before it\'s too late.', text) == text
    assert locate("the “acceptable use”  policy", text) == "the “acceptable use” policy"
    assert locate("Sign the unacceptable policy", text) is None
    assert locate("  ", text) is None


def test_list_question_reports_every_item_first_with_byte_exact_quotes(corpus: Path) -> None:
    out = ask("What must a remote work request at Acme include?", corpus)
    answer = body(out.report).split("## Findings")[0]
    assert "## Answer" in answer
    for item in ("days you plan to work from home", "phone number", "manager’s written approval"):
        assert item in answer
    raw = (corpus / "handbook.md").read_bytes()
    assert out.citations and all(c.quote.encode() in raw for c in out.citations)
    assert "This page describes" not in body(out.report)  # boilerplate is never a finding


def test_procedure_lists_the_steps_in_order(corpus: Path) -> None:
    out = ask("What should a new Acme employee do on the first day?", corpus)
    text = body(out.report)
    first, second, third = (
        text.index(s) for s in ("Collect your badge", "acceptable use", "Meet your buddy")
    )
    assert first < second < third
    assert "1. Collect your badge at reception." in text


def test_comparison_has_a_table_row_per_entity(corpus: Path) -> None:
    out = ask("How does the standard laptop differ from the developer laptop at Acme?", corpus)
    assert "## Comparison" in out.report
    table = out.report.split("## Comparison")[1].split("## Findings")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "What the sources" not in line]
    assert [r.split("|")[1].strip()[:16] for r in rows] == ["standard laptop", "developer laptop"]
    assert "16 GB" in table and "32 GB" in table


def test_spanish_question_over_english_sources_answers_in_spanish(corpus: Path) -> None:
    out = ask("¿Cuántos días a la semana pueden teletrabajar los empleados de Acme?", corpus)
    assert "## Respuesta" in out.report and "## Lagunas y límites" in out.report
    assert "three days a week" in body(out.report)  # the quote stays in the source's language
    assert "Las fuentes están en inglés" in out.report


def test_an_entity_without_evidence_is_reported_as_a_gap(corpus: Path) -> None:
    out = ask("How does the developer laptop differ from the quantum workstation?", corpus)
    gaps = out.report.split("## Gaps and limits")[1]
    assert "quantum workstation" in gaps
    assert "None identified" not in out.report
