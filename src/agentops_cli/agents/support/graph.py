"""Wiring only: guard → classify → retrieve → answer → decide_escalation [→ review].

Imported lazily (by the service and ``agentops graph``), so it may import LangGraph at the top.
The ``review`` node (human in the loop) runs only when the run asked for it (``--hitl``);
it needs a checkpointer, so that variant is compiled on demand with one.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from agentops_cli.agents.support import nodes
from agentops_cli.agents.support.configuration import SupportContext
from agentops_cli.agents.support.state import SupportState


def _after_decision(state: SupportState, runtime: Runtime[SupportContext]) -> str:
    return "review" if runtime.context.hitl else END


def _wire() -> StateGraph:
    builder = StateGraph(SupportState, context_schema=SupportContext)
    for step in (*nodes.PIPELINE, nodes.review):
        builder.add_node(step.__name__, step)
    names = [step.__name__ for step in nodes.PIPELINE]  # guard, classify, retrieve, answer, decide_escalation
    for source, target in zip([START, *names], names, strict=False):
        builder.add_edge(source, target)
    builder.add_conditional_edges(names[-1], _after_decision, ["review", END])
    builder.add_edge("review", END)
    return builder


@cache
def build_graph() -> CompiledStateGraph:
    """The compiled graph (no checkpointer), built once per process and reused."""
    return _wire().compile(name="support")


def build_hitl_graph(checkpointer: Any) -> CompiledStateGraph:
    """The same graph with a checkpointer, so ``interrupt()`` can pause and resume it."""
    return _wire().compile(checkpointer=checkpointer, name="support")
