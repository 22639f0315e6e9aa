"""The graph's typed state.

Fan-out branches (one per sub-question) append evidence concurrently, so ``evidence``
and ``flags`` carry ``operator.add`` reducers; everything else is written by one node.
"""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from agentops_cli.agents.research.question import QuestionAnalysis
from agentops_cli.agents.research.schemas import Citation, Evidence, Note, ResearchDraft


class ResearchState(TypedDict, total=False):
    question: str
    analysis: QuestionAnalysis
    plan: list[str]
    gaps: list[str]
    evidence: Annotated[list[Evidence], operator.add]
    notes: list[Note]
    draft: ResearchDraft
    report: str
    citations: list[Citation]
    unverified: list[Citation]
    flags: Annotated[list[str], operator.add]


class BranchState(TypedDict):
    """What ``Send`` hands one gather branch: its sub-question and its position in the plan."""

    question: str
    subquestion: str
    index: int
    analysis: QuestionAnalysis
