"""The research graph end to end on the offline engine: fan-out, budgets, flags, planner."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.agents.research import offline, service
from agentops_cli.agents.research.graph import build_graph
from agentops_cli.config import Settings, load_settings
from agentops_cli.errors import BadInput
from agentops_cli.llm.base import AgentLLM
from agentops_cli.llm.factory import make_llm

QUESTION = (
    "Who are Ledgerly's main competitors and how do FacturAI and NordPay Suite compare on growth and ARR?"
)


def settings(**research: object) -> Settings:
    return load_settings(None, {f"research.{k}": v for k, v in research.items()}, dotenv_path=None).settings


def run(question: str = QUESTION, options: dict | None = None, **research: object):
    s = settings(**research)
    return service.run(question, llm=make_llm(s, "research"), settings=s, options=options or {})


def test_graph_is_compiled_once_with_the_documented_nodes() -> None:
    graph = build_graph()
    assert graph is build_graph()
    nodes = set(graph.get_graph().nodes)
    assert {"plan", "gather", "notes", "write", "verify"} <= nodes
    mermaid = graph.get_graph().draw_mermaid()
    assert "plan" in mermaid and "verify" in mermaid


def test_fan_out_runs_one_gather_branch_per_subquestion() -> None:
    phases: list[tuple[str, str]] = []
    out = run(options={"on_phase": lambda phase, detail: phases.append((phase, detail))})
    gathered = [detail for phase, detail in phases if phase == "gather"]
    assert sorted(gathered) == sorted(out.plan)
    assert (
        out.plan[0]
        == "Who are the main competitors of Ledgerly (FacturAI, NordPay Suite) and how do they compare?"
    )
    assert len(out.plan) == 3
    assert [p for p, _ in phases if p != "gather"] == [
        "corpus",
        "plan",
        "notes",
        "notes",
        "notes",
        "write",
        "verify",
    ]
    sources = {c.source for c in out.citations}
    assert {"competitor_profile_facturai.md", "competitor_profile_nordpay.html"} <= sources
    assert out.flags == []
    assert [c.n for c in out.citations] == list(range(1, len(out.citations) + 1))
    for section in ("## Executive summary", "## Findings", "## Risks and unknowns", "### Sources"):
        assert section in out.report


def test_budgets_cap_subquestions_and_sources() -> None:
    out = run(
        "What are the main risks of acquiring Ledgerly and what valuation is reasonable?",
        options={"max_sources": 1},
        max_subquestions=2,
    )
    assert out.plan == [
        "What valuation and deal terms are reasonable for Ledgerly?",
        "What are the main risks and open questions for Ledgerly?",
    ]
    assert {c.source for c in out.citations} == {"due_diligence_memo_ledgerly.md"}
    assert "budget_exhausted:max_sources" in out.flags


def test_web_search_without_a_backend_says_not_configured() -> None:
    out = run("How fast is the AP automation market growing?", web_search=True)
    assert "web_search:not_configured" in out.flags
    assert out.citations


def test_corpus_option_and_bad_inputs(tmp_path: Path) -> None:
    root = tmp_path / "c"
    root.mkdir()
    (root / "note.md").write_text(
        "# Cats\n\nThe cat food market grew 12% in 2024 to €3 billion.\n", encoding="utf-8"
    )
    out = run("How fast is the cat food market growing?", options={"corpus": str(root)})
    assert out.corpus == str(root)
    assert (out.corpus_index.documents, out.corpus_index.passages) == (1, 1)
    uncached = load_settings(None, {"cache.enabled": False}, dotenv_path=None).settings
    again = service.run(
        "cat food growth",
        llm=make_llm(uncached, "research"),
        settings=uncached,
        options={"corpus": str(root)},
    )
    assert again.corpus_index.cached is False
    assert [c.quote for c in out.citations] == ["The cat food market grew 12% in 2024 to €3 billion."]
    assert "Unknown: the corpus holds no evidence" in out.report  # facets the tiny corpus cannot answer
    with pytest.raises(BadInput, match="question: empty"):
        run("   ")
    with pytest.raises(BadInput, match="limit is 2000"):
        run("why? " * 500)
    with pytest.raises(BadInput, match="max_sources"):
        run(options={"max_sources": 0})


def test_offline_planner_uses_facets_and_key_phrases() -> None:
    assert offline.key_phrases(
        "How large is the accounts payable automation market in Spain and Portugal?"
    ) == ["accounts payable automation", "Spain", "Portugal"]
    plan = offline.plan("How do vendors price AP automation per invoice?", 5).subquestions
    assert plan == [
        "Who are the main competitors of AP automation per invoice and how do they compare?",
        "How is AP automation per invoice priced and what does it cost?",
        "How large is the market for AP automation per invoice and how fast is it growing?",
    ]
    assert offline.topic_of("why?") == "why"
    assert offline.facet_of("Something unrelated entirely") is None


def test_budget_exhausted_uses_offline_twins() -> None:
    """With a backend and a zero-call budget left, ``ask`` answers offline and records the hit."""
    from agentops_cli.agents.research.configuration import ResearchContext
    from agentops_cli.agents.research.schemas import ResearchPlan

    class NeverCalled:
        provider = "openai"

        def structured(self, *args: object, **kwargs: object):  # pragma: no cover - must not run
            raise AssertionError("the budget is spent")

    s = settings()
    llm = AgentLLM(agent="research", provider="openai", model="m", backend=NeverCalled())  # type: ignore[arg-type]
    ctx = ResearchContext(
        llm=llm,
        settings=s,
        corpus=service.open_corpus(s, {}),
        corpus_label="c",
        max_sources=3,
        max_subquestions=3,
        max_llm_calls=0,
    )
    answer = ctx.ask(
        ResearchPlan, prompt="research/plan", variables={}, offline=lambda: ResearchPlan(subquestions=["a"])
    )
    assert answer.subquestions == ["a"] and ctx.budget_hits == {"max_llm_calls"}
