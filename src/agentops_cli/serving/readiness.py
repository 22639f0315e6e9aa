"""``/readyz``: is this replica ready to take traffic, and what is degraded."""

from __future__ import annotations

from typing import Any

from agentops_cli.serving.state import ServeState


def check(state: ServeState) -> dict[str, Any]:
    """``{"status": ready|degraded|not_ready, "checks": {...}, "reasons": [...]}``.

    not_ready (503): agents not warmed yet, or a built-in failed to load its models.
    degraded (200): an LLM breaker is open, Redis or Postgres is unreachable.
    """
    from agentops_cli.llm.resilience import breaker_states

    settings = state.settings
    blocking: list[str] = []
    degraded: list[str] = []
    checks: dict[str, Any] = {}
    with state.readiness.lock:
        warmed, failures = state.readiness.warmed, dict(state.readiness.failures)
    checks["models"] = "loaded" if warmed and not failures else ("loading" if not warmed else "failed")
    if not warmed:
        blocking.append("agents are still loading their models")
    blocking.extend(f"agent '{name}': {why}" for name, why in sorted(failures.items()))
    states = breaker_states()
    checks["llm_breakers"] = {f"{endpoint} {model}": s for (endpoint, model), s in states.items()}
    degraded.extend(
        f"LLM circuit {s} for {model} at {endpoint} (answers fall back offline)"
        for (endpoint, model), s in states.items()
        if s != "closed"
    )
    if settings.redis_url is not None:
        from agentops_cli import shared_state

        problem = shared_state.ping(settings.redis_url.get_secret_value())
        checks["redis"] = problem or "ok"
        if problem:
            degraded.append(f"{problem}: cache and rate limits are local to this replica")
    if settings.postgres_url is not None:
        from agentops_cli.agents.support.hitl import ping_postgres

        problem = ping_postgres(settings.postgres_url.get_secret_value())
        checks["postgres"] = problem or "ok"
        if problem:
            degraded.append(f"{problem}: HITL endpoints answer 503")
    status = "not_ready" if blocking else ("degraded" if degraded else "ready")
    return {"status": status, "checks": checks, "reasons": blocking + degraded}
