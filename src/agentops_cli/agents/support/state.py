"""The graph state: plain JSON-able values only, so a checkpointer can persist it (``--hitl``)."""

from __future__ import annotations

from typing import Any, TypedDict


class SupportState(TypedDict, total=False):
    query: str
    language: str
    flags: list[str]
    intent: str
    confidence: float
    alternatives: list[dict[str, Any]]
    rejected_intent: str | None
    sources: list[dict[str, Any]]
    answer: str
    grounded: bool
    escalate: bool
    escalation_reason: str | None
    escalation_reasons: list[str]
    draft_answer: str | None
    status: str
    pack: str
