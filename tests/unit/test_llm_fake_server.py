"""The loopback OpenAI-compatible server itself, spoken to with plain HTTP (urllib)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.fakes.openai_server import FakeOpenAIServer, Fault, minimal_instance


def post(server: FakeOpenAIServer, body: dict[str, Any], timeout: float = 5) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(
        server.base_url + "/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer sk-test"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


SCHEMA = {
    "type": "object",
    "properties": {
        "intent": {"type": "string"},
        "level": {"enum": ["low", "high"]},
        "score": {"type": "number", "minimum": 0.5},
        "count": {"type": "integer"},
        "ok": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "maybe": {"anyOf": [{"type": "null"}, {"type": "string", "minLength": 2}]},
        "child": {"$ref": "#/$defs/Child"},
    },
    "required": ["intent", "level", "score", "count", "ok", "tags", "maybe", "child"],
    "$defs": {"Child": {"type": "object", "properties": {"k": {"const": 7}}, "required": ["k"]}},
}

STRUCTURED = {
    "model": "m",
    "messages": [{"role": "user", "content": "hello there"}],
    "response_format": {"type": "json_schema", "json_schema": {"name": "X", "schema": SCHEMA}},
}


def test_minimal_instance() -> None:
    assert minimal_instance(SCHEMA) == {
        "intent": "",
        "level": "low",
        "score": 0.5,
        "count": 0,
        "ok": False,
        "tags": [""],
        "maybe": "xx",
        "child": {"k": 7},
    }


def test_json_schema_answer_and_usage(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.cached_tokens = 2
    status, _, raw = post(fake_openai, STRUCTURED)
    data = json.loads(raw)
    assert status == 200
    assert json.loads(data["choices"][0]["message"]["content"])["child"] == {"k": 7}
    usage = data["usage"]
    assert usage["prompt_tokens"] == 3  # len('"hello there"') // 4
    assert usage["prompt_tokens_details"]["cached_tokens"] == 2
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert fake_openai.request_count == 1 and fake_openai.last_request == STRUCTURED
    assert fake_openai.headers[0]["authorization"] == "Bearer sk-test"


def test_tool_call_answer(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.responder = lambda body: {"a": body["messages"][0]["content"]}
    tools = [
        {"type": "function", "function": {"name": "first", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "second", "parameters": {"type": "object"}}},
    ]
    body = {
        "messages": [{"role": "user", "content": "q"}],
        "tools": tools,
        "tool_choice": {"type": "function", "function": {"name": "second"}},
    }
    data = json.loads(post(fake_openai, body)[2])
    choice = data["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    call = choice["message"]["tool_calls"][0]["function"]
    assert call["name"] == "second" and json.loads(call["arguments"]) == {"a": "q"}


def test_text_json_mode_and_forced_usage(fake_openai: FakeOpenAIServer) -> None:
    text = json.loads(post(fake_openai, {"messages": [{"role": "user", "content": "hi"}]})[2])
    assert text["choices"][0]["message"]["content"] == "ok"
    fake_openai.responder = lambda body: {"x": 1}
    fake_openai.usage = {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14}
    fake_openai.model_name = "served-model"
    body = {"messages": [], "response_format": {"type": "json_object"}}
    data = json.loads(post(fake_openai, body)[2])
    assert json.loads(data["choices"][0]["message"]["content"]) == {"x": 1}
    assert data["usage"] == {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14}
    assert data["model"] == "served-model"


def test_streaming_chunks_and_usage(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.responder = lambda body: "a fairly long streamed answer text"
    body = {
        "messages": [{"role": "user", "content": "x"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    status, headers, raw = post(fake_openai, body)
    events = [line[6:] for line in raw.decode().splitlines() if line.startswith("data: ")]
    assert status == 200 and headers["Content-Type"] == "text/event-stream"
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "a fairly long streamed answer text"
    assert chunks[-1]["usage"]["completion_tokens"] == len(text) // 4


def test_streaming_tool_call(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.responder = lambda body: {"answer": "streamed tool arguments"}
    tools = [{"type": "function", "function": {"name": "t", "parameters": {"type": "object"}}}]
    raw = post(fake_openai, {"messages": [], "tools": tools, "stream": True})[2]
    chunks = [json.loads(line[6:]) for line in raw.decode().splitlines() if line.startswith("data: {")]
    args = "".join(
        c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"]
        for c in chunks
        if c["choices"] and c["choices"][0]["delta"].get("tool_calls")
    )
    assert json.loads(args) == {"answer": "streamed tool arguments"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_faults_are_one_shot_and_ordered(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue("500")
    fake_openai.enqueue(Fault.rate_limit(retry_after=1.5))
    fake_openai.enqueue("malformed")
    fake_openai.enqueue("bad_json")
    assert fake_openai.pending_faults == 4
    assert post(fake_openai, STRUCTURED)[0] == 500
    status, headers, _ = post(fake_openai, STRUCTURED)
    assert status == 429 and headers["Retry-After"] == "1.5"
    status, _, raw = post(fake_openai, STRUCTURED)
    assert status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    content = json.loads(post(fake_openai, STRUCTURED)[2])["choices"][0]["message"]["content"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)
    assert post(fake_openai, STRUCTURED)[0] == 200
    assert fake_openai.request_count == 5 and fake_openai.pending_faults == 0


def test_hang_is_released_by_reset(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(Fault.hang(30))
    errors: list[BaseException] = []

    def client() -> None:
        try:
            post(fake_openai, STRUCTURED, timeout=10)
        except Exception as exc:  # the server closes without answering
            errors.append(exc)

    thread = threading.Thread(target=client)
    started = time.perf_counter()
    thread.start()
    time.sleep(0.2)
    fake_openai.reset()
    thread.join(5)
    assert not thread.is_alive() and time.perf_counter() - started < 3
    assert len(errors) == 1


def test_latency_and_parallel_requests(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.latency_s = 0.3
    fake_openai.gather = 40
    threads = [threading.Thread(target=post, args=(fake_openai, STRUCTURED)) for _ in range(40)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake_openai.request_count == 40
    assert fake_openai.peak_in_flight == 40  # served in parallel, not one after another
    assert time.perf_counter() - started >= 0.3  # and each waited its latency


def test_routes_and_bad_requests(fake_openai: FakeOpenAIServer) -> None:
    with urllib.request.urlopen(fake_openai.base_url + "/models", timeout=5) as response:
        assert json.loads(response.read())["data"][0]["id"] == "fake-model"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(fake_openai.base_url + "/nothing", timeout=5)
    assert caught.value.code == 404
    request = urllib.request.Request(fake_openai.base_url + "/chat/completions", data=b"{oops")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 400
    request = urllib.request.Request(fake_openai.base_url + "/embeddings", data=b"{}")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 404


def test_fault_spec_parsing() -> None:
    assert Fault.parse("503") == Fault("http", status=503)
    assert Fault.parse("429:2") == Fault("http", status=429, retry_after=2.0)
    assert Fault.parse("hang:1.5") == Fault("hang", seconds=1.5)
    assert Fault.parse("hang").seconds == 30.0
    assert Fault.parse("invalid_arguments") == Fault.invalid_arguments()
    with pytest.raises(ValueError, match="unknown fault"):
        Fault.parse("explode")


def test_standalone_server_context_manager() -> None:
    with FakeOpenAIServer() as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        assert post(server, STRUCTURED)[0] == 200
