"""The runner wraps every agent's answer in the contract's common keys and logs every run."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import pytest
from pydantic import BaseModel

from agentops_cli.agents import runner
from agentops_cli.config import load_settings
from agentops_cli.errors import BadInput, RuntimeFailure
from agentops_cli.observability.runlog import runlog_path


class EchoOutput(BaseModel):
    echo: str
    flags: list[str] = []


@pytest.fixture
def echo_agent(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType("tests_echo_service")

    def run(input: str, *, llm, settings, options):
        if input == "boom":
            raise RuntimeFailure("the model is down")
        return EchoOutput(echo=input.upper(), flags=["short"] if len(input) < 5 else [])

    module.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tests_echo_service", module)
    register_service(monkeypatch, "echo", module)
    return module


def register_service(monkeypatch: pytest.MonkeyPatch, name: str, module: types.ModuleType) -> None:
    """Register a service-shaped module as a built-in-style agent for one test."""
    from agentops_cli.agents import registry
    from agentops_cli.agents.builtins import ServiceAgent, SupportInput

    monkeypatch.setitem(registry._extra, name, ServiceAgent(name, SupportInput, lambda: module, "test agent"))


def test_common_keys_and_run_log(echo_agent: types.ModuleType) -> None:
    settings = load_settings().settings
    result = runner.run_agent("echo", "hi", settings, run_id="run-1")
    assert result["echo"] == "HI"
    assert result["agent"] == "echo" and result["run_id"] == "run-1"
    assert result["provider"] == "offline" and result["degraded"] is False
    assert result["usage"] == {"input_tokens": 0, "output_tokens": 0, "cached_tokens": 0}
    assert result["cost_usd"] == 0.0 and result["flags"] == ["short"]
    assert result["latency_ms"] >= 0
    logged = [json.loads(line) for line in runlog_path(settings).read_text().splitlines()]
    assert logged[-1]["run_id"] == "run-1" and logged[-1]["error"] is None
    assert "hi" not in json.dumps(logged[-1]["input_sha256"])


def test_failed_run_is_logged_with_its_error(echo_agent: types.ModuleType) -> None:
    settings = load_settings().settings
    with pytest.raises(RuntimeFailure):
        runner.run_agent("echo", "boom", settings, run_id="run-2")
    last = json.loads(runlog_path(settings).read_text().splitlines()[-1])
    assert last["run_id"] == "run-2"
    assert last["error"] == "RuntimeFailure: the model is down"


def test_unknown_agent_is_bad_input() -> None:
    with pytest.raises(BadInput, match="unknown agent 'nope'"):
        runner.run_agent("nope", "x", load_settings().settings)


def test_run_ids_sort_by_time_and_are_unique() -> None:
    import time

    from agentops_cli.run_ids import new_run_id

    first = new_run_id()
    time.sleep(0.002)
    second = new_run_id()
    assert first < second  # millisecond precision: consecutive runs list in order
    assert len({new_run_id() for _ in range(20_000)}) == 20_000  # one process: never a collision
    assert re.fullmatch(r"\d{8}-\d{6}-\d{3}-[0-9a-f]{6}", new_run_id())


def test_a_forked_child_draws_its_own_run_id_suffixes() -> None:
    import os

    from agentops_cli.run_ids import new_run_id

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        os.write(write, new_run_id()[-6:].encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 6).decode()
    os.close(read)
    parent = new_run_id()[-6:]
    # same start and counter after a fork would give the child the parent's next suffix
    assert child != parent


def test_a_runs_start_orders_runs_across_seconds_and_time_zones() -> None:
    """Compare takes the older run as A: ``created_at`` text (local time, whole seconds) got
    two runs of one second, and a UTC CI run against a CET laptop run, the wrong way round."""
    import time

    from agentops_cli.run_ids import new_run_id, started_epoch

    early = started_epoch("20261130-083001-105-aaaaaa", "2026-11-30T08:30:01+0000")
    late = started_epoch("20261130-083001-912-bbbbbb", "2026-11-30T08:30:01+0000")
    assert late - early == pytest.approx(0.807)  # same second: the id's milliseconds decide
    ci = started_epoch("20261130-083000-000-cccccc", "2026-11-30T08:30:00+0000")
    laptop = started_epoch("20261130-090000-000-dddddd", "2026-11-30T09:00:00+0100")
    assert ci - laptop == pytest.approx(1800.0)  # 09:00 CET is 08:00 UTC: the laptop run is older
    # created_at taken a moment after the id, across a second boundary: still the id's instant
    assert started_epoch("20261130-083000-999-eeeeee", "2026-11-30T08:30:01+0000") < late
    # a renamed folder, or an id that was not made with this created_at: created_at alone
    assert started_epoch("baseline", "2026-11-30T09:00:00+0100") == laptop
    assert started_epoch("20200101-000000-000-ffffff", "2026-11-30T09:00:00+0100") == laptop
    assert started_epoch("baseline", "") == 0.0  # nothing to go by: sorts first
    now = time.time()
    assert abs(started_epoch(new_run_id(), "") - now) < 5  # no offset recorded: this machine's


def test_disable_llm_wins_over_provider_flag_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    from agentops_cli.llm.factory import make_llm
    from agentops_cli.observability.logging import setup_logging

    setup_logging(0)
    settings = load_settings(overrides={"llm.provider": "openai", "disable_llm": True}).settings
    llm = make_llm(settings, "support")
    assert llm.provider == "offline" and llm.backend is None
    assert "DISABLE_LLM is set" in capsys.readouterr().err


def test_use_fake_data_forces_the_bundled_support_pack(tmp_path: Path) -> None:
    from agentops_cli.agents.support.configuration import resolve_pack

    custom = tmp_path / "pack.csv"
    custom.write_text(
        "text,intent\nwhere is my parcel,shipping\nmy parcel is late,shipping\n"
        "reset my password,account\ncannot log in,account\n"
    )
    settings = load_settings().settings
    assert resolve_pack(settings, {"pack": str(custom)}).name != resolve_pack(settings, {}).name
    fake = load_settings(overrides={"use_fake_data": True}).settings
    assert resolve_pack(fake, {"pack": str(custom)}).name == resolve_pack(settings, {}).name


def test_use_fake_data_forces_the_bundled_research_corpus(tmp_path: Path) -> None:
    from agentops_cli.agents.research.service import corpus_path, default_corpus

    options = {"corpus": str(tmp_path)}
    assert corpus_path(load_settings().settings, options) == tmp_path
    fake = load_settings(overrides={"use_fake_data": True}).settings
    assert corpus_path(fake, options) == default_corpus()
