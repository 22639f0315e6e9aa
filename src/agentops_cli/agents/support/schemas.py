"""Typed boundaries of the support agent: pack contents, LLM step outputs, the result.

Every structured LLM step has a schema here, and its offline twin returns the same
schema, so nodes never care which side answered.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EscalationReason = Literal[
    "low_confidence",
    "always_escalate_intent",
    "human_requested",
    "negative_sentiment",
    "legal_threat",
    "out_of_scope",
    "no_kb_match",
    "prompt_injection",
]

# Highest priority first: when several reasons hold, the first one is reported (all are in
# ``escalation_reasons``). Safety and explicit customer wishes outrank model uncertainty.
ESCALATION_PRIORITY: tuple[EscalationReason, ...] = (
    "prompt_injection",
    "human_requested",
    "legal_threat",
    "always_escalate_intent",
    "out_of_scope",
    "negative_sentiment",
    "low_confidence",
    "no_kb_match",
)

OUT_OF_SCOPE = "out_of_scope"
Language = Literal["en", "es"]


class IntentSpec(BaseModel):
    """One intent of a pack (an entry of ``intents.yaml``).

    The name is data, not an identifier: real label sets have spaces, ``?``, dots, slashes,
    accents and CJK, and the name round-trips unchanged to every output, report and metric.
    Only empty (or blank) names are refused. Nothing derives a file name or an HTML id from a
    name (model files are keyed by a content hash, reports escape every label).
    """

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    examples: list[str] = Field(default_factory=list)
    escalate: bool = False

    @field_validator("name")
    @classmethod
    def _not_blank(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("empty intent name")
        return name


class Policy(BaseModel):
    """When to answer and when to hand over to a person; per pack."""

    model_config = ConfigDict(extra="forbid")

    confidence_threshold: float = Field(0.45, ge=0.0, le=1.0)
    always_escalate: list[str] = Field(default_factory=lambda: ["human_agent", "security"])
    language: Language = "en"
    min_kb_score: float = Field(1.0, ge=0.0, description="best BM25 score needed to answer from the KB")
    top_k: int = Field(3, ge=1, le=20)
    training_file: str | None = None
    text_column: str | None = None
    label_column: str | None = None


class Passage(BaseModel):
    """A knowledge-base passage: one heading section of a markdown article."""

    id: str
    title: str
    text: str
    intent: str | None = None
    language: Language | None = None
    path: str = ""


class Source(BaseModel):
    """A passage cited by an answer."""

    id: str
    title: str
    score: float


class ClassifyOutput(BaseModel):
    """The classify step: which intent, how sure (0–1)."""

    intent: str = Field(description="one of the intent names listed in the prompt")
    confidence: float = Field(ge=0.0, le=1.0, description="probability that the intent is right")
    alternatives: list[str] = Field(default_factory=list, description="other plausible intents")


class AnswerOutput(BaseModel):
    """The answer step: a reply built only from the given passages."""

    answer: str = Field(description="the reply to the customer, in the customer's language")
    source_ids: list[str] = Field(default_factory=list, description="ids of the passages used")
    grounded: bool = Field(True, description="false when the passages do not answer the question")


class Review(BaseModel):
    """A human reviewer's decision on a paused (``--hitl``) run."""

    action: Literal["approve", "rewrite"]
    text: str | None = None


class SupportOutput(BaseModel):
    """The agent's answer; ``agents/runner.py`` adds the common keys of the CLI contract."""

    query: str
    intent: str
    confidence: float = Field(ge=0.0, le=1.0)
    answer: str
    escalate: bool
    escalation_reason: EscalationReason | None = None
    escalation_reasons: list[EscalationReason] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    language: Language = "en"
    draft_answer: str | None = Field(None, description="the KB answer withheld because of escalation")
    alternatives: list[dict[str, float | str]] = Field(default_factory=list)
    rejected_intent: str | None = Field(
        None,
        description="the intent the offline classifier ranked first when its confidence fell under"
        " the pack's out-of-scope threshold (the query was then answered as out_of_scope)",
    )
    pack: str = ""
    status: Literal["done", "pending_review", "approved", "rewritten"] = "done"
    thread_id: str | None = None
