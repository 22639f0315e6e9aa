"""The research agent on the LLM path: real ChatOpenAI over HTTP to the loopback server.

The scripted model plans two sub-questions, takes notes with one real and one fabricated
quote, and writes a draft citing both: verification must drop the fabricated one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentops_cli.agents.runner import run_agent
from agentops_cli.errors import RuntimeFailure
from tests.conftest import run_cli
from tests.fakes.fixtures import openai_env, openai_settings
from tests.fakes.openai_server import FakeOpenAIServer

QUESTION = "What are the main risks of acquiring Ledgerly?"
REAL = "Key-person risk is high."
FABRICATED = "Ledgerly has never lost a customer and carries no legal risk."


def schema_name(body: dict[str, Any]) -> str:
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        return response_format["json_schema"]["name"]
    return body["tools"][0]["function"]["name"]


def responder(body: dict[str, Any]) -> dict[str, Any]:
    name = schema_name(body)
    if name == "ResearchPlan":
        return {
            "subquestions": [
                "What risks does the due diligence memo identify?",
                "What legal exposure does Ledgerly have?",
            ]
        }
    if name == "ResearchNotes":
        return {
            "notes": [
                {
                    "claim": "The CTO is a single point of failure.",
                    "quote": REAL,
                    "passage_id": "due_diligence_memo_ledgerly.md#4",
                },
                {
                    "claim": "Ledgerly is risk free.",
                    "quote": FABRICATED,
                    "passage_id": "due_diligence_memo_ledgerly.md#5",
                },
            ]
        }
    assert name == "ResearchDraft", name
    user = body["messages"][-1]["content"]
    assert "[1]" in user and FABRICATED in user  # the writer sees the numbered notes
    return {
        "title": "Ledgerly acquisition risks",
        "executive_summary": [
            {"text": "Key-person dependency on the CTO is the main risk.", "citations": [1]},
            {"text": "There is no legal risk.", "citations": [2]},
        ],
        "findings": [
            {
                "subquestion": "What risks does the due diligence memo identify?",
                "statements": [{"text": "The CTO has no documented successor.", "citations": [1, 2]}],
            },
            {
                "subquestion": "What legal exposure does Ledgerly have?",
                "statements": [{"text": "No exposure at all.", "citations": [4]}],
            },
        ],
        "risks": [{"text": "The AEPD outcome is unknown.", "citations": []}],
    }


def test_fabricated_quote_from_the_model_is_removed(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.responder = responder
    settings = openai_settings(fake_openai)
    result = run_agent("research", QUESTION, settings, {}, log=False)
    assert result["provider"] == "openai" and result["degraded"] is False
    assert result["plan"] == [
        "What risks does the due diligence memo identify?",
        "What legal exposure does Ledgerly have?",
    ]
    assert [(c["n"], c["quote"], c["source"]) for c in result["citations"]] == [
        (1, REAL, "due_diligence_memo_ledgerly.md")
    ]
    # notes [2] and [4]: the model "found" the fabricated quote for both sub-questions
    assert [c["quote"] for c in result["unverified"]] == [FABRICATED, FABRICATED]
    assert "unverified_citations:2" in result["flags"]
    assert "removed_claims:2" in result["flags"]
    report = result["report"]
    assert FABRICATED not in report and "There is no legal risk." not in report
    assert "- The CTO has no documented successor. [1]" in report
    assert "- The AEPD outcome is unknown." in report
    assert result["llm_calls"] == 4  # plan + 2 notes + write
    assert fake_openai.request_count == 4
    assert result["usage"]["input_tokens"] > 0


def test_llm_call_budget_stops_gracefully(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.responder = responder
    settings = openai_settings(fake_openai, research__max_llm_calls=2)
    result = run_agent("research", QUESTION, settings, {}, log=False)
    assert fake_openai.request_count == 2  # plan + first notes; the rest offline
    assert result["llm_calls"] == 2
    assert "budget_exhausted:max_llm_calls" in result["flags"]
    assert result["citations"] and all(c["quote"] != FABRICATED for c in result["citations"])
    assert "### Sources" in result["report"]


def test_cli_with_openai_provider(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.responder = responder
    result = run_cli("-q", "run", "research", QUESTION, "--json", env=openai_env(fake_openai))
    assert result.code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["provider"] == "openai" and doc["citations"][0]["quote"] == REAL
    assert "unverified_citations:2" in doc["flags"]


def test_model_down_fails_over_to_offline_or_fails_with_exit_code_3(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue("500", times=50)
    degraded = run_agent(
        "research", QUESTION, openai_settings(fake_openai, cache__enabled=False), {}, log=False
    )
    assert degraded["degraded"] is True and "degraded" in degraded["flags"]
    assert degraded["citations"]  # the offline twins still wrote a verified report
    assert degraded["citations"][0]["source"] == "due_diligence_memo_ledgerly.md"
    strict = openai_settings(fake_openai, cache__enabled=False, resilience__failover=False)
    with pytest.raises(RuntimeFailure) as failure:
        run_agent("research", QUESTION, strict, {}, log=False)
    assert failure.value.exit_code == 3


def test_llm_planner_gets_the_typed_analysis_and_quotes_are_restored_byte_exact(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    """The LLM path: the planner sees the type and the typed plan; a quote the model
    straightened (’ → ') is verified and shown with the source's original characters."""
    (tmp_path / "leave.md").write_text(
        "# Leave policy\n\n## Carry-over\n\nYou can’t carry over more than 5 days into the next year.\n",
        encoding="utf-8",
    )

    def typed_responder(body: dict[str, Any]) -> dict[str, Any]:
        name = schema_name(body)
        user = body["messages"][-1]["content"]
        if name == "ResearchPlan":
            assert "Type: list" in user and "(every item)" in user  # the typed plan is offered
            return {"subquestions": ["Which carry-over rules apply?"]}
        if name == "ResearchNotes":
            return {
                "notes": [
                    {
                        "claim": "At most 5 days carry over.",
                        "quote": "You can't carry over more than 5 days into the next year.",
                        "passage_id": "leave.md#1",
                        "kind": "point",
                    }
                ]
            }
        assert "list" in user or "type" in body["messages"][0]["content"]
        return {
            "title": "Carry-over",
            "executive_summary": [{"text": "At most 5 days carry over.", "citations": [1]}],
            "findings": [{"subquestion": "Which carry-over rules apply?", "statements": []}],
            "gaps": ["The corpus does not say what happens to the extra days."],
        }

    fake_openai.responder = typed_responder
    settings = openai_settings(fake_openai)
    result = run_agent(
        "research",
        "Which carry-over rules does the leave policy list?",
        settings,
        {"corpus": str(tmp_path)},
        log=False,
    )
    assert result["provider"] == "openai" and not result["unverified"]
    quote = result["citations"][0]["quote"]
    assert quote == "You can’t carry over more than 5 days into the next year."
    assert quote.encode() in (tmp_path / "leave.md").read_bytes()
    assert "## Answer" in result["report"] and "## Gaps and limits" in result["report"]
    assert "what happens to the extra days" in result["report"]
