"""One agent run for an HTTP request: validate, run in a worker thread, measure, audit.

Runs are synchronous and CPU- or socket-bound, so they go to a thread pool bounded by
``serve.max_concurrency`` (the event loop keeps accepting requests and answering probes).
Errors become HTTP statuses here and nowhere else: invalid input 422, unknown agent 404,
HITL store down 503, LLM unavailable with failover off 503, a crashing agent 500.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
from fastapi import HTTPException

from agentops_cli.agents.protocol import Agent, make_input
from agentops_cli.agents.registry import agent_names, get_agent
from agentops_cli.agents.runner import run_agent
from agentops_cli.agents.transcript import Transcript
from agentops_cli.errors import BadInput
from agentops_cli.serving.state import ServeState


def find_agent(state: ServeState, name: str) -> Agent:
    """A *registered* agent (never a target spec from a URL: that would run arbitrary code)."""
    if name not in agent_names(state.settings):
        raise HTTPException(404, f"no agent named '{name}' (GET /v1/agents lists them)")
    try:
        return get_agent(name, state.settings)
    except BadInput as exc:
        raise HTTPException(503, f"agent '{name}' cannot be loaded: {exc}") from exc


def validate(agent: Agent, body: Any) -> Any:
    """The agent's input model from the body, or 422 naming the field (FastAPI's error shape)."""
    try:
        return make_input(agent, body)
    except ValueError as exc:
        errors = getattr(exc, "errors", None)
        detail = (
            [
                {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in errors(include_url=False, include_input=False)
            ]
            if callable(errors)
            else [{"loc": ["body"], "msg": str(exc), "type": "value_error"}]
        )
        raise HTTPException(422, detail) from exc


def _status_of(exc: BaseException) -> tuple[int, str]:
    from agentops_cli.agents.support.hitl import CheckpointStoreUnavailable
    from agentops_cli.llm.resilience import LLMCallError

    if isinstance(exc, HTTPException):
        return exc.status_code, str(exc.detail)
    if isinstance(exc, CheckpointStoreUnavailable):
        return 503, str(exc)
    if isinstance(exc, BadInput):
        return 422, str(exc)
    if isinstance(exc, LLMCallError):
        return 503, f"LLM unavailable: {exc}"
    return 500, f"agent failed: {type(exc).__name__}"


async def execute(
    state: ServeState,
    agent: Agent,
    model_input: Any,
    options: dict[str, Any],
    caller: str,
    transcript: Transcript | None = None,
) -> dict[str, Any]:
    """Run, record metrics and the audit line; the run JSON, or an HTTPException."""
    started = time.perf_counter()

    def work() -> dict[str, Any]:
        run = run_agent(agent, model_input, state.settings, options, transcript=transcript)
        return run.model_dump(mode="json")

    try:
        result = await anyio.to_thread.run_sync(work, limiter=state.run_slots)
    except Exception as exc:
        seconds = time.perf_counter() - started
        status, message = _status_of(exc)
        state.metrics.observe_failure(agent.name, status, type(exc).__name__, seconds)
        state.audit.write(key_id=caller, agent=agent.name, status=status, latency_ms=round(seconds * 1000, 1))
        if isinstance(exc, HTTPException):
            raise
        raise HTTPException(status, message) from exc
    seconds = time.perf_counter() - started
    state.metrics.observe_run(agent.name, result, seconds)
    state.audit.write(
        key_id=caller,
        agent=agent.name,
        status=200,
        latency_ms=round(seconds * 1000, 1),
        cost_usd=result.get("cost_usd", 0.0),
        run_id=result.get("run_id"),
        degraded=bool(result.get("degraded")),
    )
    return result
