"""The typed state that flows through the document graph.

Only plain data lives here (text, typed results, counters); the model handle, the
settings and the progress callback travel in the run context
(:class:`~agentops_cli.agents.document.configuration.DocumentContext`).
"""

from __future__ import annotations

from typing import TypedDict

from agentops_cli.agents.document.schemas import Clause, FieldValue, Risk


class DocumentState(TypedDict, total=False):
    # input
    path: str
    # load
    resolved_path: str
    format: str
    text: str
    pages: int | None
    chunks: list[tuple[int, str]]
    # detect
    language: str
    doc_type: str
    type_confidence: float
    # extract, clauses and risks, summary
    fields: dict[str, FieldValue]
    clauses: list[Clause]
    risks: list[Risk]
    summary: str
    # bookkeeping
    ungrounded_dropped: int
    flags: list[str]
