"""The operations MCP and A2A share: argument errors, redaction, what is published."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.config import load_settings
from agentops_cli.errors import BadInput
from agentops_cli.interop import operations as ops
from agentops_cli.interop.a2a_app import answer_text


def test_bad_arguments_name_the_field() -> None:
    with pytest.raises(BadInput, match=r"^cost: rpd: Input should be greater than or equal to 1$"):
        ops.parse(ops.CostArgs, {"rpd": 0}, "cost")
    with pytest.raises(BadInput, match=r"^eval: limit: "):
        ops.parse(ops.EvalArgs, {"limit": "x"}, "eval")
    assert ops.parse(ops.ChecklistArgs, None, "checklist").path == "."


def test_errors_are_one_redacted_line() -> None:
    key = "sk-" + "a1b2c3d4e5f6g7h8"
    assert key not in ops.error_text(RuntimeError(f"upstream said {key}"))
    assert ops.error_text(RuntimeError("boom")) == "unexpected error: RuntimeError: boom"
    assert key not in ops.error_text(BadInput(f"bad key {key}"))


def test_a_broken_user_agent_is_not_published(tmp_path: Path) -> None:
    settings = load_settings(
        None, {"agents": {"broken": {"target": "python:no_such_module_xyz:graph"}}}, dotenv_path=None
    ).settings
    from agentops_cli.agents.registry import list_agents

    assert "broken" in [row["name"] for row in list_agents(settings)]  # registered, but cannot load
    names = [row["name"] for row in ops.agents(settings)]
    assert "support" in names and "broken" not in names


def test_answer_text_prefers_the_answer_then_the_output() -> None:
    assert answer_text({"answer": "refund sent", "output": "x"}) == "refund sent"
    assert answer_text({"output": "plain"}) == "plain"
    assert answer_text({"output": {"score": 1}}) == '{"score": 1}'
    assert answer_text({"agent": "a"}) == '{"agent": "a"}'
