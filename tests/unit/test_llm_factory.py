"""The factory, routing, the offline seam and the small helpers of the openai backend."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel

from agentops_cli.config import load_settings
from agentops_cli.errors import BadInput
from agentops_cli.llm import prompting
from agentops_cli.llm.base import AgentLLM, CallRecord, FailoverRequested
from agentops_cli.llm.factory import make_llm, make_router
from agentops_cli.llm.resilience import MalformedAnswer
from agentops_cli.llm.usage import Usage


class Answer(BaseModel):
    value: int


def settings(**flags: Any):
    return load_settings(None, {k.replace("__", "."): v for k, v in flags.items()}, dotenv_path=None).settings


@pytest.fixture(autouse=True)
def template(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prompting, "load_prompt", lambda name: "System for {who}.\n---user---\nDo {what}.")


def test_build_messages_fills_both_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    assert prompting.build_messages("x", {"who": "agents", "what": "it"}) == [
        {"role": "system", "content": "System for agents."},
        {"role": "user", "content": "Do it."},
    ]
    monkeypatch.setattr(prompting, "load_prompt", lambda name: "Only a user part about {what}")
    assert prompting.build_messages("x", {"what": "y"}) == [
        {"role": "user", "content": "Only a user part about y"}
    ]


def test_routing_by_complexity() -> None:
    off = make_router(settings(llm__model="base"), "support")
    assert off("complex", "x") == "base"
    route = make_router(settings(llm__routing__enabled=True, llm__routing__complex_min_chars=10), "support")
    assert route(None, "short") == "gpt-4o-mini"
    assert route(None, "a much longer input") == "gpt-4o"
    assert route("complex", "short") == "gpt-4o"
    assert route("simple", "a much longer input") == "gpt-4o-mini"
    per_agent = make_router(settings(llm__agent_models={"document": "gpt-4.1"}), "document")
    assert per_agent(None, "x") == "gpt-4.1"


def test_offline_llm_answers_with_the_twin_and_counts_nothing() -> None:
    llm = make_llm(settings(), "support")
    assert (llm.provider, llm.model, llm.backend) == ("offline", "offline", None)
    answer = llm.structured(Answer, prompt="p", variables={}, offline=lambda: Answer(value=3))
    again = llm.structured(Answer, prompt="p", variables={}, offline=lambda: Answer(value=4))
    assert (answer.value, again.value) == (3, 4)
    assert llm.usage == Usage() and llm.cost_usd == 0.0
    assert (llm.llm_calls, llm.cache_hits, llm.degraded) == (0, 0, False)


def test_disable_llm_wins_over_a_key() -> None:
    s = settings(llm__api_key="sk-test-abcdefghijkl", disable_llm=True)
    assert make_llm(s, "support").provider == "offline"


def test_openai_without_key_or_url_is_bad_input() -> None:
    with pytest.raises(BadInput, match="needs OPENAI_API_KEY"):
        make_llm(settings(llm__provider="openai"), "support")


class RecordingBackend:
    """A backend that records what AgentLLM asks and answers (or fails over) on demand."""

    provider = "openai"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.seen: list[dict[str, Any]] = []

    def structured(self, schema: type[Answer], **kwargs: Any) -> tuple[Answer, CallRecord]:
        self.seen.append(kwargs)
        if self.fail:
            raise FailoverRequested("m: circuit open")
        record = CallRecord(
            name=kwargs["name"],
            provider="openai",
            model=kwargs["model"],
            usage=Usage(input_tokens=5, output_tokens=2),
            cost_usd=0.25,
        )
        return schema(value=9), record


def test_agent_llm_passes_context_and_sums_usage() -> None:
    backend = RecordingBackend()
    llm = AgentLLM(agent="support", provider="openai", model="m", backend=backend, trial=2, run_id="r9")
    first = llm.structured(
        Answer, prompt="a/b", variables={"who": "w", "what": "x"}, offline=lambda: Answer(value=0)
    )
    second = llm.structured(
        Answer, prompt="a/b", variables={"who": "w", "what": "y"}, offline=lambda: Answer(value=0)
    )
    assert (first.value, second.value) == (9, 9)
    assert backend.seen[0]["trial"] == 2 and backend.seen[0]["run_id"] == "r9"
    assert backend.seen[0]["agent"] == "support" and backend.seen[1]["messages"][-1]["content"] == "Do y."
    assert llm.usage == Usage(input_tokens=10, output_tokens=4) and llm.cost_usd == 0.5


def test_agent_llm_failover_marks_degraded_once_per_reason() -> None:
    llm = AgentLLM(agent="support", provider="openai", model="m", backend=RecordingBackend(fail=True))
    first = llm.structured(
        Answer, prompt="p", variables={"who": "", "what": ""}, offline=lambda: Answer(value=1)
    )
    second = llm.structured(
        Answer, prompt="p", variables={"who": "", "what": ""}, offline=lambda: Answer(value=2)
    )
    assert (first.value, second.value) == (1, 2)
    assert llm.degraded is True and llm.degraded_reasons == ["m: circuit open"]
    assert [c.error for c in llm.calls] == ["m: circuit open", "m: circuit open"]


def test_parse_structured_paths() -> None:
    from langchain_core.runnables import RunnableLambda

    from agentops_cli.llm.openai_backend import parse_structured, usage_from_message

    def parser(result: Any) -> RunnableLambda:
        return RunnableLambda(lambda _: result)

    assert parse_structured(None, parser({"value": 4}), Answer) == Answer(value=4)
    assert parse_structured(None, parser(Answer(value=5)), Answer).value == 5
    with pytest.raises(MalformedAnswer, match="does not match"):
        parse_structured(None, parser({"value": "many"}), Answer)
    with pytest.raises(MalformedAnswer, match="malformed"):
        parse_structured(None, parser(None), Answer)

    def broken(_: Any) -> Any:
        raise ValueError("bad json")

    with pytest.raises(MalformedAnswer):
        parse_structured(None, RunnableLambda(broken), Answer)
    message = SimpleNamespace(
        usage_metadata={"input_tokens": 7, "output_tokens": 3, "input_token_details": {"cache_read": 4}}
    )
    assert usage_from_message(message) == Usage(input_tokens=7, output_tokens=3, cached_tokens=4)
    assert usage_from_message(SimpleNamespace()) == Usage()
