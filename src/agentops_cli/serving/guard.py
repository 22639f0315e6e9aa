"""Who is calling and may they: API key (401), rate limit and quota (429), body size (413)."""

from __future__ import annotations

import json
from typing import Any

import anyio
from fastapi import HTTPException, Request

from agentops_cli.serving.state import ServeState


def serve_state(request: Request) -> ServeState:
    return request.app.state.serve


async def authorize(request: Request) -> str:
    """The caller's id (key id, or ``ip:ADDRESS`` without keys) after auth and rate limits.

    Used as a FastAPI dependency; raises 401 / 429 (with ``Retry-After``). Async, because
    FastAPI sends a *sync* dependency to the thread pool: a thread hop on every request for
    a hash and a counter. Only Redis-backed limits (a network round trip) go to a thread.
    """
    state = serve_state(request)
    if state.keys.enabled:
        key_id = state.keys.identify(request.headers.get("authorization"))
        if key_id is None:
            raise HTTPException(
                401, "missing or invalid API key (Authorization: Bearer KEY)", {"WWW-Authenticate": "Bearer"}
            )
        caller = key_id
    else:
        caller = f"ip:{request.client.host if request.client else 'unknown'}"
    if state.limiter.remote:
        verdict = await anyio.to_thread.run_sync(state.limiter.check, caller)
    else:
        verdict = state.limiter.check(caller)
    if not verdict.allowed:
        state.metrics.observe_limited("quota" if "quota" in verdict.reason else "rate")
        raise HTTPException(429, verdict.reason, {"Retry-After": str(verdict.retry_after_s)})
    request.state.caller = caller
    return caller


async def read_json_body(request: Request, limit: int) -> Any:
    """The request body as JSON, refused with 413 past ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"request body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"request body over {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(
            422, [{"loc": ["body"], "msg": f"invalid JSON: {exc}", "type": "json_invalid"}]
        ) from exc
