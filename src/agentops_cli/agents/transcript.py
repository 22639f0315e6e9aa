"""Per-run transcripts: the steps an agent took (LLM calls, tool calls, requests), bounded and redacted.

A transcript is filled while the agent runs (the LangChain callback for in-process graphs,
the HTTP/exec targets for remote ones, the model handle's call records for built-ins) and
stored by eval next to its results (``transcripts.jsonl`` in the run folder, one line per
example, ``format_version`` 1). Bounded: once ``max_chars`` of step text is held, later
text is cut and a ``truncated`` marker is set — a chatty agent cannot fill the disk.
Every string goes through :func:`~agentops_cli.observability.redact.redact`.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from pydantic import BaseModel, Field

from agentops_cli.llm.usage import Usage
from agentops_cli.observability.redact import redact

FORMAT_VERSION = 1
TRUNCATED = "…[truncated]"


class Step(BaseModel):
    """One thing the agent did: a model call, a tool call, a node, an HTTP request, a process."""

    kind: str = Field(..., description="llm | tool | node | http | exec")
    name: str = ""
    model: str | None = None
    input: Any = None
    output: Any = None
    usage: Usage | None = None
    latency_ms: float | None = None
    error: str | None = None


class Transcript:
    """A thread-safe, size-bounded list of :class:`Step` (LangChain callbacks may come from threads)."""

    def __init__(self, max_chars: int = 20_000) -> None:
        self.max_chars = max_chars
        self.steps: list[Step] = []
        self.truncated = False
        self._used = 0
        self._lock = threading.Lock()

    def _fit(self, value: Any) -> Any:
        if value is None:
            return None
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        room = self.max_chars - self._used
        if len(text) > room:
            self.truncated = True
            text = text[: max(0, room)] + TRUNCATED
        self._used += len(text)
        text = redact(text)
        if isinstance(value, str) or text.endswith(TRUNCATED):
            return text
        try:
            return json.loads(text)
        except json.JSONDecodeError:  # redaction inside a token: keep the (redacted) text
            return text

    def add(self, step: Step) -> None:
        with self._lock:
            step.input = self._fit(step.input)
            step.output = self._fit(step.output)
            if step.error:
                step.error = redact(step.error)[:500]
            self.steps.append(step)

    def dump(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "truncated": self.truncated,
            "steps": [s.model_dump(mode="json", exclude_none=True) for s in self.steps],
        }
