"""``agentops run support`` and ``agentops graph`` through the real CLI in a subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.contract import USAGE_KEYS, assert_run_contract


@pytest.fixture(scope="module")
def env(support_model_cache: Path) -> dict[str, str]:
    """Every CLI call reuses the session's trained model."""
    return {"AGENTOPS_CACHE_DIR": str(support_model_cache)}


def test_json_contract_offline(env: dict[str, str]) -> None:
    result = run_cli("run", "support", "I was charged twice for my order", "--json", env=env)
    assert result.code == 0, result.stderr
    data = result.json()
    assert_run_contract(data, "support")
    assert set(data["usage"]) == USAGE_KEYS
    assert (data["agent"], data["provider"], data["intent"], data["escalate"]) == (
        "support",
        "offline",
        "billing",
        False,
    )
    assert 0.8 < data["confidence"] <= 1.0
    assert data["sources"] == [
        {
            "id": "billing#duplicate-or-unexpected-charges",
            "title": "Billing and payments — Duplicate or unexpected charges",
            "score": data["sources"][0]["score"],
        }
    ]
    assert data["escalation_reason"] is None and data["flags"] == []


def test_rich_panel_in_spanish_with_escalation(env: dict[str, str]) -> None:
    result = run_cli("run", "support", "Quiero hablar con una persona", env=env)
    assert result.code == 0, result.stderr
    out = result.stdout
    assert "human_agent" in out and "human_requested" in out
    assert "Te pongo en contacto con una persona" in out
    assert "Confidence" in out and "offline/offline" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "support", "   "), "error: query: empty query"),
        (("run", "support", "hi", "--pack", "/nonexistent/pack"), "pack not found"),
        (("run", "support", "hi", "--provider", "anthropic"), "--provider: must be offline or openai"),
        (("run", "support"), "QUERY: missing (or use --resume THREAD)"),
        (("run", "support", "hi", "--approve"), "only make sense with --resume"),
        (("run", "support", "--resume", "abc"), "exactly one decision"),
        (("run", "support", "hi", "--resume", "abc", "--approve"), "not both"),
        (("run", "support", "hi", "--thread", "t1"), "--thread only makes sense with --hitl"),
        (("graph", "nope"), "unknown agent 'nope'"),
    ],
)
def test_bad_usage_exits_2_with_one_line(args: tuple[str, ...], message: str, env: dict[str, str]) -> None:
    result = run_cli(*args, env=env)
    assert result.code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_bad_pack_points_at_file_and_line(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "intents.yaml").write_text("intents:\n  - name: a\n    examples: [x]\n    colour: red\n")
    result = run_cli("run", "support", "hello", "--pack", str(tmp_path), env=env)
    assert result.code == 2
    assert f"{tmp_path / 'intents.yaml'}:4: intents.0.colour: unknown key" in result.stderr


def test_graph_support_prints_mermaid(env: dict[str, str]) -> None:
    result = run_cli("graph", "support", "--json", env=env)
    assert result.code == 0, result.stderr
    mermaid = result.json()["mermaid"]
    assert mermaid.startswith("---") and "graph TD;" in mermaid
    for edge in (
        "__start__ --> guard",
        "guard --> classify",
        "classify --> retrieve",
        "retrieve --> answer",
        "answer --> decide_escalation",
        "decide_escalation -.-> review",
    ):
        assert edge in mermaid


def test_hitl_pause_and_resume_in_another_process(env: dict[str, str]) -> None:
    paused = run_cli("run", "support", "How do I reset my password?", "--hitl", "--json", env=env)
    assert paused.code == 0, paused.stderr
    data = paused.json()
    assert data["status"] == "pending_review"
    thread = data["thread_id"]
    resumed = run_cli(
        "run", "support", "--resume", thread, "--rewrite", "Use the reset link we just sent.", env=env
    )
    assert resumed.code == 0, resumed.stderr
    assert "rewritten by a human" in resumed.stdout
    assert "Use the reset link we just sent." in resumed.stdout
    again = run_cli("run", "support", "--resume", thread, "--approve", env=env)
    assert again.code == 2 and "already finished" in again.stderr
