"""The graph's nodes: small functions over the typed state, with the run context injected.

LLM steps go through :meth:`ResearchContext.ask` (the budget-aware ``llm.structured``),
each with its offline twin from ``offline.py``; retrieval and verification never need a model.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send

from agentops_cli.agents.research import offline
from agentops_cli.agents.research.configuration import (
    PASSAGES_PER_BRANCH,
    RELATIVE_MIN_SCORE,
    ResearchContext,
)
from agentops_cli.agents.research.corpus import Passage
from agentops_cli.agents.research.schemas import (
    Evidence,
    Note,
    ResearchDraft,
    ResearchNotes,
    ResearchPlan,
)
from agentops_cli.agents.research.state import BranchState, ResearchState
from agentops_cli.agents.research.verify import render_markdown, verify


def plan(state: ResearchState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    """Split the question into sub-questions (at most ``max_subquestions``)."""
    ctx = runtime.context
    question = state["question"]
    ctx.phase("plan", question)
    answer = ctx.ask(
        ResearchPlan,
        prompt="research/plan",
        variables={"question": question, "max_subquestions": ctx.max_subquestions},
        offline=lambda: offline.plan(question, ctx.max_subquestions),
    )
    subquestions = list(dict.fromkeys(s.strip() for s in answer.subquestions if s and s.strip()))
    flags: list[str] = []
    if len(subquestions) > ctx.max_subquestions:
        flags.append("budget_exhausted:max_subquestions")
        subquestions = subquestions[: ctx.max_subquestions]
    if not subquestions:  # a model that plans nothing must not leave the report empty
        subquestions = offline.plan(question, ctx.max_subquestions).subquestions
        flags.append("plan_fallback:offline")
    return {"plan": subquestions, "flags": flags}


def fan_out(state: ResearchState) -> list[Send]:
    """One ``gather`` branch per sub-question; LangGraph runs them in the same super-step."""
    return [
        Send("gather", BranchState(question=state["question"], subquestion=sub, index=i))
        for i, sub in enumerate(state["plan"])
    ]


def gather(branch: BranchState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    """Retrieve the best passages for one sub-question (the reducer merges all branches)."""
    ctx = runtime.context
    ctx.phase("gather", branch["subquestion"])
    question, subquestion = branch["question"], branch["subquestion"]
    hits = ctx.corpus.search(offline.search_query(question, subquestion), PASSAGES_PER_BRANCH)
    best = hits[0][1] if hits else 0.0
    found = {p.id: score for p, score in hits if score >= RELATIVE_MIN_SCORE * best}
    for entity, facet_query in offline.entity_queries(question, subquestion):
        for p, score in ctx.corpus.search_within(entity, facet_query, 1):
            found.setdefault(p.id, score)
    evidence = [Evidence(subquestion=branch["index"], passage_id=pid, score=s) for pid, s in found.items()]
    return {"evidence": evidence}


def select_sources(evidence: list[Evidence], ctx: ResearchContext) -> tuple[list[Evidence], list[str]]:
    """Keep evidence from the ``max_sources`` documents with the best passage scores."""
    best: dict[str, float] = {}
    for item in evidence:
        source = _passage(ctx, item.passage_id).source
        best[source] = max(best.get(source, 0.0), item.score)
    ranked = sorted(best, key=lambda s: (-best[s], s))
    allowed = set(ranked[: ctx.max_sources])
    flags = ["budget_exhausted:max_sources"] if len(ranked) > ctx.max_sources else []
    return [e for e in evidence if _passage(ctx, e.passage_id).source in allowed], flags


def take_notes(state: ResearchState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    """Per sub-question, notes (claim + exact quote + passage id) from its gathered passages."""
    ctx = runtime.context
    question = state["question"]
    evidence, flags = select_sources(state.get("evidence", []), ctx)
    if ctx.settings.research.web_search:
        flags.append("web_search:not_configured")
    used: set[str] = set()
    notes: list[Note] = []
    for index, subquestion in enumerate(state["plan"]):
        ranked = sorted((e for e in evidence if e.subquestion == index), key=lambda e: -e.score)
        passages = [(_passage(ctx, e.passage_id), e.score) for e in ranked]
        if not passages:
            continue
        ctx.phase("notes", subquestion)
        answer = ctx.ask(
            ResearchNotes,
            prompt="research/notes",
            variables={
                "question": question,
                "subquestion": subquestion,
                "passages": format_passages(passages),
            },
            offline=lambda sq=subquestion, ps=passages, i=index: offline.notes(
                ctx.corpus, question, sq, i, ps, used=used
            ),
        )
        for item in answer.notes:
            passage = ctx.corpus.passage(item.passage_id)
            notes.append(
                Note(
                    subquestion=index,
                    claim=item.claim,
                    quote=item.quote,
                    passage_id=item.passage_id,
                    source=passage.source if passage else item.passage_id,
                    title=passage.title if passage else "",
                )
            )
    return {"notes": notes, "flags": flags}


def write(state: ResearchState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    """Draft the report from the numbered notes."""
    ctx = runtime.context
    question, plan_items, notes = state["question"], state["plan"], state.get("notes", [])
    ctx.phase("write", f"{len(notes)} notes")
    draft = ctx.ask(
        ResearchDraft,
        prompt="research/write",
        variables={"question": question, "plan": _numbered(plan_items), "notes": format_notes(notes)},
        offline=lambda: offline.draft(question, plan_items, notes),
    )
    return {"draft": draft}


def verify_citations(state: ResearchState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    """Check every quote against its source; render the report from what verified."""
    ctx = runtime.context
    ctx.phase("verify", "")
    verified = verify(state["draft"], state.get("notes", []), ctx.corpus)
    report = render_markdown(
        state["question"], verified, corpus_label=ctx.corpus_label, documents=len(ctx.corpus.documents)
    )
    return {
        "report": report,
        "citations": verified.citations,
        "unverified": verified.unverified,
        "flags": verified.flags,
    }


# -- helpers -------------------------------------------------------------------------------------


def _passage(ctx: ResearchContext, passage_id: str) -> Passage:
    passage = ctx.corpus.passage(passage_id)
    if passage is None:  # evidence only ever holds ids from this corpus
        raise KeyError(passage_id)
    return passage


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, start=1))


def format_passages(passages: list[tuple[Passage, float]]) -> str:
    """Passages as the notes prompt shows them: id, title, heading, text."""
    return "\n\n".join(f"[{p.id}] {p.title} — {p.heading}\n{p.text.strip()}" for p, _ in passages)


def format_notes(notes: list[Note]) -> str:
    """Notes as the write prompt shows them: number, sub-question, source, claim, quote."""
    return (
        "\n".join(
            f'[{n}] (sub-question {note.subquestion + 1}; {note.title}) {note.claim} — quote: "{note.quote}"'
            for n, note in enumerate(notes, start=1)
        )
        or "(no notes)"
    )
