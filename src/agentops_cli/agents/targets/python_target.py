"""``python:MODULE:ATTR``: a compiled LangGraph graph, a LangChain Runnable or a sync/async callable.

MODULE is imported with the current directory on ``sys.path`` (as pytest does for its
rootdir). Graphs and Runnables are invoked with a LangChain callback that records every
chat-model call (model, input/cached/output tokens, latency) and tool call — the usage is
priced from the one price table and the steps go to the transcript. ``setup: MODULE:FN``
runs once before the first example; when it returns something, that is the agent.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import inspect
import os
import sys
import threading
import time
from typing import Any

from agentops_cli.agents.protocol import RunContext, Source
from agentops_cli.agents.targets.base import Calls, ModelCall, TargetError, UserTarget
from agentops_cli.agents.transcript import Step, Transcript
from agentops_cli.config import AgentEntry, Settings
from agentops_cli.errors import BadInput
from agentops_cli.llm.usage import Usage


def load_object(name: str, ref: str, what: str = "target") -> Any:
    """``MODULE:ATTR`` → the object; one ``BadInput`` line when the module or attribute is missing."""
    module_name, sep, attr = ref.partition(":")
    if not sep or not module_name or not attr:
        raise BadInput(f"agent '{name}': {what} '{ref}' must be MODULE:ATTR")
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise BadInput(f"agent '{name}': cannot import {module_name}: {type(exc).__name__}: {exc}") from exc
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise BadInput(f"agent '{name}': {module_name} has no attribute '{attr}'")
        obj = getattr(obj, part)
    return obj


def is_runnable(obj: Any) -> bool:
    return callable(getattr(obj, "invoke", None))


class PythonTarget(UserTarget):
    kind = "python"

    def __init__(self, name: str, entry: AgentEntry, source: Source, *, obj: Any = None) -> None:
        super().__init__(name, entry, source)
        self._obj = obj if obj is not None else load_object(name, entry.target.removeprefix("python:"))
        if not (is_runnable(self._obj) or callable(self._obj)):
            raise BadInput(f"agent '{name}': {entry.target} is neither a graph, a Runnable nor a callable")
        self._setup = load_object(name, entry.setup, "setup") if entry.setup else None
        self._ready = self._setup is None
        self._lock = threading.Lock()

    def prepare(self, settings: Settings, options: dict[str, Any]) -> None:
        """Run the ``setup`` hook once (eval calls this before the pool starts; run calls it lazily)."""
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                made = self._setup()  # type: ignore[misc]
                if made is not None:
                    self._obj = made
                self._ready = True

    def graph(self) -> Any:
        return self._obj if callable(getattr(self._obj, "get_graph", None)) else None

    def invoke(self, payload: Any, ctx: RunContext, calls: Calls) -> Any:
        self.prepare(ctx.settings, ctx.options)
        obj = self._obj
        try:
            if is_runnable(obj):
                handler = make_recorder(calls, ctx.transcript)
                return obj.invoke(payload, config={"callbacks": [handler]})
            result = obj(payload)
            if inspect.isawaitable(result):
                return asyncio.run(_await(result))
            return result
        except TargetError:
            raise
        except Exception as exc:
            raise TargetError(f"agent '{self.name}': {type(exc).__name__}: {exc}") from exc


async def _await(value: Any) -> Any:
    return await value


def make_recorder(calls: Calls, transcript: Transcript | None) -> Any:
    """A LangChain callback handler recording one run's model and tool calls."""
    return _recorder_class()(calls, transcript)


@functools.cache
def _recorder_class() -> type:
    """The recorder's class, built once (langchain is imported only here, on first use)."""
    from langchain_core.callbacks import BaseCallbackHandler

    class Recorder(BaseCallbackHandler):
        """Per-run recorder: model calls → ``calls`` (usage, cost), steps → the transcript."""

        # Chain (node) events are most of what a graph emits and nothing here uses them:
        # ignoring them keeps the recorder's cost per example small.
        ignore_chain = True
        ignore_retriever = True
        ignore_retry = True
        ignore_custom_event = True

        def __init__(self, calls: Calls, transcript: Transcript | None) -> None:
            self.calls = calls
            self.transcript = transcript
            self.started: dict[Any, tuple[float, str, Any]] = {}
            self.lock = threading.Lock()

        def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: Any, **kw: Any) -> None:
            params = kw.get("invocation_params") or {}
            model = str(params.get("model") or params.get("model_name") or "")
            text = [
                [{"role": getattr(m, "type", ""), "content": getattr(m, "content", "")} for m in batch]
                for batch in messages
            ]
            with self.lock:
                self.started[run_id] = (time.perf_counter(), model, text)

        def on_llm_end(self, response: Any, *, run_id: Any, **kw: Any) -> None:
            with self.lock:
                began, model, prompt = self.started.pop(run_id, (time.perf_counter(), "", None))
            latency = (time.perf_counter() - began) * 1000
            usage, answer = _usage_and_answer(response)
            llm_output = getattr(response, "llm_output", None) or {}
            model = str(llm_output.get("model_name") or model)
            self.calls.items.append(ModelCall(model=model, usage=usage, latency_ms=latency))
            if self.transcript is not None:
                self.transcript.add(
                    Step(
                        kind="llm",
                        name="chat",
                        model=model,
                        input=prompt,
                        output=answer,
                        usage=usage,
                        latency_ms=round(latency, 2),
                    )
                )

        def on_llm_error(self, error: BaseException, *, run_id: Any, **kw: Any) -> None:
            with self.lock:
                self.started.pop(run_id, None)
            if self.transcript is not None:
                self.transcript.add(Step(kind="llm", name="chat", error=f"{type(error).__name__}: {error}"))

        def on_tool_start(self, serialized: Any, input_str: str, *, run_id: Any, **kw: Any) -> None:
            with self.lock:
                name = (serialized or {}).get("name") or "tool"
                self.started[run_id] = (time.perf_counter(), name, input_str)

        def on_tool_end(self, output: Any, *, run_id: Any, **kw: Any) -> None:
            with self.lock:
                began, name, args = self.started.pop(run_id, (time.perf_counter(), "tool", None))
            if self.transcript is not None:
                content = getattr(output, "content", output)
                self.transcript.add(
                    Step(
                        kind="tool",
                        name=name,
                        input=args,
                        output=str(content),
                        latency_ms=round((time.perf_counter() - began) * 1000, 2),
                    )
                )

    return Recorder


def _usage_and_answer(response: Any) -> tuple[Usage, Any]:
    """Tokens of one chat result (``usage_metadata``, else ``llm_output.token_usage``) and its text."""
    generations = getattr(response, "generations", None) or [[]]
    first = generations[0][0] if generations and generations[0] else None
    message = getattr(first, "message", None)
    meta = getattr(message, "usage_metadata", None) or {}
    answer: Any = getattr(message, "content", None)
    tool_calls = getattr(message, "tool_calls", None)
    if tool_calls:
        answer = {
            "content": answer,
            "tool_calls": [{"name": t.get("name"), "args": t.get("args")} for t in tool_calls],
        }
    if meta:
        cached = (meta.get("input_token_details") or {}).get("cache_read") or 0
        return Usage(
            input_tokens=meta.get("input_tokens", 0),
            output_tokens=meta.get("output_tokens", 0),
            cached_tokens=cached,
        ), answer
    token_usage = (getattr(response, "llm_output", None) or {}).get("token_usage") or {}
    cached = (token_usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
    return Usage(
        input_tokens=token_usage.get("prompt_tokens", 0) or 0,
        output_tokens=token_usage.get("completion_tokens", 0) or 0,
        cached_tokens=cached,
    ), answer
