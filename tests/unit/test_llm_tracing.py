"""Tracing is on only with a LangSmith key; a stray env var never turns it on."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from agentops_cli.config import load_settings
from agentops_cli.llm.tracing import configure_tracing, trace_config, tracing_active


@pytest.fixture(autouse=True)
def restore_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """configure_tracing writes os.environ; monkeypatch puts every name back afterwards."""
    for name in (
        "LANGSMITH_TRACING",
        "LANGSMITH_TRACING_V2",
        "LANGCHAIN_TRACING_V2",
        "LANGCHAIN_TRACING",
        "LANGSMITH_API_KEY",
        "LANGSMITH_PROJECT",
        "LANGSMITH_ENDPOINT",
    ):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_stray_tracing_env_is_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGCHAIN_TRACING_V2", "true")
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    settings = load_settings(None, dotenv_path=None).settings
    assert settings.langsmith_enabled() is False  # tracing without a key

    assert configure_tracing(settings) is False
    assert os.environ["LANGSMITH_TRACING"] == "false"
    assert os.environ["LANGCHAIN_TRACING_V2"] == "false"
    assert tracing_active() is False


def test_key_and_tracing_turn_it_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2_pt_testkey_0123456789")
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    monkeypatch.setenv("AGENTOPS_LANGSMITH__PROJECT", "proj-x")
    monkeypatch.setenv("AGENTOPS_LANGSMITH__ENDPOINT", "http://127.0.0.1:9")
    settings = load_settings(None, dotenv_path=None).settings
    try:
        assert configure_tracing(settings) is True
        assert tracing_active() is True
        assert os.environ["LANGSMITH_PROJECT"] == "proj-x"
        assert os.environ["LANGSMITH_ENDPOINT"] == "http://127.0.0.1:9"
    finally:
        monkeypatch.delenv("LANGSMITH_API_KEY")
        configure_tracing(load_settings(None, dotenv_path=None).settings)
    assert tracing_active() is False


def test_trace_config_tags_and_metadata() -> None:
    config = trace_config(
        agent="support", provider="openai", model="gpt-4o", step="support/classify", run_id="r-1"
    )
    assert config["run_name"] == "support.support.classify"
    assert config["tags"] == ["agentops", "agent:support", "provider:openai", "model:gpt-4o"]
    assert config["metadata"] == {
        "agent": "support",
        "provider": "openai",
        "model": "gpt-4o",
        "run_id": "r-1",
        "step": "support/classify",
    }


def test_stray_env_does_not_delay_exit_of_an_offline_run() -> None:
    """LANGSMITH_TRACING=true with no key: a LangGraph run must exit at once, not after ~12 s.

    The delay is langsmith's non-daemon flush thread, so the child reports, after a run,
    whether langsmith believes tracing is on and which non-daemon threads are alive. Without
    the factory's ``configure_tracing`` it prints ``True`` and the flush thread; no clock is
    involved, so a busy machine cannot make this test fail or pass.
    """
    code = (
        "from agentops_cli.config import load_settings\n"
        "from agentops_cli.llm.factory import make_llm\n"
        "make_llm(load_settings(None, dotenv_path=None).settings, 'support')\n"
        "from typing import TypedDict\n"
        "from langgraph.graph import StateGraph, START, END\n"
        "class S(TypedDict):\n    n: int\n"
        "g = StateGraph(S)\ng.add_node('a', lambda s: {'n': s['n'] + 1})\n"
        "g.add_edge(START, 'a')\ng.add_edge('a', END)\n"
        "print(g.compile().invoke({'n': 1})['n'])\n"
        "import threading, langsmith.utils\n"
        "print(langsmith.utils.tracing_is_enabled())\n"
        "main = threading.main_thread()\n"
        "print([t.name for t in threading.enumerate() if t is not main and not t.daemon])\n"
    )
    env = {
        **os.environ,
        "LANGSMITH_TRACING": "true",
        "LANGCHAIN_TRACING_V2": "true",
        "LANGSMITH_ENDPOINT": "http://127.0.0.1:9",
    }
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:3] == ["2", "False", "[]"]
