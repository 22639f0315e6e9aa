"""``http(s)://URL``: POST the mapped input as JSON; read the answer (and ``usage``) by path.

Headers come from the agent's ``headers`` with ``${VAR}`` read from the environment per
request (never stored, and a missing variable fails before any example runs). Timeout,
retries with exponential backoff + jitter (429/5xx/timeouts, ``Retry-After`` honoured) and
the circuit breaker are the LLM layer's own (``llm/resilience.py``). ``preset: langgraph``
talks to LangGraph Server: ``POST {url}/runs/wait`` with ``{"assistant_id", "input"}`` —
a stateless run, i.e. a fresh thread per example.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from agentops_cli.agents.protocol import RunContext, Source
from agentops_cli.agents.targets.base import Calls, TargetError, UserTarget
from agentops_cli.agents.targets.mapping import env_names, expand_env
from agentops_cli.agents.transcript import Step
from agentops_cli.config import AgentEntry
from agentops_cli.errors import BadInput

LANGGRAPH_INPUT = {"messages": [{"role": "user", "content": "{{input}}"}]}


class HttpStatusError(Exception):
    """A non-2xx answer; ``status_code``/``response`` let the resilience layer classify it."""

    def __init__(self, response: Any) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.status_code = response.status_code
        self.response = response


class HttpTarget(UserTarget):
    kind = "http"

    def __init__(self, name: str, entry: AgentEntry, source: Source) -> None:
        if entry.preset == "langgraph":
            entry = entry.model_copy(
                update={"input": entry.input if entry.input is not None else LANGGRAPH_INPUT}
            )
        super().__init__(name, entry, source)
        missing = [var for var in env_names(entry.headers) if not os.environ.get(var)]
        if missing:
            raise BadInput(
                f"agent '{name}': header variable {', '.join(missing)} is not set in the environment"
            )
        url = entry.target.rstrip("/")
        if entry.preset == "langgraph":
            if not entry.assistant_id:
                raise BadInput(f"agent '{name}': preset langgraph needs assistant_id")
            url = url if url.endswith("/runs/wait") else f"{url}/runs/wait"
        self.url = url
        import httpx

        self._client = httpx.Client(timeout=entry.timeout_s)

    def invoke(self, payload: Any, ctx: RunContext, calls: Calls) -> Any:
        from agentops_cli.llm.resilience import LLMCallError, breaker_for, call_with_retries

        body = payload
        if self.entry.preset == "langgraph":
            body = {"assistant_id": self.entry.assistant_id, "input": payload}
        policy = ctx.settings.resilience.model_copy(update={"max_attempts": self.entry.retries + 1})
        breaker = breaker_for(self.url, f"agent:{self.name}", policy)
        started = time.perf_counter()

        def post(timeout: float | None) -> Any:
            response = self._client.post(
                self.url, json=body, headers=expand_env(self.entry.headers), timeout=timeout
            )
            if response.status_code >= 400:
                raise HttpStatusError(response)
            return response

        try:
            response = call_with_retries(
                post, policy, breaker, f"agent {self.name}", timeout_s=self.entry.timeout_s
            )
        except LLMCallError as exc:
            self._step(ctx, body, None, started, exc.reason)
            raise TargetError(f"agent '{self.name}': {exc.reason}") from exc
        try:
            data = response.json()
        except json.JSONDecodeError as exc:
            self._step(ctx, body, response.text[:500], started, "non-JSON response")
            raise TargetError(f"agent '{self.name}': non-JSON response ({response.text[:80]!r})") from exc
        self._step(ctx, body, data, started, None)
        return data

    def _step(self, ctx: RunContext, body: Any, data: Any, started: float, error: str | None) -> None:
        if ctx.transcript is not None:
            ctx.transcript.add(
                Step(
                    kind="http",
                    name=self.name,
                    input=body,
                    output=data,
                    error=error,
                    latency_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            )
