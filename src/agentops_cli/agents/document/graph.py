"""The document agent's LangGraph: load → detect_type → extract_fields → clauses_risks → summarize.

Wiring only; the nodes live in ``nodes.py``. Compiled once per process and cached.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from agentops_cli.agents.document.configuration import DocumentContext
from agentops_cli.agents.document.state import DocumentState


@cache
def build_graph() -> Any:
    """The compiled graph (``CompiledStateGraph``); ``agentops graph document`` draws it."""
    from langgraph.graph import END, START, StateGraph

    from agentops_cli.agents.document import nodes

    graph = StateGraph(DocumentState, context_schema=DocumentContext)
    graph.add_node("load", nodes.load)
    graph.add_node("detect_type", nodes.detect_type)
    graph.add_node("extract_fields", nodes.extract_fields)
    graph.add_node("clauses_risks", nodes.clauses_and_risks)
    graph.add_node("summarize", nodes.summarize)
    graph.add_edge(START, "load")
    graph.add_edge("load", "detect_type")
    graph.add_edge("detect_type", "extract_fields")
    graph.add_edge("extract_fields", "clauses_risks")
    graph.add_edge("clauses_risks", "summarize")
    graph.add_edge("summarize", END)
    return graph.compile(name="document")
