"""A2A: ``a2a_app(settings)`` under uvicorn on a loopback port, spoken to by the a2a-sdk client."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from a2a.client import ClientConfig, create_client
from a2a.helpers import get_data_parts, get_message_text
from a2a.types import Message, Part, Role, SendMessageRequest

from agentops_cli.interop.a2a_app import a2a_app
from tests.fakes.fixtures import openai_settings
from tests.fakes.serve_process import free_port

QUERY = "I was charged twice for my order"


@pytest.fixture
def served(fake_openai: Any, support_model_cache: Path, tmp_path: Path) -> Iterator[str]:
    """The A2A app on a real socket; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = openai_settings(
        fake_openai,
        {"cache_dir": str(support_model_cache), "cache.enabled": False, "document.root": str(tmp_path)},
    )
    server = uvicorn.Server(
        uvicorn.Config(a2a_app(settings, url=url + "/"), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield url
    server.should_exit = True
    thread.join(10)


def test_agent_card_lists_every_agent_as_a_skill(served: str) -> None:
    card = httpx.get(served + "/.well-known/agent-card.json", timeout=10).json()
    assert card["name"] == "agentops"
    assert {"support", "document", "research"} <= {skill["id"] for skill in card["skills"]}
    assert card["supportedInterfaces"][0]["url"] == served + "/"
    assert card["supportedInterfaces"][0]["protocolBinding"] == "JSONRPC"


def test_a2a_client_gets_the_support_answer(served: str, fake_openai: Any) -> None:
    async def main() -> list[Any]:
        http = httpx.AsyncClient(timeout=60)  # the first run loads the agent: longer than httpx's 5 s
        client = await create_client(served, client_config=ClientConfig(streaming=False, httpx_client=http))
        request = SendMessageRequest(
            message=Message(message_id=uuid.uuid4().hex, role=Role.ROLE_USER, parts=[Part(text=QUERY)]),
            metadata={"skill": "support"},
        )
        try:
            return [event async for event in client.send_message(request)]
        finally:
            await client.close()
            await http.aclose()

    events = anyio.run(main)
    reply = events[-1].message
    run = get_data_parts(list(reply.parts))[0]
    assert run["agent"] == "support" and run["provider"] == "openai"
    assert get_message_text(reply).startswith(run["answer"])
    assert fake_openai.request_count > 0


def test_v0_3_message_send_and_errors_over_raw_json_rpc(served: str, tmp_path: Path) -> None:
    def call(params: dict[str, Any]) -> dict[str, Any]:
        body = {"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": params}
        return httpx.post(served + "/", json=body, timeout=60).json()

    def message(*parts: dict[str, Any], **metadata: Any) -> dict[str, Any]:
        return {
            "message": {
                "messageId": uuid.uuid4().hex,
                "role": "user",
                "kind": "message",
                "parts": list(parts),
                "metadata": metadata,
            }
        }

    ok = call(message({"kind": "text", "text": QUERY}))  # no skill: support
    parts = ok["result"]["parts"]
    assert any(p.get("kind") == "data" and p["data"]["agent"] == "support" for p in parts), ok

    outside = tmp_path.parent / "a2a-outside.txt"
    outside.write_text("Contract between A and B.", encoding="utf-8")
    escaped = call(message({"kind": "data", "data": {"path": str(outside)}}, skill="document"))
    assert "root" in escaped["error"]["message"], escaped
    unknown = call(message({"kind": "text", "text": "hi"}, skill="no-such-agent"))
    assert "no-such-agent" in unknown["error"]["message"], unknown


def test_a2a_is_served_by_agentops_serve_behind_its_api_keys(
    fake_openai: Any, support_model_cache: Path, tmp_path: Path
) -> None:
    """``agentops serve`` mounts the A2A app at /a2a: the card is public, a task needs a key."""
    from agentops_cli.serving.app import create_app
    from agentops_cli.serving.security import key_digest

    port = free_port()
    settings = openai_settings(
        fake_openai,
        {
            "cache_dir": str(support_model_cache),
            "cache.enabled": False,
            "serve.port": port,
            "serve.api_keys": {"ops": key_digest("k-ops-1234567")},
        },
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, warm=False), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}/a2a"
    try:
        card = httpx.get(base + "/.well-known/agent-card.json", timeout=10).json()
        assert card["supportedInterfaces"][0]["url"] == base + "/"
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "message/send",
            "params": {
                "message": {
                    "kind": "message",
                    "messageId": uuid.uuid4().hex,
                    "role": "user",
                    "parts": [{"kind": "text", "text": QUERY}],
                }
            },
        }
        assert httpx.post(base + "/", json=body, timeout=60).status_code == 401
        ok = httpx.post(base + "/", json=body, headers={"Authorization": "Bearer k-ops-1234567"}, timeout=60)
        parts = ok.json()["result"]["parts"]
        (run,) = [p["data"] for p in parts if p.get("kind") == "data"]
        assert run["agent"] == "support" and run["query"] == QUERY, ok.text
        assert run["provider"] == "openai" and run["usage"]["input_tokens"] > 0  # a real model call
    finally:
        server.should_exit = True
        thread.join(10)
