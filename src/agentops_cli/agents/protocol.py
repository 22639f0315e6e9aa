"""The one agent protocol: what every agent — built-in or the user's own — looks like.

``agentops run``, ``agentops eval`` (and later ``serve``/``mcp``) never know which kind of
agent they drive: they ask the registry for an :class:`Agent` by name, turn the raw input
into the agent's ``input_model``, call :meth:`Agent.run` with a :class:`RunContext` and get
an :class:`AgentRun` back. ``AgentRun.model_dump(mode="json")`` *is* the run JSON of the CLI
contract (common keys + the agent's own output keys), so nothing downstream packs or
unpacks dicts by hand.

Light on purpose: no langchain/langgraph import, so ``agentops agents list`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from agentops_cli.llm.usage import Usage

if TYPE_CHECKING:
    from agentops_cli.agents.transcript import Transcript
    from agentops_cli.config import Settings

Source = Literal["builtin", "plugin", "config", "cli"]
COMMON_KEYS = (
    "agent",
    "run_id",
    "provider",
    "model",
    "degraded",
    "degraded_reason",
    "usage",
    "cost_usd",
    "latency_ms",
    "llm_calls",
    "flags",
)


class AgentInput(BaseModel):
    """Base of every agent's input model; ``primary`` names the field a bare string fills.

    A dataset row's ``input: "text"`` and ``agentops run NAME TEXT`` give a string; ``serve``
    and rows with ``input: {...}`` give an object, validated against the model.
    """

    model_config = ConfigDict(extra="forbid")
    primary: ClassVar[str] = "input"


class FreeInput(AgentInput):
    """A user agent's input: whatever the row holds (a string or an object), mapped by the target."""

    input: Any = Field(
        ..., description="a string or a JSON object, passed through the target's input mapping"
    )


class UserOutput(BaseModel):
    """A user agent's typed output: its mapped answer under ``output`` (what scorers compare)."""

    output: Any = None
    flags: list[str] = Field(default_factory=list)


class AgentRun(BaseModel):
    """One run of one agent: the contract's common keys plus the agent's typed ``output``.

    Dumped (``model_dump(mode="json")``), the output's keys sit beside the common keys, as
    the CLI contract has always printed them; ``transcript`` never goes into the run JSON
    (eval stores it in its own file, see ``agents/transcript.py``).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    agent: str
    run_id: str
    provider: str = "offline"
    model: str = "offline"
    degraded: bool = False
    degraded_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    llm_calls: int = 0
    flags: list[str] = Field(default_factory=list)
    output: Any = None
    transcript: Any = Field(None, exclude=True)

    @model_serializer(mode="wrap")
    def _flatten(self, handler: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        data = handler(self)
        body = data.pop("output", None) or {}
        data.pop("transcript", None)
        if isinstance(body, dict):
            body.pop("flags", None)
            return {**data, **body}
        return {**data, "output": body}

    def body(self) -> dict[str, Any]:
        """The agent's own keys (the run JSON minus what only describes the run's cost/timing)."""
        data = self.model_dump(mode="json")
        for key in ("usage", "run_id", "provider", "model", "degraded", "latency_ms", "cost_usd"):
            data.pop(key, None)
        return data

    def __getitem__(self, key: str) -> Any:
        """Read a contract key as the JSON has it (scripts and tests: ``run["intent"]``)."""
        return self.model_dump(mode="json")[key]


@dataclass
class RunContext:
    """What a run needs besides its input: settings, ids, the operator's options, a sink for steps."""

    settings: Settings
    run_id: str
    trial: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    transcript: Transcript | None = None


@runtime_checkable
class Agent(Protocol):
    """An agent the registry can hand out.

    ``run`` is required; ``run_batch`` (many inputs, ``None`` for those it hands back),
    ``prepare`` (load shared state once) and ``graph`` (a compiled LangGraph, for
    ``agentops graph``) are optional — :func:`capability` reads them.
    """

    name: str
    source: Source
    description: str
    input_model: type[AgentInput]
    target: str

    def run(self, input: AgentInput, ctx: RunContext) -> AgentRun: ...


def capability(agent: Agent, name: str) -> Callable[..., Any] | None:
    """An optional method of ``agent`` (``run_batch``, ``prepare``, ``graph``, ``can_batch``), or None."""
    method = getattr(agent, name, None)
    return method if callable(method) else None


def make_input(agent: Agent, raw: Any) -> AgentInput:
    """A raw input (string, object, or already the model) → the agent's input model."""
    model = agent.input_model
    if isinstance(raw, model):
        return raw
    if model is FreeInput:
        return FreeInput(input=raw)
    if isinstance(raw, dict):
        return model.model_validate(raw)
    return model.model_validate({model.primary: raw})
