"""LangSmith tracing: on only when a key is configured, off for certain otherwise.

Why the care: ``LANGSMITH_TRACING=true`` without a reachable LangSmith delays every
process exit by ~12 s (a non-daemon flush thread), and langsmith reads its environment
through an ``lru_cache``. So :func:`configure_tracing` decides once per process from the
settings (``settings.langsmith_enabled()``: key AND tracing), writes the matching
environment *before* langchain/langgraph are imported (the factory calls it before any
agent graph runs), and, if langsmith is already loaded, clears its cached view and sets its
global switch too. A stray ``LANGSMITH_TRACING``/``LANGCHAIN_TRACING_V2`` in the shell
therefore cannot make an offline run try the network.

Every model call carries :func:`trace_config` (run name, tags and metadata: agent,
provider, model, run id), which LangSmith shows when tracing is on and which costs
nothing when it is off.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from agentops_cli.config import Settings

_TRACING_FLAGS = ("LANGSMITH_TRACING", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING")


def configure_tracing(settings: Settings) -> bool:
    """Turn LangSmith tracing on (key + tracing configured) or firmly off; returns the state."""
    enabled = settings.langsmith_enabled()
    if enabled:
        ls = settings.langsmith
        os.environ["LANGSMITH_TRACING"] = "true"
        os.environ["LANGSMITH_API_KEY"] = ls.api_key.get_secret_value() if ls.api_key else ""
        os.environ["LANGSMITH_PROJECT"] = ls.project
        if ls.endpoint:
            os.environ["LANGSMITH_ENDPOINT"] = ls.endpoint
        for name in _TRACING_FLAGS[1:]:
            os.environ.pop(name, None)
    else:
        for name in _TRACING_FLAGS:
            os.environ[name] = "false"
    _sync_loaded_langsmith(enabled)
    return enabled


def _sync_loaded_langsmith(enabled: bool) -> None:
    """If langsmith is already imported, make it forget the environment it cached."""
    utils = sys.modules.get("langsmith.utils")
    if utils is not None:
        getter = getattr(utils, "get_env_var", None)
        if hasattr(getter, "cache_clear"):
            getter.cache_clear()  # type: ignore[union-attr]
    run_trees = sys.modules.get("langsmith.run_trees")
    if run_trees is not None and hasattr(run_trees, "configure"):
        run_trees.configure(enabled=enabled)


def tracing_active() -> bool:
    """What langsmith itself believes now (imports langsmith; for tests and diagnostics)."""
    from langsmith.utils import tracing_is_enabled

    return bool(tracing_is_enabled())


def trace_config(*, agent: str, provider: str, model: str, step: str, run_id: str | None) -> dict[str, Any]:
    """The ``RunnableConfig`` of one model call: run name, tags and metadata."""
    return {
        "run_name": f"{agent}.{step.replace('/', '.')}",
        "tags": ["agentops", f"agent:{agent}", f"provider:{provider}", f"model:{model}"],
        "metadata": {"agent": agent, "provider": provider, "model": model, "run_id": run_id, "step": step},
    }
