"""The seam between agents and models.

An agent node asks for a typed answer — "classify this", "extract that" — by calling
:meth:`AgentLLM.structured` with a pydantic schema, a prompt name and an *offline twin*
(a function returning the same schema without any model). It does not know, and must
not care, which side answered: the offline engine (default, no key), the configured
LLM, or the offline engine again as failover when the LLM is down (then the run is
marked ``degraded``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel

from agentops_cli.llm.usage import Usage

T = TypeVar("T", bound=BaseModel)
Complexity = Literal["simple", "complex"]


@dataclass
class CallRecord:
    """What one structured request cost and how it was answered."""

    name: str
    provider: str
    model: str
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    cache_hit: bool = False
    degraded: bool = False
    error: str | None = None


@dataclass
class RunDeadline:
    """One run's time budget for model requests (``llm.deadline_s``), retries and waits included.

    The clock starts at the run's first request, not when the handle is made: building the
    client (importing langchain, seconds on a busy machine) and the offline steps before it
    are not the model's time, and a budget they ate would fail over runs that never waited.
    """

    budget_s: float
    started_at: float | None = None

    def at(self) -> float:
        """The ``time.monotonic()`` instant the budget runs out (starting the clock if needed)."""
        if self.started_at is None:
            self.started_at = time.monotonic()
        return self.started_at + self.budget_s


class Backend(Protocol):
    """A model that can answer a structured request (the OpenAI-compatible one, in practice).

    It raises :class:`FailoverRequested` when the model cannot answer and failover is on,
    and ``RuntimeFailure`` when failover is off.
    """

    provider: str

    def structured(
        self,
        schema: type[T],
        *,
        name: str,
        messages: list[dict[str, str]],
        model: str,
        trial: int = 0,
        agent: str = "",
        run_id: str | None = None,
        deadline: RunDeadline | None = None,
    ) -> tuple[T, CallRecord]: ...

    def cached(
        self,
        schema: type[T],
        *,
        name: str,
        messages: list[dict[str, str]],
        model: str,
        trial: int = 0,
        agent: str = "",
        run_id: str | None = None,
    ) -> tuple[T, CallRecord] | None:
        """The stored answer to this exact request, or None; never sends anything."""
        ...


@dataclass
class AgentLLM:
    """The model handle one agent run gets from the factory (see ``llm/factory.py``).

    Collects usage, cost, degraded state and flags over the run, so the runner can
    report them without the nodes passing bookkeeping around.
    """

    agent: str
    provider: str
    model: str
    backend: Backend | None = None
    route: Callable[[Complexity | None, str], str] | None = None
    trial: int = 0
    run_id: str | None = None
    # Replay: answer only from the response cache and raise CacheMiss otherwise, so eval can
    # run cached examples in cheap batches and send only the misses to its worker pool.
    cache_only: bool = False
    # The run's time budget for model requests (``llm.deadline_s``; None = none): past it,
    # no request is sent and the offline twin answers.
    deadline: RunDeadline | None = None
    calls: list[CallRecord] = field(default_factory=list)
    degraded_reasons: list[str] = field(default_factory=list)

    # -- the one method nodes call ---------------------------------------------------------------
    def structured(
        self,
        schema: type[T],
        *,
        prompt: str,
        variables: dict[str, Any],
        offline: Callable[[], T],
        complexity: Complexity | None = None,
    ) -> T:
        """Answer ``prompt`` (a name under ``prompts/``) filled with ``variables`` as ``schema``.

        ``offline`` is the twin used when the provider is offline, and as failover.
        """
        if self.backend is None:
            return self._offline(prompt, offline)
        request = self._request(prompt, variables, complexity)
        if self.cache_only:
            hit = self.backend.cached(schema, **request)
            if hit is None:
                raise CacheMiss(prompt)
            answer, record = hit
        else:
            try:
                answer, record = self.backend.structured(schema, **request, deadline=self.deadline)
            except FailoverRequested as exc:
                return self._offline(prompt, offline, degraded_reason=str(exc))
        self.calls.append(record)
        return answer

    def _request(
        self, prompt: str, variables: dict[str, Any], complexity: Complexity | None
    ) -> dict[str, Any]:
        """The backend's keyword arguments: the chat messages of ``prompt``, the model the routing
        rule picks for them, and this run's trial, agent and run id."""
        from agentops_cli.llm.prompting import build_messages

        messages = build_messages(prompt, variables)
        model = self.route(complexity, messages[-1]["content"]) if self.route else self.model
        return {
            "name": prompt,
            "messages": messages,
            "model": model,
            "trial": self.trial,
            "agent": self.agent,
            "run_id": self.run_id,
        }

    def _offline(self, name: str, offline: Callable[[], T], degraded_reason: str | None = None) -> T:
        started = time.perf_counter()
        answer = offline()
        self.calls.append(
            CallRecord(
                name=name,
                provider="offline",
                model="offline",
                latency_ms=(time.perf_counter() - started) * 1000,
                degraded=degraded_reason is not None,
                error=degraded_reason,
            )
        )
        if degraded_reason and degraded_reason not in self.degraded_reasons:
            self.degraded_reasons.append(degraded_reason)
        return answer

    # -- what the run reports ---------------------------------------------------------------------
    @property
    def degraded(self) -> bool:
        return bool(self.degraded_reasons)

    @property
    def usage(self) -> Usage:
        total = Usage()
        for call in self.calls:
            total = total + call.usage
        return total

    @property
    def cost_usd(self) -> float:
        return sum(call.cost_usd for call in self.calls)

    @property
    def llm_calls(self) -> int:
        """Calls that reached (or were answered from the cache of) a model, not offline ones."""
        return sum(1 for call in self.calls if call.provider != "offline")

    @property
    def cache_hits(self) -> int:
        return sum(1 for call in self.calls if call.cache_hit)


class FailoverRequested(Exception):
    """Raised by a backend when the model cannot answer and failover to offline is allowed.

    The message is the reason shown in ``degraded_reason`` (e.g. ``circuit open``).
    """


class CacheMiss(Exception):
    """Raised by a ``cache_only`` :class:`AgentLLM` when an answer is not in the response cache."""
