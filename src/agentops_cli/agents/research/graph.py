"""The research graph: plan → gather (one branch per sub-question, via ``Send``) → notes →
write → verify. Wiring only; the nodes live in ``nodes.py``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from langgraph.graph import END, START, StateGraph

from agentops_cli.agents.research import nodes
from agentops_cli.agents.research.configuration import ResearchContext
from agentops_cli.agents.research.state import ResearchState


@cache
def build_graph() -> Any:
    """Compile once per process; every run passes its own :class:`ResearchContext`."""
    builder = StateGraph(ResearchState, context_schema=ResearchContext)
    builder.add_node("plan", nodes.plan)
    builder.add_node("gather", nodes.gather)
    builder.add_node("notes", nodes.take_notes)
    builder.add_node("write", nodes.write)
    builder.add_node("verify", nodes.verify_citations)
    builder.add_edge(START, "plan")
    builder.add_conditional_edges("plan", nodes.fan_out, ["gather"])
    builder.add_edge("gather", "notes")
    builder.add_edge("notes", "write")
    builder.add_edge("write", "verify")
    builder.add_edge("verify", END)
    return builder.compile(name="research")
