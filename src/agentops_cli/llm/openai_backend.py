"""The ``openai`` provider: ChatOpenAI over any OpenAI-compatible server.

Imported only when the provider is ``openai`` (langchain_openai costs ~1.5 s to import).
One :class:`OpenAIBackend` per distinct configuration lives for the whole process
(:func:`shared_backend`), holding one ``ChatOpenAI`` per model — and so one pooled HTTP
client per (base_url, timeout), up to 1,000 connections — which every thread and every
coroutine of an eval reuses.

A call goes: response cache → rate-limit gate → circuit breaker → request (timeout
``llm.timeout_s``, cut to what is left of the run's ``llm.deadline_s``; the client's own
retries off) → parse and validate → usage and cost → cache. Failures are
retried by :mod:`agentops_cli.llm.resilience`; when they are exhausted (or the breaker is
open) the backend raises :class:`FailoverRequested` so :class:`AgentLLM` answers offline
with ``degraded: true`` — or :class:`RuntimeFailure` (exit 3) when failover is off.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from typing import Any, TypeVar

from pydantic import BaseModel

from agentops_cli import heap
from agentops_cli.config import OPENAI_DEFAULT_BASE_URL as DEFAULT_BASE_URL
from agentops_cli.config import Settings
from agentops_cli.errors import BadInput, RuntimeFailure
from agentops_cli.llm.base import CallRecord, FailoverRequested, RunDeadline
from agentops_cli.llm.cache import CachedAnswer, cache_key, normalized_endpoint, open_response_cache
from agentops_cli.llm.resilience import (
    LLMCallError,
    MalformedAnswer,
    breaker_for,
    call_with_retries,
    gate_for,
)
from agentops_cli.llm.tracing import configure_tracing, trace_config
from agentops_cli.llm.usage import Usage
from agentops_cli.observability.logging import get_logger

T = TypeVar("T", bound=BaseModel)

# Local servers (Ollama, vLLM, LM Studio) ignore the key, but the client insists on one.
PLACEHOLDER_KEY = "not-needed"


@functools.lru_cache(maxsize=256)
def schema_json(schema: type[BaseModel]) -> dict[str, Any]:
    """The output schema as JSON schema, computed once per class (it costs ~1 ms)."""
    return schema.model_json_schema()


@functools.lru_cache(maxsize=256)
def response_format(schema: type[BaseModel]) -> dict[str, Any] | None:
    """``response_format`` of a ``json_schema`` request (strict), exactly as the openai SDK builds it."""
    try:  # a private module of the SDK: if it moves, bind the class as before (slower, same body)
        from openai.lib._parsing._completions import type_to_response_format_param
    except ImportError:  # pragma: no cover - depends on the openai version
        return None
    return dict(type_to_response_format_param(schema))  # type: ignore[arg-type]


class JsonContentParser:
    """The ``json_schema`` answer (the message content) validated as ``schema``, without a Runnable."""

    def __init__(self, schema: type[BaseModel]) -> None:
        self.schema = schema

    def invoke(self, message: Any) -> BaseModel:
        content = getattr(message, "content", None)
        if not isinstance(content, str) or not content.strip():  # e.g. a refusal
            raise ValueError("no JSON content in the answer")
        return self.schema.model_validate_json(content)


def usage_from_message(message: Any) -> Usage:
    """Input / cached / output tokens from an AIMessage's ``usage_metadata`` (0 when absent)."""
    meta = getattr(message, "usage_metadata", None) or {}
    details = meta.get("input_token_details") or {}
    return Usage(
        input_tokens=int(meta.get("input_tokens") or 0),
        output_tokens=int(meta.get("output_tokens") or 0),
        cached_tokens=int(details.get("cache_read") or 0),
    )


def parse_structured(message: Any, parser: Any, schema: type[T]) -> T:
    """The validated answer in ``message``, or :class:`MalformedAnswer` (bad JSON, wrong shape)."""
    try:
        parsed = parser.invoke(message)
    except ValueError as exc:  # OutputParserException, JSONDecodeError, ValidationError
        raise MalformedAnswer("malformed answer") from exc
    if parsed is None:  # e.g. the tool call's arguments were not JSON (an invalid tool call)
        raise MalformedAnswer("malformed answer")
    if isinstance(parsed, schema):
        return parsed
    try:
        return schema.model_validate(parsed)
    except ValueError as exc:
        raise MalformedAnswer("answer does not match the schema") from exc


class OpenAIBackend:
    """Structured answers from one OpenAI-compatible endpoint.

    Thread-safe: eval runs examples on a thread pool, all sharing this backend.
    """

    provider = "openai"

    def __init__(self, settings: Settings) -> None:
        if settings.llm.api_key is None and not settings.llm.base_url:
            raise BadInput(
                "provider 'openai' needs OPENAI_API_KEY or llm.base_url (or use --provider offline)"
            )
        self.settings = settings
        self.base_url = settings.llm.base_url or DEFAULT_BASE_URL
        self.endpoint = normalized_endpoint(self.base_url)
        self.cache = open_response_cache(settings) if settings.cache.enabled else None
        self._chats: dict[str, Any] = {}
        self._runnables: dict[tuple[str, type[BaseModel]], tuple[Any, Any]] = {}
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()

    # -- the model objects (built once, then reused) -----------------------------------------------
    def _build_chat(self, model: str, **client: Any) -> Any:
        llm = self.settings.llm
        with heap.settled_first_import("langchain_openai"):  # ~150k long-lived objects (see heap)
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(
                model=model,
                base_url=self.base_url,
                api_key=llm.api_key.get_secret_value() if llm.api_key else PLACEHOLDER_KEY,
                timeout=llm.timeout_s,
                max_retries=0,  # resilience.py owns retries
                temperature=llm.temperature,
                max_tokens=llm.max_tokens,
                **client,
            )

    def _split(self, chat: Any, schema: type[BaseModel]) -> tuple[Any, Any]:
        """(model bound to the schema's request format, parser of its message).

        ``with_structured_output(include_raw=True)`` would also give the raw message (for
        usage), but through a RunnableParallel that starts threads on every call; splitting
        the sequence keeps the message and costs nothing.
        """
        method = self.settings.llm.structured_output_method
        fmt = response_format(schema) if method == "json_schema" else None
        if fmt is not None:
            # The same request body as binding the pydantic class, but built once: given the
            # class, the openai SDK regenerates its strict JSON schema (~0.4 ms) and parses
            # the answer into it on every call, on the GIL every eval thread shares.
            from langchain_core.utils.function_calling import convert_to_openai_tool

            # Sent through ``extra_body`` (merged into the JSON body as is): the request is the
            # same, but the SDK then takes its plain ``create`` path instead of ``parse`` — no
            # type-walk of the schema dict, no ``ParsedChatCompletion`` built per answer, which
            # ``JsonContentParser`` below never read anyway (it validates the content itself).
            bound = chat.bind(  # what with_structured_output(schema) binds, precomputed
                extra_body={"response_format": fmt},
                ls_structured_output_format={
                    "kwargs": {"method": method, "strict": None},
                    "schema": convert_to_openai_tool(schema),
                },
            )
            return bound, JsonContentParser(schema)
        sequence = chat.with_structured_output(schema, method=method)
        first, *rest = sequence.steps
        parser = rest[0]
        for step in rest[1:]:
            parser = parser | step
        return first, parser

    def chat(self, model: str) -> Any:
        """The sync ChatOpenAI of ``model``; its pooled HTTP client is shared by every thread."""
        with self._lock:
            chat = self._chats.get(model)
            if chat is None:
                chat = self._chats[model] = self._build_chat(model)
            return chat

    def runnable(self, schema: type[BaseModel], model: str) -> tuple[Any, Any]:
        """The bound model and parser of ``schema``: built by the first thread that needs them.

        The others wait for it rather than each building their own (the first build imports
        langchain_openai, ~1 s, and 32 eval threads arrive at once).
        """
        found = self._runnables.get((model, schema))
        if found is None:
            with self._build_lock:
                found = self._runnables.get((model, schema))
                if found is None:
                    found = self._runnables[(model, schema)] = self._split(self.chat(model), schema)
        return found

    # -- one call ----------------------------------------------------------------------------------
    def _key(self, schema: type[BaseModel], messages: list[dict[str, str]], model: str, trial: int) -> str:
        llm = self.settings.llm
        return cache_key(
            provider=self.provider,
            endpoint=self.endpoint,
            model=model,
            params={
                "temperature": llm.temperature,
                "max_tokens": llm.max_tokens,
                "method": llm.structured_output_method,
            },
            messages=messages,
            schema=schema_json(schema),
            trial=trial,
        )

    def _cached(self, key: str, schema: type[T], name: str, model: str) -> tuple[T, CallRecord] | None:
        if self.cache is None:
            return None
        started = time.perf_counter()
        entry = self.cache.get(key)
        if entry is None:
            return None
        try:
            answer = schema.model_validate(entry.answer)
        except ValueError:
            return None
        record = CallRecord(
            name=name,
            provider=self.provider,
            model=model,
            latency_ms=(time.perf_counter() - started) * 1000,
            cache_hit=True,
        )
        return answer, record

    def cached(
        self,
        schema: type[T],
        *,
        name: str,
        messages: list[dict[str, str]],
        model: str,
        trial: int = 0,
        agent: str = "",
        run_id: str | None = None,
    ) -> tuple[T, CallRecord] | None:
        """The cached answer to this request, or None: no client is built, nothing is sent."""
        return self._cached(self._key(schema, messages, model, trial), schema, name, model)

    def _done(
        self, result: tuple[Any, T], schema: type[T], name: str, model: str, key: str, started: float
    ) -> tuple[T, CallRecord]:
        message, answer = result
        usage = usage_from_message(message)
        from agentops_cli.costs.prices import cost_of

        record = CallRecord(
            name=name,
            provider=self.provider,
            model=model,
            usage=usage,
            cost_usd=cost_of(model, usage, self.settings),
            latency_ms=(time.perf_counter() - started) * 1000,
        )
        if self.cache is not None:
            self.cache.put(
                key,
                CachedAnswer(
                    answer=answer.model_dump(mode="json"),
                    usage=usage,
                    model=model,
                    schema_name=schema.__name__,
                    created=time.time(),
                ),
            )
        return answer, record

    def _give_up(self, exc: LLMCallError, name: str, model: str) -> FailoverRequested:
        reason = f"{model}: {exc.reason}"
        if not self.settings.resilience.failover:
            raise RuntimeFailure(
                f"LLM call '{name}' failed ({reason}) and failover is disabled; "
                "check the server or run with failover on / --provider offline"
            ) from exc
        get_logger().warning(
            "LLM call '{}' failed ({}); answering with the offline engine (degraded)", name, reason
        )
        return FailoverRequested(reason)

    def _label(self, model: str) -> str:
        return f"openai model {model}"

    def structured(
        self,
        schema: type[T],
        *,
        name: str,
        messages: list[dict[str, str]],
        model: str,
        trial: int = 0,
        agent: str = "",
        run_id: str | None = None,
        deadline: RunDeadline | None = None,
    ) -> tuple[T, CallRecord]:
        """Answer ``messages`` as ``schema`` (see the module docstring for the path a call takes).

        ``deadline`` is the run's time budget: a cached answer is still served after it runs
        out, but no request is sent.
        """
        key = self._key(schema, messages, model, trial)
        hit = self._cached(key, schema, name, model)
        if hit is not None:
            return hit
        bound, parser = self.runnable(schema, model)
        config = trace_config(agent=agent, provider=self.provider, model=model, step=name, run_id=run_id)

        def attempt(timeout: float | None) -> tuple[Any, T]:
            extra = {} if timeout is None else {"timeout": timeout}  # the run's deadline may cut it
            try:
                message = bound.invoke(messages, config=config, **extra)
            except ValueError as exc:  # the client validates json_schema answers itself
                raise MalformedAnswer("malformed answer") from exc
            return message, parse_structured(message, parser, schema)

        started = time.perf_counter()
        policy = self.settings.resilience
        try:
            result = call_with_retries(
                attempt,
                policy,
                breaker_for(self.endpoint, model, policy),
                self._label(model),
                gate=gate_for(self.endpoint, model),
                deadline=deadline.at() if deadline is not None else None,
                timeout_s=self.settings.llm.timeout_s,
            )
        except LLMCallError as exc:
            raise self._give_up(exc, name, model) from exc
        return self._done(result, schema, name, model, key, started)


# -- one backend per configuration, for the whole process ---------------------------------------

_backends: dict[str, OpenAIBackend] = {}
_backends_lock = threading.Lock()


def _fingerprint(settings: Settings) -> str:
    """What makes two backends differ: the llm/resilience/cache sections, the cache dir and the key."""
    parts = settings.model_dump_json(include={"llm", "resilience", "cache"})
    secret = settings.llm.api_key.get_secret_value() if settings.llm.api_key else ""
    digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()
    return hashlib.sha256(f"{parts}|{settings.resolved_cache_dir()}|{digest}".encode()).hexdigest()


def shared_backend(settings: Settings) -> OpenAIBackend:
    """The process-wide backend of this configuration (built on first use, then reused)."""
    configure_tracing(settings)
    key = _fingerprint(settings)
    with _backends_lock:
        backend = _backends.get(key)
        if backend is None:
            backend = OpenAIBackend(settings)
            _backends[key] = backend
        return backend


def reset_shared_backends() -> None:
    """Forget every backend and close their caches (tests; config reloads)."""
    with _backends_lock:
        for backend in _backends.values():
            if backend.cache is not None:
                backend.cache.close()
        _backends.clear()
