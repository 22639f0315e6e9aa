"""``create_app(settings) -> FastAPI``: the service's routers, middleware and start-up warm-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from agentops_cli import __version__
from agentops_cli.config import Settings
from agentops_cli.serving import routes
from agentops_cli.serving.state import ServeState


def warm_up(state: ServeState) -> None:
    """Load every built-in and configured agent's shared state now, not on the first request.

    A failure is recorded (``/readyz`` names it) instead of stopping the server: the other
    agents still serve.
    """
    from agentops_cli.agents.registry import agent_names
    from agentops_cli.agents.runner import prepare_agent

    for name in agent_names(state.settings):
        try:
            prepare_agent(name, state.settings, {})
        except Exception as exc:
            with state.readiness.lock:
                state.readiness.failures[name] = f"{type(exc).__name__}: {exc}"[:300]
    with state.readiness.lock:
        state.readiness.warmed = True


def create_app(settings: Settings, *, warm: bool = True) -> FastAPI:
    """The FastAPI app: health/metrics, agents and threads routers (others may add theirs)."""
    state = ServeState.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.run_slots = anyio.CapacityLimiter(settings.serve.max_concurrency)
        anyio.to_thread.current_default_thread_limiter().total_tokens = max(
            40, settings.serve.max_concurrency + 8
        )
        if warm:
            await anyio.to_thread.run_sync(warm_up, state)
        else:
            state.readiness.warmed = True
        yield

    app = FastAPI(
        title="agentops",
        version=__version__,
        description="Every registered agent as an HTTP API. Run JSON = `agentops run NAME … --json`.",
        lifespan=lifespan,
    )
    app.state.serve = state

    @app.middleware("http")
    async def refuse_large_bodies(request: Request, call_next: Any) -> Any:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.serve.max_body_bytes:
            return JSONResponse(
                {"detail": f"request body over {settings.serve.max_body_bytes} bytes"}, status_code=413
            )
        return await call_next(request)

    app.include_router(routes.health)
    app.include_router(routes.agents)
    app.include_router(routes.threads)
    mount_a2a(app, settings)
    return app


A2A_PREFIX = "/a2a"


def mount_a2a(app: FastAPI, settings: Settings) -> None:
    """The A2A app under ``/a2a`` (card at ``/a2a/.well-known/agent-card.json``), same runs.

    Its JSON-RPC calls run agents, so they pass the same API-key, rate-limit and quota check as
    ``/v1`` (the card stays public, as A2A discovery expects).
    """
    from fastapi import HTTPException

    from agentops_cli.interop.a2a_app import a2a_app
    from agentops_cli.serving.guard import authorize

    @app.middleware("http")
    async def guard_a2a(request: Request, call_next: Any) -> Any:
        if request.url.path.startswith(A2A_PREFIX) and request.method != "GET":
            try:
                authorize(request)
            except HTTPException as exc:
                return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return await call_next(request)

    base = f"http://{settings.serve.host}:{settings.serve.port}{A2A_PREFIX}/"
    app.mount(A2A_PREFIX, a2a_app(settings, url=base))
