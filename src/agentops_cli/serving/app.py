"""``create_app(settings) -> FastAPI``: the service's routers, middleware and start-up warm-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from agentops_cli import __version__, heap
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


class DeclaredSizeLimit:
    """413 for a request whose declared ``Content-Length`` is over the limit, before any route.

    A plain ASGI middleware, not ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware
    wraps every request in a task group and memory streams (≈ 1 ms of CPU per request per
    middleware at the serve bench's rate). Bodies streamed without a length are cut by
    ``guard.read_json_body``.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"content-length":
                    if value.isdigit() and int(value) > self.limit:
                        answer = JSONResponse({"detail": f"request body over {self.limit} bytes"}, 413)
                        await answer(scope, receive, send)
                        return
                    break
        await self.app(scope, receive, send)


class GuardA2A:
    """The ``/v1`` API-key, rate-limit and quota check in front of the A2A JSON-RPC calls.

    Its calls run agents, so they pass the same guard; the card (GET) stays public, as A2A
    discovery expects. Plain ASGI, for the reason given in :class:`DeclaredSizeLimit`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(A2A_PREFIX) and scope["method"] != "GET":
            from fastapi import HTTPException

            from agentops_cli.serving.guard import authorize

            try:
                await authorize(Request(scope))
            except HTTPException as exc:
                answer = JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(settings: Settings, *, warm: bool = True, freeze: bool = False) -> FastAPI:
    """The FastAPI app: health/metrics, agents and threads routers (others may add theirs).

    ``freeze``: :func:`agentops_cli.heap.freeze_warmed` once warmed — for the server process,
    which serves until it stops (not for an app built inside a test process).
    """
    state = ServeState.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.run_slots = anyio.CapacityLimiter(settings.serve.max_concurrency)
        anyio.to_thread.current_default_thread_limiter().total_tokens = max(
            40, settings.serve.max_concurrency + 8
        )
        if warm:
            await anyio.to_thread.run_sync(warm_up, state)
            if freeze:
                heap.freeze_warmed()
        else:
            state.readiness.warmed = True
        state.metrics.start_publishing()
        yield

    app = FastAPI(
        title="agentops",
        version=__version__,
        description="Every registered agent as an HTTP API. Run JSON = `agentops run NAME … --json`.",
        lifespan=lifespan,
    )
    app.state.serve = state

    app.add_middleware(DeclaredSizeLimit, limit=settings.serve.max_body_bytes)

    app.include_router(routes.health)
    app.include_router(routes.agents)
    app.include_router(routes.threads)
    mount_a2a(app, settings)
    return app


A2A_PREFIX = "/a2a"


def mount_a2a(app: FastAPI, settings: Settings) -> None:
    """The A2A app under ``/a2a`` (card at ``/a2a/.well-known/agent-card.json``), same runs,
    behind :class:`GuardA2A`."""
    from agentops_cli.interop.a2a_app import a2a_app

    app.add_middleware(GuardA2A)

    base = f"http://{settings.serve.host}:{settings.serve.port}{A2A_PREFIX}/"
    app.mount(A2A_PREFIX, a2a_app(settings, url=base))
