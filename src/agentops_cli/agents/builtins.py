"""The built-in support, document and research agents, registered through the one protocol.

Each is a :class:`ServiceAgent`: an input model, and a ``load`` function that imports its
``service`` module with a plain import (the service pulls in langgraph/sklearn, so it is
imported only when the agent runs). The service keeps its historical shape —
``run(text, llm=, settings=, options=) -> OutputModel`` and, for support, ``run_batch`` and
``prepare`` — and :class:`ServiceAgent` turns it into typed :class:`AgentRun` results.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import ModuleType
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from agentops_cli.agents.protocol import AgentInput, AgentRun, RunContext, Source
from agentops_cli.agents.transcript import Step
from agentops_cli.config import Settings
from agentops_cli.llm.base import AgentLLM


class SupportInput(AgentInput):
    primary: ClassVar[str] = "query"
    query: str = Field(..., description="the customer's message")


class DocumentInput(AgentInput):
    primary: ClassVar[str] = "path"
    path: str = Field(..., description="a document inside the allowed root")


class ResearchInput(AgentInput):
    primary: ClassVar[str] = "question"
    question: str = Field(..., description="the research question")


def run_from_llm(agent: str, output: BaseModel, llm: AgentLLM, *, run_id: str, latency_ms: float) -> AgentRun:
    """An agent's typed output plus what ``llm`` recorded over the run: models, usage, cost, failover."""
    models_used = sorted({c.model for c in llm.calls if c.provider != "offline"})
    flags = list(getattr(output, "flags", []) or [])
    reasons = llm.degraded_reasons
    if reasons and "degraded" not in flags:
        flags.append("degraded")
    return AgentRun(
        agent=agent,
        run_id=run_id,
        provider=llm.provider,
        model=models_used[0] if len(models_used) == 1 else (",".join(models_used) or llm.model),
        degraded=bool(reasons),
        degraded_reason="; ".join(reasons) or None,
        usage=llm.usage,
        cost_usd=round(llm.cost_usd, 8),
        latency_ms=round(latency_ms, 2),
        llm_calls=llm.llm_calls,
        flags=flags,
        output=output,
    )


def record_calls(ctx: RunContext, llm: AgentLLM) -> None:
    """The model calls of a built-in run, as transcript steps (prompt name, model, tokens, latency)."""
    if ctx.transcript is None:
        return
    for call in llm.calls:
        ctx.transcript.add(
            Step(
                kind="llm",
                name=call.name,
                model=call.model,
                usage=call.usage,
                latency_ms=round(call.latency_ms, 2),
                output={"provider": call.provider, "cache_hit": call.cache_hit, "degraded": call.degraded},
                error=call.error,
            )
        )


class ServiceAgent:
    """A built-in agent: its service module behind the :class:`~agentops_cli.agents.protocol.Agent` protocol.

    The service keeps its historical call shape; this class adds input models and typed runs.
    """

    source: Source = "builtin"

    def __init__(
        self,
        name: str,
        input_model: type[AgentInput],
        load: Callable[[], ModuleType],
        description: str,
        *,
        graph: Callable[[], ModuleType] | None = None,
        source: Source = "builtin",
    ) -> None:
        self.name = name
        self._graph = graph
        self.input_model = input_model
        self.load = load
        self.description = description
        self.source = source
        self.target = f"builtin:{name}"

    def _text(self, input: AgentInput) -> str:
        return str(getattr(input, input.primary))

    def run(self, input: AgentInput, ctx: RunContext) -> AgentRun:
        from agentops_cli.llm.factory import make_llm

        service = self.load()
        llm = make_llm(ctx.settings, self.name, trial=ctx.trial, run_id=ctx.run_id)
        started = time.perf_counter()
        try:
            output = service.run(self._text(input), llm=llm, settings=ctx.settings, options=ctx.options)
        finally:
            record_calls(ctx, llm)
        return run_from_llm(
            self.name, output, llm, run_id=ctx.run_id, latency_ms=(time.perf_counter() - started) * 1000
        )

    def prepare(self, settings: Settings, options: dict[str, Any]) -> None:
        prepare = getattr(self.load(), "prepare", None)
        if callable(prepare):
            prepare(settings, options)

    def can_batch(self, settings: Settings) -> bool:
        """Offline always; with a model when the response cache is on (batches *replay* cached answers)."""
        if settings.provider() != "offline" and not settings.cache.enabled:
            return False
        try:
            service = self.load()
        except ImportError:  # the agent is missing: per-example runs record the error
            return False
        return callable(getattr(service, "run_batch", None))

    def run_batch(self, inputs: list[AgentInput], ctx: RunContext) -> list[AgentRun | None]:
        """Many inputs through the service's ``run_batch``; ``None`` for inputs that need the model.

        Offline every input gets its answer. With a model each input gets a *cache-only*
        handle: an input whose every model call is cached is answered with the very answers
        the model gave before; one that needs the model comes back ``None`` for the caller
        to run live. Latency per input: its own pipeline plus its share of the batch work.
        """
        from agentops_cli.llm.factory import make_llm

        service = self.load()
        replay = ctx.settings.provider() != "offline"
        llms = [make_llm(ctx.settings, self.name, run_id=ctx.run_id, cache_only=replay) for _ in inputs]
        timings: list[float] = []
        outputs = service.run_batch(
            [self._text(i) for i in inputs],
            settings=ctx.settings,
            options=ctx.options,
            llms=llms,
            timings_ms=timings,
        )
        if len(outputs) != len(inputs) or len(timings) != len(inputs):
            raise RuntimeError(
                f"{self.name}.run_batch returned {len(outputs)} outputs for {len(inputs)} inputs"
            )
        return [
            None if out is None else run_from_llm(self.name, out, llm, run_id=ctx.run_id, latency_ms=ms)
            for out, llm, ms in zip(outputs, llms, timings, strict=True)
        ]

    def graph(self) -> Any:
        """The compiled LangGraph of this agent (``agentops graph``), or None when it has none."""
        return self._graph().build_graph() if self._graph else None


# -- the three built-ins: plain imports, deferred until the agent runs --------------------------------
def _support() -> ModuleType:
    from agentops_cli.agents.support import service

    return service


def _document() -> ModuleType:
    from agentops_cli.agents.document import service

    return service


def _research() -> ModuleType:
    from agentops_cli.agents.research import service

    return service


def _support_graph() -> ModuleType:
    from agentops_cli.agents.support import graph

    return graph


def _document_graph() -> ModuleType:
    from agentops_cli.agents.document import graph

    return graph


def _research_graph() -> ModuleType:
    from agentops_cli.agents.research import graph

    return graph


def builtin_agents() -> dict[str, ServiceAgent]:
    return {
        "support": ServiceAgent(
            "support",
            SupportInput,
            _support,
            "customer support: intent, answer with sources, escalation",
            graph=_support_graph,
        ),
        "document": ServiceAgent(
            "document",
            DocumentInput,
            _document,
            "document analysis: type, fields, clauses, risks, summary",
            graph=_document_graph,
        ),
        "research": ServiceAgent(
            "research",
            ResearchInput,
            _research,
            "research: plan, gather, cited report, verification",
            graph=_research_graph,
        ),
    }
