"""What every user-agent target shares: input mapping, output mapping, usage, cost, the run record.

A target subclass only implements :meth:`UserTarget.invoke` (payload in, raw result out,
model calls it saw recorded on the :class:`Calls` it is given). Failures raise
:class:`TargetError` with a message naming the agent; eval records it on the example.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from agentops_cli.agents.protocol import AgentInput, AgentRun, FreeInput, RunContext, Source, UserOutput
from agentops_cli.agents.targets.mapping import MappingError, fill, lookup, pick_output
from agentops_cli.config import AgentEntry, Settings
from agentops_cli.llm.usage import Usage

USAGE_KEYS = {
    "input_tokens": ("input_tokens", "prompt_tokens"),
    "output_tokens": ("output_tokens", "completion_tokens"),
    "cached_tokens": ("cached_tokens",),
}


class TargetError(RuntimeError):
    """A user agent failed on one input (HTTP error, non-JSON output, missing field, timeout)."""


@dataclass
class ModelCall:
    """One chat-model call a target saw (the LangChain callback, or a reported ``usage``)."""

    model: str
    usage: Usage
    latency_ms: float = 0.0
    cost_usd: float | None = None


@dataclass
class Calls:
    items: list[ModelCall] = field(default_factory=list)


def usage_from(data: Any) -> Usage:
    """A reported usage object (documented keys, OpenAI's names accepted) as :class:`Usage`."""
    values: dict[str, int] = {}
    for key, names in USAGE_KEYS.items():
        for name in names:
            raw = data.get(name) if isinstance(data, dict) else None
            if isinstance(raw, int | float) and not isinstance(raw, bool) and raw >= 0:
                values[key] = int(raw)
                break
    return Usage(**values)


def price(call: ModelCall, settings: Settings) -> float:
    """The call's cost: as reported, else from the one price table (0 for a model it does not list)."""
    if call.cost_usd is not None:
        return call.cost_usd
    from agentops_cli.costs.prices import load_price_table

    found = load_price_table(settings).find(call.model)
    if found is None:
        return 0.0
    from agentops_cli.costs.prices import cost_of

    return cost_of(call.model, call.usage, settings)


class UserTarget:
    """A user agent behind a target spec; subclasses implement :meth:`invoke`."""

    input_model: type[AgentInput] = FreeInput
    kind = "user"

    def __init__(self, name: str, entry: AgentEntry, source: Source) -> None:
        self.name = name
        self.entry = entry
        self.source: Source = source
        self.target = entry.target
        self.description = entry.description

    def invoke(self, payload: Any, ctx: RunContext, calls: Calls) -> Any:
        raise NotImplementedError

    def run(self, input: AgentInput, ctx: RunContext) -> AgentRun:
        raw = getattr(input, "input", None)
        started = time.perf_counter()
        calls = Calls()
        try:
            payload = fill(self.entry.input, {"input": raw, "run_id": ctx.run_id})
        except MappingError as exc:
            raise TargetError(f"agent '{self.name}': input mapping: {exc}") from exc
        result = self.invoke(payload, ctx, calls)
        try:
            output = pick_output(result, self.entry.output)
        except MappingError as exc:
            raise TargetError(f"agent '{self.name}': output {exc}") from exc
        self._reported_usage(result, calls)
        usage = Usage()
        for call in calls.items:
            usage = usage + call.usage
        cost = sum(price(call, ctx.settings) for call in calls.items)
        models = sorted({c.model for c in calls.items if c.model})
        return AgentRun(
            agent=self.name,
            run_id=ctx.run_id,
            provider=self.kind,
            model=",".join(models) or self.kind,
            usage=usage,
            cost_usd=round(cost, 8),
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
            llm_calls=len(calls.items),
            output=UserOutput(output=jsonable(output)),
        )

    def _reported_usage(self, result: Any, calls: Calls) -> None:
        """A ``usage`` object in the result (HTTP/exec agents report their own tokens)."""
        if calls.items or not self.entry.usage or not isinstance(result, dict):
            return
        try:
            data = lookup(result, self.entry.usage)
        except MappingError:
            return
        if isinstance(data, dict):
            cost = data.get("cost_usd")
            calls.items.append(
                ModelCall(
                    model=str(data.get("model") or ""),
                    usage=usage_from(data),
                    cost_usd=float(cost) if isinstance(cost, int | float) else None,
                )
            )

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "target": self.target,
            "description": self.description,
            "input": self.entry.input,
            "output": self.entry.output,
            "input_schema": self.input_model.model_json_schema(),
        }


def jsonable(value: Any) -> Any:
    """LangChain messages and other objects → JSON values (messages become their content)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    content = getattr(value, "content", None)
    if content is not None:
        return jsonable(content)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return jsonable(dump(mode="json"))
    return json.loads(json.dumps(value, default=str))
