"""Typed answers of every research step and the agent's output.

Each LLM step (plan, notes, write) has a pydantic schema shared by the model path
(``llm.structured``) and its offline twin, so the graph never knows who answered.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ResearchPlan(BaseModel):
    """The planner's answer: the sub-questions that together answer the question."""

    subquestions: list[str] = Field(default_factory=list, description="3-5 focused sub-questions")


class NoteItem(BaseModel):
    """One finding taken from one passage, with the exact words that support it."""

    claim: str = Field(description="the finding in one sentence")
    quote: str = Field(description="exact words copied from the passage that support the claim")
    passage_id: str = Field(description="id of the passage the quote comes from")
    kind: str = Field("point", description="point | lead | item | step: items and steps keep their order")


class ResearchNotes(BaseModel):
    """Notes for one sub-question."""

    notes: list[NoteItem] = Field(default_factory=list)
    gap: str = Field("", description="what the passages do not say about the sub-question, if anything")


class Statement(BaseModel):
    """A sentence of the report and the note numbers ([n]) that support it."""

    text: str
    citations: list[int] = Field(default_factory=list, description="numbers of the supporting notes")


class ComparisonRow(BaseModel):
    """One row of a comparison table: the entity and what the sources say about it."""

    entity: str
    statement: Statement


class FindingDraft(BaseModel):
    """The findings written for one sub-question."""

    subquestion: str
    statements: list[Statement] = Field(default_factory=list)
    ordered: bool = Field(False, description="true when the statements are steps, in order")


class ResearchDraft(BaseModel):
    """The writer's answer; markdown is rendered from it after citations are verified."""

    title: str
    executive_summary: list[Statement] = Field(default_factory=list)
    findings: list[FindingDraft] = Field(default_factory=list)
    risks: list[Statement] = Field(default_factory=list, description="risks and unknowns")
    comparison: list[ComparisonRow] = Field(default_factory=list, description="one row per compared entity")
    gaps: list[str] = Field(default_factory=list, description="what the corpus did not answer")
    language: str = Field("en", description="en | es: the language the report is written in")
    kind: str = Field("", description="the question type the report answers (set by the graph)")


class Evidence(BaseModel):
    """A passage gathered for one sub-question (the fan-out branches append these)."""

    subquestion: int
    passage_id: str
    score: float


class Note(BaseModel):
    """A note kept in the run state: the item plus where it came from."""

    subquestion: int
    claim: str
    quote: str
    passage_id: str
    source: str = ""
    title: str = ""
    kind: str = "point"


class Citation(BaseModel):
    """A numbered source of the report: where it is and the exact quote that supports a claim."""

    n: int
    source: str = Field(description="path of the source, relative to the corpus folder")
    title: str
    quote: str
    passage_id: str = ""


class CorpusInfo(BaseModel):
    """What the run searched: sizes and whether the index came from the on-disk cache."""

    documents: int
    passages: int
    cached: bool
    key: str


class ResearchOutput(BaseModel):
    """What ``agentops run research`` returns (the runner adds the common keys)."""

    question: str
    plan: list[str]
    report: str
    citations: list[Citation]
    corpus: str
    corpus_index: CorpusInfo
    sources_considered: int = 0
    unverified: list[Citation] = Field(default_factory=list, description="citations removed by verification")
    flags: list[str] = Field(default_factory=list)
