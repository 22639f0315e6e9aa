"""A2A (agent-to-agent) for agentops: an agent card and JSON-RPC task requests, on ``a2a-sdk``.

:func:`a2a_app` returns a Starlette ASGI application to serve alone or mount in another app
(``agentops serve`` mounts it at ``/a2a``). It publishes the agent card at
``/.well-known/agent-card.json`` (the A2A 1.0 path; the SDK's ``AGENT_CARD_WELL_KNOWN_PATH``)
with one skill per registered agent, and answers JSON-RPC at ``/`` — ``SendMessage`` (A2A 1.0)
and, with the SDK's v0.3 compatibility, ``message/send``.

A request (or its message) names the skill in ``metadata.skill`` (default ``support``); its text (or a data
part, for agents whose input is an object) is the agent's input. The reply is one message: the
answer as text plus the run JSON of ``agentops run NAME --json`` as a data part — the same
:func:`agentops_cli.agents.runner.run_agent` run, sandbox and redaction as the CLI. A failed
run is an A2A error carrying one redacted line.
"""

from __future__ import annotations

import json
from typing import Any

import anyio.to_thread
from a2a.helpers import get_data_parts, get_message_text, new_message
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore
from a2a.types import AgentCapabilities, AgentCard, AgentInterface, AgentSkill, Part, Role
from a2a.utils.constants import PROTOCOL_VERSION_CURRENT, TransportProtocol
from a2a.utils.errors import InvalidParamsError
from google.protobuf import json_format, struct_pb2
from starlette.applications import Starlette

from agentops_cli import __version__
from agentops_cli.config import Settings
from agentops_cli.errors import AgentOpsError
from agentops_cli.interop import operations as ops

DEFAULT_SKILL = "support"


def agent_card(settings: Settings, url: str) -> AgentCard:
    """The card: agentops as one A2A agent whose skills are the registered agents."""
    skills = [
        AgentSkill(
            id=row["name"],
            name=row["name"],
            description=(row["description"] or row["target"])
            + f" Input: text (its '{row['primary'] or 'input'}') or a JSON data part (input schema).",
            tags=[row["source"]],
            input_modes=["text/plain", "application/json"],
            output_modes=["text/plain", "application/json"],
        )
        for row in ops.agents(settings)
    ]
    return AgentCard(
        name="agentops",
        description="Business LLM agents (support, document, research, and registered user agents). "
        f"Pick one with message metadata {{'skill': NAME}} (default '{DEFAULT_SKILL}').",
        version=__version__,
        supported_interfaces=[
            AgentInterface(
                url=url,
                protocol_binding=TransportProtocol.JSONRPC.value,
                protocol_version=PROTOCOL_VERSION_CURRENT,
            )
        ],
        capabilities=AgentCapabilities(streaming=False),
        default_input_modes=["text/plain", "application/json"],
        default_output_modes=["text/plain", "application/json"],
        skills=skills,
    )


def answer_text(run: dict[str, Any]) -> str:
    """The part a person reads: the answer of built-ins, the mapped output of user agents."""
    for key in ("answer", "summary", "output"):
        value = run.get(key)
        if isinstance(value, str) and value:
            return value
    return json.dumps(run.get("output", run), ensure_ascii=False, default=str)


class AgentopsExecutor(AgentExecutor):
    """Runs the skill a message names through ``run_agent``; replies with one message."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        message = context.message
        metadata = json_format.MessageToDict(message.metadata) if message is not None else {}
        skill = str({**metadata, **context.metadata}.get("skill") or DEFAULT_SKILL)
        data = get_data_parts(list(message.parts)) if message is not None else []
        raw: Any = data[0] if data else (get_message_text(message) if message is not None else "")
        try:
            run = await anyio.to_thread.run_sync(ops.run, skill, raw, self.settings)
        except AgentOpsError as exc:
            raise InvalidParamsError(message=ops.error_text(exc)) from None
        value = struct_pb2.Value()
        json_format.ParseDict(run, value)
        reply = new_message(
            parts=[Part(text=answer_text(run)), Part(data=value, media_type="application/json")],
            context_id=context.context_id,
            task_id=context.task_id,
            role=Role.ROLE_AGENT,
        )
        await event_queue.enqueue_event(reply)

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        raise InvalidParamsError(message="agentops runs are short and cannot be cancelled")


def a2a_app(settings: Settings, url: str = "http://127.0.0.1:8000/") -> Starlette:
    """The A2A ASGI app; ``url`` is where clients reach its JSON-RPC endpoint (goes on the card)."""
    card = agent_card(settings, url)
    handler = DefaultRequestHandler(
        agent_executor=AgentopsExecutor(settings), task_store=InMemoryTaskStore(), agent_card=card
    )
    routes = [
        *create_agent_card_routes(card),
        *create_jsonrpc_routes(handler, rpc_url="/", enable_v0_3_compat=True),
    ]
    return Starlette(routes=routes)
