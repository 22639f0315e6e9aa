"""The one LLM factory: settings in, an :class:`AgentLLM` for one agent run out."""

from __future__ import annotations

from collections.abc import Callable

from agentops_cli.config import Settings
from agentops_cli.llm.base import AgentLLM, Complexity, RunDeadline


def make_router(settings: Settings, agent: str) -> Callable[[Complexity | None, str], str]:
    """Complexity routing from the seeds: simple → small model, complex → large (when enabled)."""
    routing = settings.llm.routing
    default = settings.model_for(agent)

    def route(complexity: Complexity | None, text: str) -> str:
        if not routing.enabled:
            return default
        if complexity is None:
            complexity = "complex" if len(text) >= routing.complex_min_chars else "simple"
        return routing.complex_model if complexity == "complex" else routing.simple_model

    return route


def make_llm(
    settings: Settings,
    agent: str,
    *,
    trial: int = 0,
    run_id: str | None = None,
    cache_only: bool = False,
) -> AgentLLM:
    """Give ``agent`` its model. Offline imports nothing from langchain.

    Tracing is settled here, before any agent graph imports langchain/langgraph, so a stray
    ``LANGSMITH_TRACING`` can never make a run try the network (see ``llm/tracing.py``).
    """
    from agentops_cli.llm.tracing import configure_tracing

    configure_tracing(settings)
    if settings.disable_llm and settings.llm.provider == "openai":
        from agentops_cli.observability.logging import get_logger

        # DISABLE_LLM is the kill switch of the deployment notes: it wins over --provider, loudly.
        get_logger().warning("DISABLE_LLM is set: using the offline engine despite provider 'openai'")
    if settings.provider() == "offline":
        return AgentLLM(agent=agent, provider="offline", model="offline", trial=trial, run_id=run_id)
    from agentops_cli.llm.openai_backend import shared_backend

    return AgentLLM(
        agent=agent,
        provider="openai",
        model=settings.model_for(agent),
        backend=shared_backend(settings),
        route=make_router(settings, agent),
        trial=trial,
        run_id=run_id,
        cache_only=cache_only,
        deadline=RunDeadline(settings.llm.deadline_s) if settings.llm.deadline_s else None,
    )
