"""Run one agent on one input and wrap its answer in the contract's common keys.

``agentops run`` and ``agentops eval`` both come through here, so every result has
``agent``, ``provider``, ``model``, ``degraded``, ``usage``, ``cost_usd``,
``latency_ms``, ``run_id`` and ``flags`` computed the same way.
"""

from __future__ import annotations

import importlib
import time
from typing import Any, Protocol

from pydantic import BaseModel

from agentops_cli.config import Settings
from agentops_cli.errors import BadInput
from agentops_cli.llm.base import AgentLLM
from agentops_cli.llm.factory import make_llm
from agentops_cli.run_ids import new_run_id

AGENTS: dict[str, str] = {
    "support": "agentops_cli.agents.support.service",
    "document": "agentops_cli.agents.document.service",
    "research": "agentops_cli.agents.research.service",
}


class AgentService(Protocol):
    """What each ``agents/<name>/service.py`` provides."""

    def run(self, input: str, *, llm: AgentLLM, settings: Settings, options: dict[str, Any]) -> BaseModel: ...


def load_service(agent: str) -> AgentService:
    if agent not in AGENTS:
        raise BadInput(f"unknown agent '{agent}' (choose from {', '.join(AGENTS)})")
    return importlib.import_module(AGENTS[agent])  # type: ignore[return-value]


def prepare_agent(agent: str, settings: Settings, options: dict[str, Any]) -> None:
    """Load what every run of ``agent`` shares (its pack, models, indexes) now, once.

    The eval runner calls this before handing an agent's first example to its worker pool:
    left to first use, 32 threads race to load the same model and each pays for it.
    Agents opt in with a ``prepare(settings, options)`` function in their service.
    """
    prepare = getattr(load_service(agent), "prepare", None)
    if callable(prepare):
        prepare(settings, options)


def wrap_output(
    agent: str,
    output: BaseModel,
    *,
    run_id: str,
    provider: str,
    model: str,
    latency_ms: float,
    degraded_reasons: list[str] | None = None,
    usage: dict[str, int] | None = None,
    cost_usd: float = 0.0,
    llm_calls: int = 0,
) -> dict[str, Any]:
    """The contract's common keys around an agent's typed output — one place for both paths."""
    body = output.model_dump(mode="json")
    flags = list(body.pop("flags", []))
    degraded = bool(degraded_reasons)
    if degraded and "degraded" not in flags:
        flags.append("degraded")
    return {
        "agent": agent,
        "run_id": run_id,
        "provider": provider,
        "model": model,
        "degraded": degraded,
        "degraded_reason": "; ".join(degraded_reasons or []) or None,
        "usage": usage or {"input_tokens": 0, "output_tokens": 0, "cached_tokens": 0},
        "cost_usd": round(cost_usd, 8),
        "latency_ms": latency_ms,
        "llm_calls": llm_calls,
        "flags": flags,
        **body,
    }


def wrap_run(
    agent: str, output: BaseModel, llm: AgentLLM, *, run_id: str, latency_ms: float
) -> dict[str, Any]:
    """:func:`wrap_output` with what ``llm`` recorded over the run: models, usage, cost, failover."""
    models_used = sorted({c.model for c in llm.calls if c.provider != "offline"})
    return wrap_output(
        agent,
        output,
        run_id=run_id,
        provider=llm.provider,
        model=models_used[0] if len(models_used) == 1 else (",".join(models_used) or llm.model),
        latency_ms=round(latency_ms, 2),
        degraded_reasons=llm.degraded_reasons,
        usage=llm.usage.model_dump(),
        cost_usd=llm.cost_usd,
        llm_calls=llm.llm_calls,
    )


def run_agent(
    agent: str,
    input: str,
    settings: Settings,
    options: dict[str, Any] | None = None,
    *,
    trial: int = 0,
    run_id: str | None = None,
    log: bool = True,
) -> dict[str, Any]:
    """Run ``agent`` on ``input``; return the contract's JSON document as a dict.

    A run that fails is still written to the run log (with its error) before the error
    propagates, so "what failed yesterday" has an answer too.
    """
    service = load_service(agent)
    run_id = run_id or new_run_id()
    llm = make_llm(settings, agent, trial=trial, run_id=run_id)
    started = time.perf_counter()
    try:
        output = service.run(input, llm=llm, settings=settings, options=options or {})
    except Exception as exc:
        if log:
            from agentops_cli.observability.runlog import record_run

            failed = {"agent": agent, "run_id": run_id, "provider": llm.provider, "model": llm.model}
            record_run(settings, failed, input, error=f"{type(exc).__name__}: {exc}")
        raise
    result = wrap_run(agent, output, llm, run_id=run_id, latency_ms=(time.perf_counter() - started) * 1000)
    if log:
        from agentops_cli.observability.runlog import record_run

        record_run(settings, result, input)
    return result


def can_batch(agent: str, settings: Settings) -> bool:
    """Whether eval may hand ``agent`` its examples in batches (``run_batch``: same nodes, no graph).

    Offline, always. With a model, when the response cache is on: the batch then *replays*
    cached answers and hands back the examples that need the model (see :func:`run_agent_batch`).
    """
    if agent not in AGENTS or (settings.provider() != "offline" and not settings.cache.enabled):
        return False
    try:
        service = load_service(agent)
    except ImportError:  # the agent is missing: per-example runs record the error
        return False
    return callable(getattr(service, "run_batch", None))


def run_agent_batch(
    agent: str,
    inputs: list[str],
    settings: Settings,
    options: dict[str, Any] | None = None,
    *,
    run_id: str | None = None,
) -> list[dict[str, Any] | None]:
    """Many inputs through the agent's ``run_batch``, each output wrapped like :func:`run_agent`.

    Offline, every input gets its answer. With a model, each input gets a *cache-only* handle:
    an input whose every model call is in the response cache is answered here, with the very
    answers the model gave before; one that needs the model comes back as ``None``, for the
    caller to run live (eval sends those to its worker pool). Re-running an eval on a warm
    cache thus costs about what an offline eval costs.

    Each example's latency is its own pipeline time plus its share of the vectorised
    classification, as measured by the service.
    """
    service = load_service(agent)
    run_id = run_id or new_run_id()
    replay = settings.provider() != "offline"
    llms = [make_llm(settings, agent, run_id=run_id, cache_only=replay) for _ in inputs]
    timings: list[float] = []
    outputs = service.run_batch(  # type: ignore[attr-defined]
        inputs, settings=settings, options=options or {}, llms=llms, timings_ms=timings
    )
    if len(outputs) != len(inputs) or len(timings) != len(inputs):
        raise RuntimeError(f"{agent}.run_batch returned {len(outputs)} outputs for {len(inputs)} inputs")
    return [
        None if out is None else wrap_run(agent, out, llm, run_id=run_id, latency_ms=ms)
        for out, llm, ms in zip(outputs, llms, timings, strict=True)
    ]
