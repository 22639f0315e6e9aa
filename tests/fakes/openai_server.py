"""A loopback OpenAI-compatible server for tests and benchmarks — no network, no key.

The real ``ChatOpenAI`` (langchain-openai) talks HTTP to it exactly as it would to
OpenAI, vLLM or Ollama, so the LLM layer is tested end to end: request shape,
structured output, usage, retries, timeouts and the circuit breaker.

Start and stop::

    from tests.fakes.openai_server import FakeOpenAIServer, Fault

    with FakeOpenAIServer() as server:          # 127.0.0.1, a free port
        server.base_url                          # "http://127.0.0.1:PORT/v1"
        ...

In pytest use the ``fake_openai`` fixture (``tests/fakes/fixtures.py``): one server per
session, state reset before every test.

Endpoints: ``POST /v1/chat/completions`` (also ``/chat/completions``) and ``GET /v1/models``.

What it answers (``POST /v1/chat/completions``):

* ``response_format: {"type": "json_schema", ...}`` (langchain's default structured output):
  ``message.content`` is the answer as a JSON string.
* ``tools`` (+ ``tool_choice``), as sent by ``method="function_calling"``: one tool call to
  the chosen (else first) tool, ``arguments`` = the answer as a JSON string.
* ``response_format: {"type": "json_object"}``: content = the answer as JSON.
* otherwise plain text: content = the answer (a str), or ``"ok"``.
* ``stream: true``: the same answer as SSE chunks, a usage chunk when
  ``stream_options.include_usage``, then ``data: [DONE]``.
* ``usage``: ``prompt_tokens`` (≈ characters of the messages / 4), ``completion_tokens``
  (≈ characters of the answer / 4), ``prompt_tokens_details.cached_tokens`` =
  ``server.cached_tokens`` (capped at the prompt tokens). Set ``server.usage`` to a dict
  to force exact numbers.

Scripting the answer:

* ``server.responder = fn`` — ``fn(request_body: dict) -> dict | str``. A dict is the
  structured answer (serialised to JSON); a str is sent verbatim as the content / tool
  arguments (so a test can send JSON that does not validate). Without a responder, a
  minimal object valid for the request's JSON schema is built (``minimal_instance``).
* ``server.latency_s = 0.3`` — every answer waits this long first.
* ``server.gather = 8`` — each request is held until 8 are in flight together (5 s at most);
  ``server.peak_in_flight`` then says how many a client really overlapped, no clock involved.

Faults, one-shot and in order (each request pops one; the rest answer normally)::

    server.enqueue(Fault.http(500))                  # or server.enqueue("500")
    server.enqueue(Fault.rate_limit(retry_after=1))  # 429 + Retry-After: 1   ("429:1")
    server.enqueue(Fault.hang(5))                    # no answer for 5 s        ("hang:5")
    server.enqueue(Fault.malformed_body())           # 200 with a body that is not JSON ("malformed")
    server.enqueue(Fault.invalid_arguments())        # 200, content/arguments not JSON ("bad_json")
    server.enqueue(Fault.http(503), times=5)         # the same fault five times

Hanging handlers are released by ``reset()``/``stop()``, so they never outlive a test.

Inspecting (thread-safe): ``server.requests`` (list of request bodies, copies),
``server.request_count``, ``server.headers`` (list of header dicts, lower-case names),
``server.last_request``. ``server.reset()`` clears everything above.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

FaultKind = Literal["http", "hang", "malformed_body", "invalid_arguments"]
Responder = Callable[[dict[str, Any]], "dict[str, Any] | list[Any] | str"]


@dataclass(frozen=True)
class Fault:
    """One scripted failure of one request."""

    kind: FaultKind
    status: int = 500
    retry_after: float | None = None
    seconds: float = 0.0

    @classmethod
    def http(cls, status: int = 500, retry_after: float | None = None) -> Fault:
        return cls("http", status=status, retry_after=retry_after)

    @classmethod
    def rate_limit(cls, retry_after: float | None = 1.0) -> Fault:
        return cls("http", status=429, retry_after=retry_after)

    @classmethod
    def hang(cls, seconds: float = 30.0) -> Fault:
        return cls("hang", seconds=seconds)

    @classmethod
    def malformed_body(cls) -> Fault:
        return cls("malformed_body", status=200)

    @classmethod
    def invalid_arguments(cls) -> Fault:
        return cls("invalid_arguments", status=200)

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """``"500"``, ``"429:1.5"``, ``"hang:2"``, ``"malformed"``, ``"bad_json"``."""
        head, _, arg = spec.partition(":")
        if head.isdigit():
            status = int(head)
            return cls("http", status=status, retry_after=float(arg) if arg else None)
        if head == "hang":
            return cls.hang(float(arg) if arg else 30.0)
        if head == "malformed":
            return cls.malformed_body()
        if head in ("bad_json", "invalid_arguments"):
            return cls.invalid_arguments()
        raise ValueError(f"unknown fault spec {spec!r}")


# -- a minimal valid instance of a JSON schema ---------------------------------------------------


def minimal_instance(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """Build the smallest value that validates against ``schema`` (enough for pydantic models)."""
    defs = defs if defs is not None else {**schema.get("$defs", {}), **schema.get("definitions", {})}
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return minimal_instance(defs.get(name, {}), defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = schema[key]
            non_null = [o for o in options if o.get("type") != "null"]
            return minimal_instance((non_null or options)[0], defs)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props: dict[str, Any] = schema.get("properties", {})
        required = schema.get("required", list(props))
        return {name: minimal_instance(props[name], defs) for name in required if name in props}
    if kind == "array":
        count = int(schema.get("minItems", 0))
        return [minimal_instance(schema.get("items", {}), defs) for _ in range(count)]
    if kind == "string":
        return "x" * int(schema.get("minLength", 0))
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return float(schema.get("minimum", 0.0))
    if kind == "boolean":
        return False
    return None


# -- the server ----------------------------------------------------------------------------------


class FakeOpenAIServer:
    """An OpenAI-compatible chat-completions server on 127.0.0.1 (see the module docstring)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._requests: list[dict[str, Any]] = []
        self._headers: list[dict[str, str]] = []
        self._release = threading.Event()
        self.responder: Responder | None = None
        self.latency_s: float = 0.0
        self.gather: int = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self._gathered = threading.Condition(self._lock)
        self.cached_tokens: int = 0
        self.usage: dict[str, Any] | None = None
        self.model_name: str | None = None
        self._httpd = _Server((host, port), _make_handler(self))
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAIServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Fresh state for the next test: no faults, responder, latency or recorded requests."""
        with self._lock:
            self._release.set()  # free any handler still hanging from the previous test
            self._release = threading.Event()
            self._faults.clear()
            self._requests.clear()
            self._headers.clear()
        self.responder = None
        self.latency_s = 0.0
        self.gather = 0
        self.peak_in_flight = 0
        self.cached_tokens = 0
        self.usage = None
        self.model_name = None

    # -- scripting --------------------------------------------------------------------------------
    def enqueue(self, fault: Fault | str, times: int = 1) -> None:
        """Fail the next request(s) with ``fault`` (one-shot each, in order)."""
        item = Fault.parse(fault) if isinstance(fault, str) else fault
        with self._lock:
            self._faults.extend([item] * times)

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    # -- inspection -------------------------------------------------------------------------------
    @property
    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._requests]

    @property
    def headers(self) -> list[dict[str, str]]:
        with self._lock:
            return [dict(h) for h in self._headers]

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self._requests)

    @property
    def last_request(self) -> dict[str, Any] | None:
        with self._lock:
            return dict(self._requests[-1]) if self._requests else None

    # -- used by the handler ----------------------------------------------------------------------
    @contextmanager
    def _in_flight(self) -> Iterator[None]:
        """Count the requests being answered at once (``peak_in_flight``); with ``gather = N``,
        hold each one until N are in flight together (or 5 s pass), so a test can prove that a
        client overlaps its requests without timing it."""
        with self._gathered:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self._gathered.notify_all()
            if self.gather:
                self._gathered.wait_for(lambda: self.peak_in_flight >= self.gather, timeout=5.0)
        try:
            yield
        finally:
            with self._gathered:
                self.in_flight -= 1

    def _record(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[Fault | None, threading.Event]:
        with self._lock:
            self._requests.append(body)
            self._headers.append(headers)
            fault = self._faults.popleft() if self._faults else None
            return fault, self._release

    def _answer(self, body: dict[str, Any]) -> tuple[str, str | None, dict[str, Any] | str]:
        """(mode, tool name, answer): mode is ``tool``, ``json`` or ``text``."""
        tools = body.get("tools") or []
        response_format = body.get("response_format") or {}
        tool_name: str | None = None
        schema: dict[str, Any] | None = None
        if tools:
            choice = body.get("tool_choice")
            wanted = choice.get("function", {}).get("name") if isinstance(choice, dict) else None
            tool = next((t for t in tools if t.get("function", {}).get("name") == wanted), tools[0])
            tool_name = tool["function"]["name"]
            schema = tool["function"].get("parameters") or {}
            mode = "tool"
        elif response_format.get("type") == "json_schema":
            schema = response_format.get("json_schema", {}).get("schema") or {}
            mode = "json"
        elif response_format.get("type") == "json_object":
            schema = {"type": "object"}
            mode = "json"
        else:
            mode = "text"
        if self.responder is not None:
            answer = self.responder(body)
        elif schema is not None:
            answer = minimal_instance(schema)
        else:
            answer = "ok"
        return mode, tool_name, answer

    def _usage(self, body: dict[str, Any], completion: str) -> dict[str, Any]:
        if self.usage is not None:
            return dict(self.usage)
        chars = sum(len(json.dumps(m.get("content", ""))) for m in body.get("messages", []))
        prompt = max(1, chars // 4)
        completion_tokens = max(1, len(completion) // 4)
        cached = min(self.cached_tokens, prompt)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }


class _Server(ThreadingHTTPServer):
    """Daemon handler threads and a deep accept queue: benchmarks open 64+ connections at once."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 256


def _make_handler(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else delayed ACKs add ~40 ms to every answer

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read stderr
            return

        # -- plumbing -----------------------------------------------------------------------------
        def _send(
            self,
            status: int,
            payload: bytes,
            *,
            content_type: str = "application/json",
            extra: dict[str, str] | None = None,
        ) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                self.close_connection = True

        def _json(self, status: int, data: Any, extra: dict[str, str] | None = None) -> None:
            self._send(status, json.dumps(data).encode("utf-8"), extra=extra)

        def _error(self, status: int, message: str, extra: dict[str, str] | None = None) -> None:
            kind = "rate_limit_exceeded" if status == 429 else "server_error"
            self._json(status, {"error": {"message": message, "type": kind, "code": kind}}, extra)

        # -- routes -------------------------------------------------------------------------------
        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
            else:
                self._error(404, f"no route {self.path}")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._error(404, f"no route {self.path}")
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._error(400, "request body is not JSON")
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            fault, release = server._record(body, headers)
            with server._in_flight():
                if server.latency_s:
                    time.sleep(server.latency_s)
            if fault is not None and self._fault(fault, release):
                return
            mode, tool_name, answer = server._answer(body)
            text = answer if isinstance(answer, str) else json.dumps(answer)
            if fault is not None and fault.kind == "invalid_arguments":
                text = '{"this is": not json'
            if body.get("stream"):
                self._stream(body, mode, tool_name, text)
            else:
                self._json(200, self._completion(body, mode, tool_name, text))

        def _fault(self, fault: Fault, release: threading.Event) -> bool:
            """Serve ``fault``; True when the request is fully answered by it."""
            if fault.kind == "http":
                extra = {}
                if fault.retry_after is not None:
                    extra["Retry-After"] = f"{fault.retry_after:g}"
                self._error(fault.status, f"injected HTTP {fault.status}", extra)
                return True
            if fault.kind == "hang":
                release.wait(fault.seconds)
                self.close_connection = True
                return True
            if fault.kind == "malformed_body":
                self._send(200, b'{"id": "chatcmpl-broken", "choices": [ {"mess')
                return True
            return False  # invalid_arguments: answered normally with broken content

        # -- bodies -------------------------------------------------------------------------------
        def _completion(self, body: dict[str, Any], mode: str, tool_name: str | None, text: str) -> dict:
            message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
            finish = "stop"
            if mode == "tool":
                message["content"] = None
                message["tool_calls"] = [_tool_call(tool_name or "answer", text)]
                finish = "tool_calls"
            return {
                "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": server.model_name or body.get("model", "fake-model"),
                "system_fingerprint": "fp_fake",
                "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
                "usage": server._usage(body, text),
            }

        def _stream(self, body: dict[str, Any], mode: str, tool_name: str | None, text: str) -> None:
            cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
            model = server.model_name or body.get("model", "fake-model")

            def chunk(delta: dict[str, Any], finish: str | None = None, usage: dict | None = None) -> bytes:
                data: dict[str, Any] = {
                    "id": cid,
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish}],
                }
                if usage:
                    data["usage"] = usage
                return f"data: {json.dumps(data)}\n\n".encode()

            parts = [chunk({"role": "assistant", "content": "" if mode != "tool" else None})]
            if mode == "tool":
                call = _tool_call(tool_name or "answer", "")
                call["index"] = 0
                parts.append(chunk({"tool_calls": [call]}))
                for piece in _pieces(text):
                    parts.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}))
                parts.append(chunk({}, "tool_calls"))
            else:
                parts.extend(chunk({"content": piece}) for piece in _pieces(text))
                parts.append(chunk({}, "stop"))
            if (body.get("stream_options") or {}).get("include_usage"):
                parts.append(chunk({}, usage=server._usage(body, text)))
            parts.append(b"data: [DONE]\n\n")
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                for part in parts:
                    self.wfile.write(part)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

    return Handler


def _tool_call(name: str, arguments: str) -> dict[str, Any]:
    return {
        "id": f"call_{uuid.uuid4().hex[:12]}",
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def _pieces(text: str, size: int = 16) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]
