"""Run-time dependencies of one research run, handed to the nodes as LangGraph context.

Why context and not state: the model handle, the settings and the corpus index are not
data the graph produces; keeping them out of the state keeps the state serialisable and
lets ``build_graph()`` compile once for every run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from agentops_cli.agents.research.corpus import CorpusIndex
from agentops_cli.config import Settings
from agentops_cli.llm.base import AgentLLM

T = TypeVar("T", bound=BaseModel)
PhaseCallback = Callable[[str, str], None]

PASSAGES_PER_BRANCH = 4
RELATIVE_MIN_SCORE = 0.3  # a passage scoring under 30 % of a branch's best is noise


@dataclass
class ResearchContext:
    """Everything a node needs besides the state."""

    llm: AgentLLM
    settings: Settings
    corpus: CorpusIndex
    corpus_label: str
    max_sources: int
    max_subquestions: int
    max_llm_calls: int
    on_phase: PhaseCallback | None = None
    budget_hits: set[str] = field(default_factory=set)

    def phase(self, name: str, detail: str = "") -> None:
        """Report progress (the CLI prints it on stderr); never fails the run."""
        if self.on_phase is not None:
            self.on_phase(name, detail)

    def ask(self, schema: type[T], *, prompt: str, variables: dict[str, Any], offline: Callable[[], T]) -> T:
        """``llm.structured`` within the call budget; past it, the offline twin answers.

        Stopping at the budget still yields a full report (extractive for the rest), and
        the run says so with the flag ``budget_exhausted:max_llm_calls``.
        """
        if self.llm.backend is not None and self.llm.llm_calls >= self.max_llm_calls:
            self.budget_hits.add("max_llm_calls")
            return offline()
        return self.llm.structured(schema, prompt=prompt, variables=variables, offline=offline)
