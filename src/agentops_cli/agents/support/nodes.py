"""The five steps of the support agent, as small functions over the typed state.

Each node takes ``(state, runtime)`` and returns a partial state update. ``runtime`` is
LangGraph's ``Runtime[SupportContext]`` inside the graph, or a ``RuntimeShim`` in
``run_batch``: nodes read only ``runtime.context``, so both paths run the same code.

Which text each step reads: the intent model, language detection and retrieval read the request
without its e-mail envelope (:func:`~agentops_cli.nlp.clean.clean_message`: markup, quoted
replies, signatures, footers; retrieval keeps links and numbers as written, the classifier sees
placeholders); the safety signals (injection, human request, legal threat,
anger), the LLM prompts and the output read the message as received — an instruction hidden in
an HTML comment or a quoted block is still flagged, and nobody is quoted words they did not send.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentops_cli.agents.support import signals
from agentops_cli.agents.support.offline import answer_offline, classify_offline, handoff_message
from agentops_cli.agents.support.schemas import (
    ESCALATION_PRIORITY,
    OUT_OF_SCOPE,
    AnswerOutput,
    ClassifyOutput,
    Passage,
)
from agentops_cli.agents.support.state import SupportState
from agentops_cli.errors import BadInput
from agentops_cli.nlp.clean import clean_message
from agentops_cli.nlp.language import detect_language

if TYPE_CHECKING:
    from langgraph.runtime import Runtime

    from agentops_cli.agents.support.configuration import RuntimeShim, SupportContext

    AnyRuntime = Runtime[SupportContext] | RuntimeShim

LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


def validate_query(query: str, max_chars: int) -> str:
    """Empty or over-long queries are bad input (exit 2), never sent anywhere."""
    text = (query or "").strip()
    if not text:
        raise BadInput("query: empty query")
    if len(text) > max_chars:
        raise BadInput(f"query: too long ({len(text)} characters, limit support.max_query_chars={max_chars})")
    return text


def guard(state: SupportState, runtime: AnyRuntime) -> dict[str, Any]:
    """Validate, detect the language, and flag prompt injection (flagged text is never obeyed)."""
    ctx = runtime.context
    query = validate_query(state["query"], ctx.settings.support.max_query_chars)
    flags = list(state.get("flags", []))
    if signals.prompt_injection(query) and "prompt_injection" not in flags:
        flags.append("prompt_injection")
    language = detect_language(clean_message(query), ctx.pack.policy.language)
    return {"query": query, "language": language, "flags": flags}


def classify(state: SupportState, runtime: AnyRuntime) -> dict[str, Any]:
    """Intent + calibrated confidence. Injected text goes to the offline engine only."""
    ctx = runtime.context
    query = state["query"]
    prediction = ctx.predict(query)
    answered_offline: list[bool] = []

    def offline() -> ClassifyOutput:
        answered_offline.append(True)
        return classify_offline(prediction)

    if "prompt_injection" in state.get("flags", []):
        result = offline()
    else:
        intents = "\n".join(
            f"- {name}: {spec.description or name}" for name, spec in ctx.pack.intents.items()
        )
        if OUT_OF_SCOPE not in ctx.pack.intents:
            intents += f"\n- {OUT_OF_SCOPE}: anything else"
        result = ctx.llm.structured(
            ClassifyOutput,
            prompt="support/classify",
            variables={"intents": intents, "query": query},
            offline=offline,
            complexity="simple",
        )
    intent = (
        result.intent
        if (result.intent in ctx.pack.intents or result.intent == OUT_OF_SCOPE)
        else OUT_OF_SCOPE
    )
    # Only a rejection by the confidence threshold has an intent behind it (eval's
    # ``intent_accuracy_no_reject`` measures what that threshold costs).
    rejected = answered_offline and not prediction.in_scope and prediction.top[0][0] != OUT_OF_SCOPE
    return {
        "intent": intent,
        "confidence": round(float(result.confidence), 4),
        "alternatives": [{"intent": label, "p": p} for label, p in prediction.top],
        "rejected_intent": prediction.top[0][0] if rejected else None,
    }


def retrieve(state: SupportState, runtime: AnyRuntime) -> dict[str, Any]:
    """Top-k KB passages (BM25) in the query's language, among the articles written for the
    predicted intent; the whole KB only when the intent has no articles of its own (an answer
    from another intent's article is worse than an honest ``no_kb_match``)."""
    ctx = runtime.context
    pack = ctx.pack
    if "prompt_injection" in state.get("flags", []) or not pack.passages:
        return {"sources": []}
    language, intent = state.get("language"), state.get("intent")
    # Without the envelope, but with its identifiers: an error code is what its article is found by.
    scores = pack.index.scores(clean_message(state["query"], keep_identifiers=True))
    if intent in pack.intents_with_kb:
        # Every article of the intent is a candidate; with ``min_kb_score: 0`` (bare CSV packs,
        # one canonical response per intent) an article counts even without shared words.
        keep_zero = pack.policy.min_kb_score <= 0
        candidates = [
            (scores.get(doc, 0.0), doc)
            for doc, passage in enumerate(pack.passages)
            if passage.intent == intent and (keep_zero or doc in scores)
        ]
    else:
        candidates = [(score, doc) for doc, score in scores.items()]
    ranked = sorted(
        (
            (score, doc)
            for score, doc in candidates
            if not (pack.passages[doc].language and language and pack.passages[doc].language != language)
        ),
        key=lambda item: (-item[0], item[1]),
    )[: pack.policy.top_k]
    return {
        "sources": [
            {"id": pack.passages[doc].id, "title": pack.passages[doc].title, "score": round(score, 4)}
            for score, doc in ranked
        ]
    }


def answer(state: SupportState, runtime: AnyRuntime) -> dict[str, Any]:
    """Reply from the best passages: extractive offline, constrained generation with an LLM."""
    ctx = runtime.context
    pack = ctx.pack
    usable = [s for s in state.get("sources", []) if s["score"] >= pack.policy.min_kb_score]
    passages: list[Passage] = [pack.by_id[s["id"]] for s in usable]
    query, intent, language = state["query"], state.get("intent", OUT_OF_SCOPE), state.get("language", "en")

    def offline() -> AnswerOutput:
        return answer_offline(clean_message(query), intent, language, passages, pack.templates)

    if not passages or "prompt_injection" in state.get("flags", []):
        return {"answer": "", "grounded": False, "sources": []}
    result = ctx.llm.structured(
        AnswerOutput,
        prompt="support/answer",
        variables={
            "query": query,
            "intent": intent,
            "language_name": LANGUAGE_NAMES.get(language, "English"),
            "passages": "\n\n".join(f"[{p.id}] {p.title}\n{p.text}" for p in passages),
        },
        offline=offline,
    )
    cited = [sid for sid in result.source_ids if sid in pack.by_id and any(s["id"] == sid for s in usable)]
    # An answer that cites none of the passages it was given is not grounded: we never
    # credit a source the model did not name.
    grounded = bool(result.grounded and result.answer.strip() and cited)
    update: dict[str, Any] = {
        "answer": result.answer.strip() if grounded else "",
        "grounded": grounded,
        "sources": [s for s in usable if s["id"] in cited] if grounded else [],
    }
    if not grounded:
        update["flags"] = [*state.get("flags", []), "ungrounded_answer"]
    return update


def escalation_reasons(state: SupportState, ctx: SupportContext) -> list[str]:
    """Every reason that holds, in priority order (see ``schemas.ESCALATION_PRIORITY``)."""
    query, intent = state["query"], state.get("intent", OUT_OF_SCOPE)
    policy = ctx.pack.policy
    holds = {
        "prompt_injection": "prompt_injection" in state.get("flags", []),
        "human_requested": signals.human_requested(query),
        "legal_threat": signals.legal_threat(query),
        "always_escalate_intent": intent in ctx.pack.escalating_intents,
        "out_of_scope": intent == OUT_OF_SCOPE,
        "negative_sentiment": signals.strong_anger(query),
        "low_confidence": state.get("confidence", 0.0) < policy.confidence_threshold,
        "no_kb_match": not state.get("grounded", False),
    }
    return [reason for reason in ESCALATION_PRIORITY if holds[reason]]


def decide_escalation(state: SupportState, runtime: AnyRuntime) -> dict[str, Any]:
    """Escalate when any policy reason holds; the customer then gets a hand-off message and
    the KB answer is kept as ``draft_answer`` for the person who takes over."""
    ctx = runtime.context
    reasons = escalation_reasons(state, ctx)
    if not reasons:
        return {"escalate": False, "escalation_reason": None, "escalation_reasons": [], "draft_answer": None}
    draft = state.get("answer") or None
    return {
        "escalate": True,
        "escalation_reason": reasons[0],
        "escalation_reasons": reasons,
        "draft_answer": draft,
        "answer": handoff_message(reasons[0], state.get("language", "en"), ctx.pack.templates),
    }


def review(state: SupportState, runtime: AnyRuntime) -> dict[str, Any]:
    """``--hitl``: pause for a person to approve or rewrite the answer (resumed with ``--resume``)."""
    from langgraph.types import interrupt

    decision = interrupt(
        {
            "query": state["query"],
            "intent": state.get("intent"),
            "answer": state.get("answer"),
            "draft_answer": state.get("draft_answer"),
            "escalate": state.get("escalate"),
            "escalation_reason": state.get("escalation_reason"),
        }
    )
    action = (decision or {}).get("action")
    if action == "rewrite":
        return {"answer": decision["text"], "status": "rewritten"}
    return {"status": "approved"}


PIPELINE = (guard, classify, retrieve, answer, decide_escalation)
