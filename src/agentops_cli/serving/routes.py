"""The routers of ``agentops serve``: probes and metrics, agents, HITL threads."""

from __future__ import annotations

import json
import queue
import time
from collections.abc import AsyncIterator
from typing import Any, Literal

import anyio
import orjson
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from agentops_cli.agents.registry import list_agents
from agentops_cli.agents.transcript import Step, Transcript
from agentops_cli.serving.execute import execute, find_agent, validate
from agentops_cli.serving.guard import authorize, read_json_body, serve_state
from agentops_cli.serving.metrics import CONTENT_TYPE

health = APIRouter(tags=["operations"])
agents = APIRouter(prefix="/v1", tags=["agents"])
threads = APIRouter(prefix="/v1", tags=["human in the loop"])

HITL_AGENT = "support"


# -- probes and metrics ------------------------------------------------------------------------------
@health.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (no dependency is checked — a restart would not fix them)."""
    return {"status": "ok"}


@health.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Readiness: models loaded (503 until then); LLM breakers, Redis, Postgres (degraded, 200).

    A Redis or Postgres outage or an open LLM breaker is reported as ``degraded`` but keeps
    200: replicas share those stores, so 503 would drain *every* replica at once while the
    local fallbacks (diskcache, in-process limits, offline engine) still serve.
    """
    from agentops_cli.serving.readiness import check

    state = serve_state(request)
    report = await anyio.to_thread.run_sync(check, state)
    return JSONResponse(report, status_code=503 if report["status"] == "not_ready" else 200)


@health.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus exposition of the seeds' metrics (see docs/deploy.md for the catalogue)."""
    return Response(serve_state(request).metrics.exposition(), media_type=CONTENT_TYPE)


# -- agents ------------------------------------------------------------------------------------------
@agents.get("/agents")
def get_agents(request: Request, caller: str = Depends(authorize)) -> list[dict[str, Any]]:
    """Every registered agent (built-in, plugin, config) with its input schema when known."""
    state = serve_state(request)
    return list_agents(state.settings)


@agents.get("/agents/{name}")
def get_agent_schema(name: str, request: Request, caller: str = Depends(authorize)) -> dict[str, Any]:
    """One agent and the JSON schema of its input (the body of ``POST .../runs``)."""
    agent = find_agent(serve_state(request), name)
    return {
        "name": agent.name,
        "source": agent.source,
        "description": agent.description,
        "input_schema": agent.input_model.model_json_schema(),
    }


def _options(name: str, hitl: bool) -> dict[str, Any]:
    if hitl and name != HITL_AGENT:
        raise HTTPException(422, f"hitl: only the '{HITL_AGENT}' agent pauses for a human")
    return {"hitl": True} if hitl else {}


class RunResponse(Response):
    """The run JSON serialised once by orjson.

    A dict returned from a route is validated against its annotation, walked by
    ``jsonable_encoder`` and dumped by ``json`` — three passes over a document that
    ``model_dump(mode="json")`` already made JSON-safe.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


RUN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the run JSON of `agentops run NAME … --json`"}
}


@agents.post("/agents/{name}/runs", response_class=RunResponse, responses=RUN_RESPONSES)
async def create_run(
    name: str, request: Request, hitl: bool = False, caller: str = Depends(authorize)
) -> RunResponse:
    """Run agent NAME on the body (its input model); the answer is the CLI's run JSON.

    ``?hitl=true`` (support): pause before the answer is sent; resume with
    ``POST /v1/threads/{thread_id}/resume``.
    """
    state = serve_state(request)
    agent = find_agent(state, name)
    body = await read_json_body(request, state.settings.serve.max_body_bytes)
    model_input = validate(agent, body)
    return RunResponse(await execute(state, agent, model_input, _options(name, hitl), caller))


class _StreamingTranscript(Transcript):
    """A transcript that also hands each step to the streaming response as it is recorded."""

    def __init__(self, events: queue.Queue[tuple[str, Any]]) -> None:
        super().__init__()
        self.events = events

    def add(self, step: Step) -> None:
        super().add(step)
        self.events.put(("step", step.model_dump(mode="json", exclude_none=True)))


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


@agents.post("/agents/{name}/runs/stream")
async def stream_run(name: str, request: Request, caller: str = Depends(authorize)) -> StreamingResponse:
    """The same run as server-sent events: ``node`` (support: each graph node as it finishes),
    ``step`` (model and tool calls as recorded), then ``result`` (the run JSON) or ``error``."""
    state = serve_state(request)
    agent = find_agent(state, name)
    body = await read_json_body(request, state.settings.serve.max_body_bytes)
    model_input = validate(agent, body)
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    options = {"on_node": lambda node: events.put(("node", {"node": node, "t": round(time.time(), 3)}))}

    async def produce() -> None:
        try:
            result = await execute(state, agent, model_input, options, caller, _StreamingTranscript(events))
            events.put(("result", result))
        except HTTPException as exc:
            events.put(("error", {"status": exc.status_code, "detail": exc.detail}))

    async def generate() -> AsyncIterator[bytes]:
        async with anyio.create_task_group() as group:
            group.start_soon(produce)
            while True:
                try:
                    event, data = events.get_nowait()
                except queue.Empty:
                    await anyio.sleep(0.005)
                    continue
                yield _sse(event, data)
                if event in ("result", "error"):
                    break

    return StreamingResponse(
        generate(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


# -- human in the loop -------------------------------------------------------------------------------
class ResumeBody(BaseModel):
    """A reviewer's decision on a paused support thread."""

    action: Literal["approve", "rewrite"]
    text: str | None = Field(None, max_length=20_000, description="the new answer (rewrite)")


@threads.post("/threads/{thread_id}/resume", response_class=RunResponse, responses=RUN_RESPONSES)
async def resume_thread(
    thread_id: str, body: ResumeBody, request: Request, caller: str = Depends(authorize)
) -> RunResponse:
    """Continue a thread paused by ``?hitl=true`` on any replica sharing ``postgres_url``."""
    state = serve_state(request)
    agent = find_agent(state, HITL_AGENT)
    if body.action == "rewrite" and not (body.text or "").strip():
        raise HTTPException(422, [{"loc": ["body", "text"], "msg": "rewrite needs text", "type": "missing"}])
    options = {"resume": thread_id, "decision": body.model_dump(exclude_none=True)}
    try:
        return RunResponse(await execute(state, agent, validate(agent, {"query": ""}), options, caller))
    except HTTPException as exc:
        if exc.status_code == 422 and "no such support thread" in str(exc.detail):
            raise HTTPException(404, str(exc.detail)) from exc
        if exc.status_code == 422 and "already finished" in str(exc.detail):
            raise HTTPException(409, str(exc.detail)) from exc
        raise
