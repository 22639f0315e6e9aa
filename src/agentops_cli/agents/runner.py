"""The one entry point that runs an agent: ``run``, ``eval`` (and the services built on them) call it.

:func:`run_agent` resolves the agent in the registry, validates the input against the
agent's input model, runs it under a :class:`RunContext` and returns a typed
:class:`AgentRun` whose JSON dump is the CLI contract's run document (``agent``,
``provider``, ``model``, ``degraded``, ``usage``, ``cost_usd``, ``latency_ms``, ``run_id``,
``flags`` + the agent's own keys). A run that fails is written to the run log with its
error before the error propagates.
"""

from __future__ import annotations

import json
from typing import Any

from agentops_cli.agents.protocol import Agent, AgentRun, RunContext, capability, make_input
from agentops_cli.agents.registry import get_agent
from agentops_cli.agents.transcript import Transcript
from agentops_cli.config import AgentEntry, Settings
from agentops_cli.errors import BadInput
from agentops_cli.run_ids import new_run_id


def resolve(agent: str | Agent, settings: Settings, target: str | None = None) -> Agent:
    """An agent object from a name, a spec, or ``--target SPEC`` (registered under ``agent``)."""
    if not isinstance(agent, str):
        return agent
    return get_agent(agent, settings, spec=AgentEntry(target=target) if target else None)


def input_text(raw: Any) -> str:
    """The input as text (run log hash, results file): strings as they are, objects as JSON."""
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)


def run_agent(
    agent: str | Agent,
    input: Any,
    settings: Settings,
    options: dict[str, Any] | None = None,
    *,
    trial: int = 0,
    run_id: str | None = None,
    log: bool = True,
    target: str | None = None,
    transcript: Transcript | None = None,
) -> AgentRun:
    """Run ``agent`` (name, spec or object) on ``input`` (string, object or the input model)."""
    resolved = resolve(agent, settings, target)
    ctx = RunContext(
        settings=settings,
        run_id=run_id or new_run_id(),
        trial=trial,
        options=options or {},
        transcript=transcript,
    )
    try:
        model_input = make_input(resolved, input)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise BadInput(f"agent '{resolved.name}': invalid input: {_first_error(exc)}") from exc
    try:
        result = resolved.run(model_input, ctx)
    except Exception as exc:
        if log:
            from agentops_cli.observability.runlog import record_run

            failed = {"agent": resolved.name, "run_id": ctx.run_id, "provider": _provider(resolved, settings)}
            record_run(settings, failed, input_text(input), error=f"{type(exc).__name__}: {exc}")
        raise
    if log:
        from agentops_cli.observability.runlog import record_run

        record_run(settings, result.model_dump(mode="json"), input_text(input))
    return result


def _provider(agent: Agent, settings: Settings) -> str:
    return settings.provider() if agent.source == "builtin" else agent.target.split(":", 1)[0]


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc']) or 'input'}: {first['msg']}"
    return str(exc)


def prepare_agent(agent: str | Agent, settings: Settings, options: dict[str, Any]) -> None:
    """Load what every run of ``agent`` shares (pack, models, a user's ``setup``) now, once.

    The eval runner calls this before an agent's first example goes to its worker pool: left
    to first use, 32 threads race to load the same model and each pays for it.
    """
    prepare = capability(resolve(agent, settings), "prepare")
    if prepare is not None:
        prepare(settings, options)


def can_batch(agent: str | Agent, settings: Settings) -> bool:
    """Whether eval may hand ``agent`` its examples in batches (its ``run_batch``)."""
    try:
        resolved = resolve(agent, settings)
    except BadInput:
        return False  # per-example runs record why
    check = capability(resolved, "can_batch")
    return capability(resolved, "run_batch") is not None and (check is None or bool(check(settings)))


def run_agent_batch(
    agent: str | Agent,
    inputs: list[Any],
    settings: Settings,
    options: dict[str, Any] | None = None,
    *,
    run_id: str | None = None,
) -> list[AgentRun | None]:
    """Many inputs through the agent's ``run_batch``; ``None`` marks an input to run alone."""
    resolved = resolve(agent, settings)
    batch = capability(resolved, "run_batch")
    if batch is None:
        raise BadInput(f"agent '{resolved.name}' has no batch path")
    ctx = RunContext(settings=settings, run_id=run_id or new_run_id(), options=options or {})
    return batch([make_input(resolved, raw) for raw in inputs], ctx)
