"""Run one agent on one input and wrap its answer in the contract's common keys.

``agentops run`` and ``agentops eval`` both come through here, so every result has
``agent``, ``provider``, ``model``, ``degraded``, ``usage``, ``cost_usd``,
``latency_ms``, ``run_id`` and ``flags`` computed the same way.
"""

from __future__ import annotations

import importlib
import time
import uuid
from typing import Any, Protocol

from pydantic import BaseModel

from agentops_cli.config import Settings
from agentops_cli.errors import BadInput
from agentops_cli.llm.base import AgentLLM
from agentops_cli.llm.factory import make_llm

AGENTS: dict[str, str] = {
    "support": "agentops_cli.agents.support.service",
    "document": "agentops_cli.agents.document.service",
    "research": "agentops_cli.agents.research.service",
}


class AgentService(Protocol):
    """What each ``agents/<name>/service.py`` provides."""

    def run(
        self, input: str, *, llm: AgentLLM, settings: Settings, options: dict[str, Any]
    ) -> BaseModel: ...


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def load_service(agent: str) -> AgentService:
    if agent not in AGENTS:
        raise BadInput(f"unknown agent '{agent}' (choose from {', '.join(AGENTS)})")
    return importlib.import_module(AGENTS[agent])  # type: ignore[return-value]


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
    """Run ``agent`` on ``input``; return the contract's JSON document as a dict."""
    service = load_service(agent)
    llm = make_llm(settings, agent, trial=trial)
    run_id = run_id or new_run_id()
    started = time.perf_counter()
    output = service.run(input, llm=llm, settings=settings, options=options or {})
    latency_ms = round((time.perf_counter() - started) * 1000, 2)

    body = output.model_dump(mode="json")
    flags = list(body.pop("flags", []))
    if llm.degraded and "degraded" not in flags:
        flags.append("degraded")
    models_used = sorted({c.model for c in llm.calls if c.provider != "offline"})
    result: dict[str, Any] = {
        "agent": agent,
        "run_id": run_id,
        "provider": llm.provider,
        "model": models_used[0] if len(models_used) == 1 else (",".join(models_used) or llm.model),
        "degraded": llm.degraded,
        "degraded_reason": "; ".join(llm.degraded_reasons) or None,
        "usage": llm.usage.model_dump(),
        "cost_usd": round(llm.cost_usd, 8),
        "latency_ms": latency_ms,
        "llm_calls": llm.llm_calls,
        "flags": flags,
        **body,
    }
    if log:
        from agentops_cli.observability.runlog import record_run

        record_run(settings, result, input)
    return result
