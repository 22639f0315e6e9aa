"""The agent protocol, the registry, the mapping rules, transcripts and plugin scorers — in process."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from agentops_cli.agents import registry
from agentops_cli.agents.protocol import AgentRun, FreeInput, UserOutput, make_input
from agentops_cli.agents.runner import can_batch, run_agent, run_agent_batch
from agentops_cli.agents.targets.base import TargetError, usage_from
from agentops_cli.agents.targets.mapping import MappingError, fill, lookup, pick_output
from agentops_cli.agents.transcript import TRUNCATED, Step, Transcript
from agentops_cli.config import AgentEntry, Settings, load_settings
from agentops_cli.errors import BadInput
from agentops_cli.evaluation.models import Example
from agentops_cli.llm.usage import Usage


@pytest.fixture
def user_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "my_agents.py").write_text(
        textwrap.dedent(
            """
            import asyncio

            CALLS = []

            def shout(payload):
                CALLS.append(payload)
                if payload.get("text") == "boom":
                    raise ValueError("no thanks")
                usage = {"prompt_tokens": 7, "completion_tokens": 2, "model": "gpt-4o-mini"}
                return {"reply": payload["text"].upper(), "usage": usage}

            async def whisper(payload):
                await asyncio.sleep(0)
                return {"output": str(payload).lower()}

            def lazy_result(payload):
                async def later():
                    return {"output": "later " + payload}
                return later()

            def setup():
                return shout

            def judge_len(example, output):
                "longer than three characters"
                return len(str(output.get("output"))) > 3

            not_callable = 42
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "my_agents", raising=False)
    registry.reset()
    yield tmp_path
    registry.reset()


def settings_with(**agents: dict) -> Settings:
    return load_settings(overrides={"agents": agents}).settings


def test_agent_run_dumps_to_the_contract_json() -> None:
    run = AgentRun(agent="a", run_id="r", output=UserOutput(output={"x": 1}, flags=["f"]), flags=["f"])
    data = run.model_dump(mode="json")
    assert list(data)[:11] == [
        "agent",
        "run_id",
        "provider",
        "model",
        "degraded",
        "degraded_reason",
        "usage",
        "cost_usd",
        "latency_ms",
        "llm_calls",
        "flags",
    ]
    assert data["output"] == {"x": 1} and "transcript" not in data and run["flags"] == ["f"]
    assert run.body() == {
        "agent": "a",
        "degraded_reason": None,
        "llm_calls": 0,
        "flags": ["f"],
        "output": {"x": 1},
    }


def test_mapping_rules() -> None:
    values = {"input": {"q": "hi", "items": [1, 2]}, "run_id": "r1"}
    assert fill(None, values) == values["input"]
    assert fill(
        {"a": "{{input.q}}", "b": ["{{ input.items.-1 }}"], "c": "id={{run_id}} {{input.items}}", "d": 3},
        values,
    ) == {"a": "hi", "b": [2], "c": "id=r1 [1, 2]", "d": 3}
    with pytest.raises(MappingError, match=r"field 'input\.nope' missing"):
        fill("{{input.nope}}", values)
    assert lookup(SimpleNamespace(content="c"), "content") == "c"
    assert pick_output({"output": 1, "answer": 2}, None) == 1
    assert pick_output({"messages": [{"content": "a"}, SimpleNamespace(content="b")]}, None) == "b"
    assert pick_output({"a": {"b": 3}}, {"x": "a.b"}) == {"x": 3}
    assert pick_output([1], None) == [1]
    assert usage_from({"prompt_tokens": 3, "output_tokens": 4, "cached_tokens": -1}) == Usage(
        input_tokens=3, output_tokens=4
    )


def test_transcript_is_bounded_and_redacted() -> None:
    transcript = Transcript(max_chars=40)
    transcript.add(Step(kind="http", input={"auth": "Bearer abcdefghijklmnop"}, output="x" * 10))
    transcript.add(Step(kind="exec", output="y" * 100, error="token=supersecretvalue"))
    dumped = transcript.dump()
    assert dumped["format_version"] == 1 and dumped["truncated"] is True
    assert "abcdefghijklmnop" not in json.dumps(dumped)
    assert (
        dumped["steps"][1]["output"].endswith(TRUNCATED)
        and "supersecretvalue" not in dumped["steps"][1]["error"]
    )


def test_python_callable_target_usage_cost_and_errors(user_module: Path) -> None:
    settings = settings_with(
        shout={"target": "python:my_agents:shout", "input": {"text": "{{input}}"}, "output": "reply"}
    )
    run = run_agent("shout", "hello", settings, log=False)
    assert run["output"] == "HELLO" and run.provider == "python" and run.model == "gpt-4o-mini"
    assert run.usage == Usage(input_tokens=7, output_tokens=2) and run.cost_usd > 0
    with pytest.raises(TargetError, match="agent 'shout': ValueError: no thanks"):
        run_agent("shout", "boom", settings, log=False)
    broken = settings_with(
        shout={"target": "python:my_agents:shout", "input": {"text": "{{input}}"}, "output": "missing"}
    )
    with pytest.raises(TargetError, match="agent 'shout': output field 'missing' missing"):
        run_agent("shout", "x", broken, log=False)
    with pytest.raises(TargetError, match="input mapping"):
        run_agent(
            get_target("python:my_agents:shout", input={"text": "{{input.nope}}"}), "a", Settings(), log=False
        )


def get_target(spec: str, **fields):
    return registry.get_agent("t", Settings(), spec=AgentEntry(target=spec, **fields))


def test_async_callables_setup_and_bad_specs(user_module: Path) -> None:
    settings = Settings()
    assert run_agent("python:my_agents:whisper", "HeLLo", settings, log=False)["output"] == "hello"
    assert run_agent("python:my_agents:lazy_result", "x", settings, log=False)["output"] == "later x"
    with pytest.raises(BadInput, match="neither a graph"):
        get_target("python:my_agents:not_callable")
    setup_agent = get_target(
        "python:my_agents:whisper", setup="my_agents:setup", input={"text": "{{input}}"}, output="reply"
    )
    assert run_agent(setup_agent, "abc", settings, log=False)["output"] == "ABC"  # setup's return value wins
    with pytest.raises(BadInput, match="must be MODULE:ATTR"):
        get_target("python:my_agents")
    with pytest.raises(BadInput, match="unknown target kind"):
        get_target("ftp://nope")
    with pytest.raises(BadInput, match="exec: needs a command"):
        get_target("exec:")
    assert not can_batch(setup_agent, settings) and not can_batch("no-such-agent", settings)
    with pytest.raises(BadInput, match="no batch path"):
        run_agent_batch(setup_agent, ["a"], settings)


def test_registry_precedence_and_listing(user_module: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ep = SimpleNamespace(name="plug", value="my_agents:whisper", load=lambda: __import__("my_agents").whisper)
    spec_ep = SimpleNamespace(name="spec", value="x", load=lambda: "python:my_agents:whisper")
    monkeypatch.setattr(registry, "_entry_points", lambda: {"plug": ep, "spec": spec_ep, "support": ep})
    settings = settings_with(support={"target": "python:my_agents:whisper", "description": "mine"})
    assert registry.get_agent("support", settings).source == "config"  # config beats plugin beats builtin
    assert registry.get_agent("support", Settings()).source == "plugin"
    assert registry.get_agent("plug", settings).source == "plugin"
    assert run_agent("spec", "Hi", settings, log=False)["output"] == "hi"
    assert registry.get_agent("document", settings).source == "builtin"
    rows = {r["name"]: r for r in registry.list_agents(settings)}
    assert rows["support"]["source"] == "config" and rows["plug"]["source"] == "plugin"
    assert registry.user_agent_names(settings) == ["plug", "spec", "support"]
    shown = registry.describe("plug", settings)
    assert shown["input_schema"]["properties"]["input"] and shown["output_keys"][-1] == "output"
    assert registry.describe("document", settings)["target"] == "builtin:document"
    with pytest.raises(BadInput, match="unknown agent 'ghost'"):
        registry.get_agent("ghost", settings)
    failing = SimpleNamespace(
        name="bad", value="m:x", load=lambda: (_ for _ in ()).throw(ImportError("gone"))
    )
    monkeypatch.setattr(registry, "_entry_points", lambda: {"bad": failing})
    with pytest.raises(BadInput, match="cannot load: ImportError: gone"):
        registry.get_agent("bad", Settings())


def test_installed_plugins_are_scanned_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """eval resolves the agent of every example; the metadata scan must not run each time."""
    import importlib.metadata

    scans: list[str] = []
    plug = SimpleNamespace(name="plug", value="m:x", load=lambda: "python:my_agents:whisper")

    def counting_entry_points(group: str) -> list[SimpleNamespace]:
        scans.append(group)
        return [plug]

    monkeypatch.setattr(importlib.metadata, "entry_points", counting_entry_points)
    registry.reset()
    try:
        for _ in range(3):
            assert registry.get_agent("support", Settings()).source == "builtin"
        assert registry.user_agent_names(Settings()) == ["plug"]
        assert scans == [registry.ENTRY_POINT_GROUP]
    finally:
        registry.reset()  # the next test scans the real installation


def test_builtin_inputs_validate() -> None:
    support = registry.get_agent("support", Settings())
    assert make_input(support, "hi").query == "hi"  # type: ignore[attr-defined]
    assert make_input(support, {"query": "hi"}).query == "hi"  # type: ignore[attr-defined]
    with pytest.raises(BadInput, match="agent 'support': invalid input: extra"):
        run_agent("support", {"query": "a", "extra": 1}, Settings(), log=False)
    assert isinstance(make_input(registry.get_agent("python:json:dumps", Settings()), {"a": 1}), FreeInput)


def test_plugin_scorers_python_and_entry_points(user_module: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentops_cli.evaluation import plugin_scorers
    from agentops_cli.evaluation.models import ScoreRecord
    from agentops_cli.evaluation.scorers import SCORERS, resolve_scorers, score_example

    # The scorers this test registers leave with it: SCORERS is process-wide, and the catalogue
    # test (same xdist worker, any order) must see the built-in scorers only.
    for name in ("python:my_agents:judge_len", "half"):
        monkeypatch.setitem(SCORERS, name, None)
        monkeypatch.delitem(SCORERS, name)
    names = resolve_scorers(["python:my_agents:judge_len"], ["x"], llm_configured=False)
    ex = Example(id="1", agent="x", input="i")
    assert score_example(ex, {"output": "long enough"}, names)["python:my_agents:judge_len"].passed is True
    assert SCORERS[names[0]].aggregate().values() == {"judge_len_score": None}
    ep = SimpleNamespace(name="half", value="m:f", load=lambda: lambda ex, out: 0.5)
    monkeypatch.setattr(plugin_scorers, "_entry_points", lambda: {"half": ep})
    assert score_example(ex, {}, resolve_scorers(["+half"], ["x"], llm_configured=False))["half"].value == 0.5
    assert plugin_scorers.as_record({"value": 1.0, "reason": "r"}) == ScoreRecord(value=1.0, reason="r")
    with pytest.raises(TypeError):
        plugin_scorers.as_record("nope")
    with pytest.raises(BadInput, match="unknown scorer"):
        resolve_scorers(["no_such_scorer"], ["x"], llm_configured=False)


def test_on_disk_formats_carry_a_version_and_invalid_lines_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agentops_cli.evaluation.models import ExampleResult, RunMeta
    from agentops_cli.evaluation.store import RunStore
    from agentops_cli.observability.logging import setup_logging
    from agentops_cli.observability.runlog import read_runs, record_run, runlog_path

    setup_logging(0)
    store = RunStore.create(tmp_path, RunMeta(run_id="r1", dataset="d", dataset_label="d"))
    store.open_for_append()
    store.append(ExampleResult(key="a#0", id="a", agent="x", transcript={"key": "a#0", "steps": []}))
    store.close()
    with store.results_path.open("a") as fh:
        fh.write('{"key": 3}\n')
    assert [r.format_version for r in store.results()] == [1]
    assert "results.jsonl:2: invalid result line left out" in capsys.readouterr().err
    assert store.transcript("a#0") == {"key": "a#0", "steps": []} and store.transcript("b#0") is None
    settings = Settings()
    record_run(settings, {"agent": "x", "run_id": "r"}, "input")
    with runlog_path(settings).open("a") as fh:
        fh.write("not json\n")
    assert [r["format_version"] for r in read_runs(settings)] == [1]
    assert "invalid run-log line left out" in capsys.readouterr().err


@pytest.fixture
def tiny_server():
    """A stdlib HTTP server: /runs/wait answers like LangGraph Server; /text is not JSON; /fail is 503."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
            if self.path == "/fail":
                status, raw = 503, b"{}"
            elif self.path == "/text":
                status, raw = 200, b"plain words"
            else:
                question = body["input"]["messages"][0]["content"]
                answer = {
                    "messages": [{"type": "human", "content": question}, {"type": "ai", "content": "hi!"}]
                }
                status, raw = 200, json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()
    httpd.server_close()


def test_http_langgraph_preset_headers_from_env_and_failures(
    tiny_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = tiny_server
    monkeypatch.setenv("MY_AGENT_TOKEN", "tok-1234567890")
    settings = load_settings(
        overrides={"resilience.backoff_initial_s": 0.0, "resilience.backoff_max_s": 0.0}
    ).settings
    preset = get_target(
        url, preset="langgraph", assistant_id="agent", headers={"Authorization": "Bearer ${MY_AGENT_TOKEN}"}
    )
    transcript = Transcript()
    run = run_agent(preset, "hello", settings, log=False, transcript=transcript)
    assert (
        transcript.steps[0].kind == "http" and transcript.steps[0].output["messages"][1]["content"] == "hi!"
    )
    assert run["output"] == "hi!" and run.provider == "http"
    assert seen[0]["path"] == "/runs/wait" and seen[0]["body"]["assistant_id"] == "agent"
    assert seen[0]["auth"] == "Bearer tok-1234567890"
    with pytest.raises(TargetError, match="non-JSON response"):
        run_agent(get_target(f"{url}/text"), "x", settings, log=False)
    with pytest.raises(TargetError, match=r"HTTP 503 after 2 attempts"):
        run_agent(get_target(f"{url}/fail", retries=1), "x", settings, log=False)
    with pytest.raises(BadInput, match="preset langgraph needs assistant_id"):
        get_target(url, preset="langgraph")


def test_exec_failures_are_named_and_a_hung_agent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "agent.py"
    script.write_text(
        "import json, sys, time\n"
        "req = json.load(sys.stdin)\n"
        "if req == 'crash': sys.exit('broken ' + 'x')\n"
        "if req == 'text': print('not json'); sys.exit(0)\n"
        "if req == 'hang': time.sleep(30)\n"
        "json.dump({'output': req}, sys.stdout)\n"
    )
    agent = get_target(f"exec:{sys.executable} {script}", timeout_s=1)
    assert run_agent(agent, "ok", Settings(), log=False)["output"] == "ok"
    with pytest.raises(TargetError, match="exited with 1: broken x"):
        run_agent(agent, "crash", Settings(), log=False)
    with pytest.raises(TargetError, match="non-JSON output"):
        run_agent(agent, "text", Settings(), log=False)
    started = time.monotonic()
    with pytest.raises(TargetError, match="timeout after 1s"):
        run_agent(agent, "hang", Settings(), log=False)
    assert time.monotonic() - started < 10
    with pytest.raises(BadInput, match="exec command"):
        get_target('exec:"unterminated')
