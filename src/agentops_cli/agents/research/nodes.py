"""The graph's nodes: small functions over the typed state, with the run context injected.

LLM steps go through :meth:`ResearchContext.ask` (the budget-aware ``llm.structured``),
each with its offline twin from ``offline.py``; retrieval and verification never need a model.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send

from agentops_cli.agents.research import extract, offline, writer
from agentops_cli.agents.research.configuration import (
    PASSAGES_PER_BRANCH,
    RELATIVE_MIN_SCORE,
    ResearchContext,
)
from agentops_cli.agents.research.corpus import Passage
from agentops_cli.agents.research.lexicon import translate
from agentops_cli.agents.research.question import QuestionAnalysis, analyse, strip_template, typed_plan
from agentops_cli.agents.research.schemas import (
    Evidence,
    Note,
    ResearchDraft,
    ResearchNotes,
    ResearchPlan,
)
from agentops_cli.agents.research.state import BranchState, ResearchState
from agentops_cli.agents.research.verify import render_markdown, verify
from agentops_cli.nlp.language import detect_language
from agentops_cli.nlp.text import terms


def plan(state: ResearchState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    """Split the question into sub-questions (at most ``max_subquestions``)."""
    ctx = runtime.context
    question = state["question"]
    ctx.phase("plan", question)
    analysis = analyse(question)
    suggested = offline_plan(analysis, ctx.max_subquestions)
    answer = ctx.ask(
        ResearchPlan,
        prompt="research/plan",
        variables={
            "question": question,
            "max_subquestions": ctx.max_subquestions,
            "type": analysis.type,
            "language": analysis.language,
            "entities": ", ".join(analysis.entities) or "(none)",
            "suggested": _numbered(suggested.subquestions),
        },
        offline=lambda: suggested,
    )
    subquestions = list(dict.fromkeys(s.strip() for s in answer.subquestions if s and s.strip()))
    flags: list[str] = []
    if len(subquestions) > ctx.max_subquestions:
        flags.append("budget_exhausted:max_subquestions")
        subquestions = subquestions[: ctx.max_subquestions]
    if not subquestions:  # a model that plans nothing must not leave the report empty
        subquestions = suggested.subquestions
        flags.append("plan_fallback:offline")
    return {"plan": subquestions, "flags": flags, "analysis": analysis}


def offline_plan(analysis: QuestionAnalysis, max_subquestions: int) -> ResearchPlan:
    """Market questions keep the facet plan; every other type gets its typed plan."""
    if analysis.type == "market":
        return offline.plan(analysis.question, max_subquestions)
    return ResearchPlan(subquestions=typed_plan(analysis, max_subquestions))


def fan_out(state: ResearchState) -> list[Send]:
    """One ``gather`` branch per sub-question; LangGraph runs them in the same super-step."""
    return [
        Send(
            "gather",
            BranchState(question=state["question"], subquestion=sub, index=i, analysis=state["analysis"]),
        )
        for i, sub in enumerate(state["plan"])
    ]


def gather(branch: BranchState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    """Retrieve the best passages for one sub-question (the reducer merges all branches)."""
    ctx = runtime.context
    ctx.phase("gather", branch["subquestion"])
    question, subquestion, analysis = branch["question"], branch["subquestion"], branch["analysis"]
    if analysis.type == "market":
        hits = ctx.corpus.search(offline.search_query(question, subquestion), PASSAGES_PER_BRANCH)
        entities = offline.entity_queries(question, subquestion)
    else:
        hits = merged_search(ctx, expanded_queries(ctx, analysis, subquestion), PASSAGES_PER_BRANCH + 4)
        entities = entity_queries(analysis)
    best = hits[0][1] if hits else 0.0
    found = {p.id: score for p, score in hits if score >= RELATIVE_MIN_SCORE * best}
    for entity, entity_query in entities:
        for p, score in ctx.corpus.search_within(entity, entity_query, 2 if analysis.type != "market" else 1):
            found.setdefault(p.id, score)
    evidence = [Evidence(subquestion=branch["index"], passage_id=pid, score=s) for pid, s in found.items()]
    return {"evidence": evidence}


def expanded_queries(ctx: ResearchContext, analysis: QuestionAnalysis, subquestion: str) -> list[str]:
    """Query expansion, as separate searches merged later: the question's own words plus the
    corpus's other forms of them ("reimbursed" → "reimbursement"), and the same in the other
    language (lexicon). Separate, so that translated words cannot drown the original ones."""
    own = strip_template(subquestion)
    # A part of a compound question searches its own words (and the names that scope the
    # question): the whole question would give every part the same passages.
    context = " ".join(analysis.scope) if len(analysis.parts) > 1 else analysis.question
    forms = {v for t in set(terms(f"{own} {context}")) for v in ctx.corpus.variants(t)}
    original = " ".join([own, context, *sorted(forms)])
    expansion = analysis.expansion
    if len(analysis.parts) > 1:
        expansion = translate(f"{own} {context}", analysis.language)
    translated = " ".join(dict.fromkeys(" ".join((translate(own, analysis.language), expansion)).split()))
    return [q for q in (original, translated) if q.strip()]


OUTLINE_WEIGHT = 0.5
# A hit of the translated query counts a little less than one of the question's own words:
# for a Spanish question over English pages only the translation matches (ranks unchanged),
# but where both languages match, a false friend ("leave" → "licencia", a licence) must not
# outrank a page in the question's own language.
TRANSLATION_WEIGHT = 0.7


def merged_search(ctx: ResearchContext, queries: list[str], k: int) -> list[tuple[Passage, float]]:
    """Each query's hits merged (a passage keeps its best BM25 score), plus half the score of
    its document's outline (title and headings) for the same query: heading-aware ranking."""
    best: dict[str, tuple[Passage, float]] = {}
    for n, query in enumerate(queries):
        outline = ctx.corpus.outline_scores(query)
        weight = 1.0 if n == 0 else TRANSLATION_WEIGHT
        for passage, score in ctx.corpus.search(query, 3 * k):
            score = weight * (score + OUTLINE_WEIGHT * outline.get(passage.source, 0.0))
            if score > best.get(passage.id, (passage, -1.0))[1]:
                best[passage.id] = (passage, score)
    return sorted(best.values(), key=lambda ps: -ps[1])[:k]


def entity_queries(analysis: QuestionAnalysis) -> list[tuple[str, str]]:
    """One search per compared entity (and its translation), so no side of a comparison is lost."""
    query = f"{analysis.question} {analysis.expansion}"
    return [(f"{e} {translate(e, analysis.language)}".strip(), query) for e in analysis.entities]


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
    gaps: list[str] = []
    analysis = state["analysis"]
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
            offline=lambda sq=subquestion, ps=passages, i=index: offline_notes(
                ctx, analysis, sq, i, ps, used
            ),
        )
        if answer.gap and not answer.notes:
            gaps.append(f"{subquestion} — {answer.gap}")
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
                    kind=item.kind,
                )
            )
    return {"notes": notes, "flags": flags, "gaps": gaps}


def offline_notes(
    ctx: ResearchContext,
    analysis: QuestionAnalysis,
    subquestion: str,
    index: int,
    passages: list[tuple[Passage, float]],
    used: set[str],
) -> ResearchNotes:
    """Market questions keep the facet-scored sentences; other types keep lists and steps."""
    if analysis.type == "market":
        return offline.notes(ctx.corpus, analysis.question, subquestion, index, passages, used=used)
    return extract.typed_notes(ctx.corpus, analysis, subquestion, passages, used=used)


def write(state: ResearchState, runtime: Runtime[ResearchContext]) -> dict[str, Any]:
    """Draft the report from the numbered notes."""
    ctx = runtime.context
    question, plan_items, notes = state["question"], state["plan"], state.get("notes", [])
    analysis = state["analysis"]
    ctx.phase("write", f"{len(notes)} notes")
    doc_lang = detect_language(" ".join(n.quote for n in notes[:8]), default=analysis.language)

    def offline_draft() -> ResearchDraft:
        if analysis.type == "market":
            return offline.draft(question, plan_items, notes)
        return writer.typed_draft(analysis, plan_items, notes, state.get("gaps", []), doc_lang)

    draft = ctx.ask(
        ResearchDraft,
        prompt="research/write",
        variables={
            "question": question,
            "plan": _numbered(plan_items),
            "notes": format_notes(notes),
            "type": analysis.type,
            "language": analysis.language,
        },
        offline=offline_draft,
    )
    if not draft.gaps and state.get("gaps"):
        draft = draft.model_copy(update={"gaps": list(state["gaps"])})
    language = analysis.language if analysis.type != "market" else draft.language
    draft = draft.model_copy(update={"language": language, "kind": analysis.type})
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
            f"[{n}] (sub-question {note.subquestion + 1}; {note.kind}; {note.title}) {note.claim}"
            f' — quote: "{note.quote}"'
            for n, note in enumerate(notes, start=1)
        )
        or "(no notes)"
    )
