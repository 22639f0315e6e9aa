"""Bring your own agent, end to end through the real CLI: the examples/ folder's LangGraph agent
(against the loopback OpenAI-compatible server), an HTTP agent (a stdlib server started here)
and an exec agent — scores, gates, JUnit/HTML, transcripts, cost from captured usage,
spec errors before any example, errors recorded and retried, resume after SIGKILL.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.fakes.fixtures import openai_env

EXAMPLES = REPO / "examples"


def copy_example(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def results(run_dir: str) -> list[dict]:
    return [json.loads(line) for line in (Path(run_dir) / "results.jsonl").read_text().splitlines()]


def test_users_langgraph_agent_evaluated_against_an_openai_compatible_server(
    tmp_path: Path, fake_openai
) -> None:
    folder = copy_example("faq_agent", tmp_path)

    def respond(body: dict) -> str:  # the model repeats the FAQ entry it was given
        system = body["messages"][0]["content"]
        return system.split("FAQ entry:", 1)[1].strip()

    fake_openai.responder = respond
    fake_openai.usage = {
        "prompt_tokens": 100,
        "completion_tokens": 20,
        "prompt_tokens_details": {"cached_tokens": 40},
    }
    env = openai_env(fake_openai)
    junit, html = tmp_path / "junit.xml", tmp_path / "report.html"
    done = run_cli(
        "eval",
        "--dataset",
        "golden.yaml",
        "--fail-under",
        "must_include_recall=1.0",
        "--junit",
        str(junit),
        "--html",
        str(html),
        "--json",
        cwd=folder,
        env=env,
    )
    assert done.code == 0, done.stderr
    summary = done.json()
    assert summary["agents"] == ["faq"] and summary["n"] == 4 and summary["errors"] == 0
    assert summary["metrics"]["must_include_recall"] == 1.0 and summary["passed"] is True
    assert summary["usage"] == {"input_tokens": 400, "output_tokens": 80, "cached_tokens": 160}
    assert summary["cost_usd"] > 0  # gpt-4o-mini, priced from the one price table
    assert summary["model"] == "gpt-4o-mini"
    assert "<testsuite" in junit.read_text() and html.read_text().startswith("<!")
    # every model call went through the real ChatOpenAI, with the agent's own prompt
    assert fake_openai.request_count == 4
    assert "help desk of Acme Cloud" in fake_openai.requests[0]["messages"][0]["content"]
    transcripts = [
        json.loads(x) for x in (Path(summary["run_dir"]) / "transcripts.jsonl").read_text().splitlines()
    ]
    assert len(transcripts) == 4 and all(t["format_version"] == 1 for t in transcripts)
    step = transcripts[0]["steps"][0]
    assert step["kind"] == "llm" and step["model"] == "gpt-4o-mini"
    assert step["usage"]["input_tokens"] == 100
    shown = run_cli("eval", "show", summary["run_id"], "--example", "refund", "--json", cwd=folder, env=env)
    assert shown.code == 0, shown.stderr
    attempt = shown.json()["attempts"][0]
    assert "30 days" in attempt["output"]["output"] and attempt["transcript"]["steps"][0]["kind"] == "llm"
    cost = run_cli("cost", "--from-run", summary["run_id"], "--rpd", "100", "--json", cwd=folder, env=env)
    assert cost.code == 0, cost.stderr
    one = run_cli("run", "faq", "How do I reset my password?", "--json", cwd=folder, env=env)
    assert one.code == 0, one.stderr
    run = one.json()
    assert "Settings > Security" in run["output"] and run["provider"] == "python"
    assert run["usage"]["input_tokens"] == 100 and run["llm_calls"] == 1
    shown_agent = run_cli("agents", "show", "faq", "--json", cwd=folder, env=env)
    assert shown_agent.json()["source"] == "config" and shown_agent.json()["output"] == "answer"


@pytest.fixture
def http_agent(tmp_path: Path):
    sys.path.insert(0, str(EXAMPLES / "http_agent"))
    try:
        import server  # the example's own stdlib server
    finally:
        sys.path.pop(0)
    httpd = server.make_server(0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_http_agent_scored_with_usage_and_errors_recorded_then_retried(
    tmp_path: Path, http_agent: str
) -> None:
    folder = copy_example("http_agent", tmp_path)
    config = (folder / "agentops.yaml").read_text().replace("http://127.0.0.1:8765", http_agent)
    (folder / "agentops.yaml").write_text(config)
    rows = (folder / "golden.jsonl").read_text()
    crash = {"id": "crash", "agent": "calc", "input": "crash 1 2", "expected": {"output": "3"}}
    (folder / "golden.jsonl").write_text(rows + json.dumps(crash) + "\n")
    done = run_cli("eval", "--dataset", "golden.jsonl", "--json", cwd=folder)
    summary = done.json()
    assert (summary["n"], summary["errors"]) == (4, 1)
    assert summary["metrics"]["match_rate"] == 1.0  # the three answered rows
    assert summary["usage"]["input_tokens"] > 0 and summary["cost_usd"] > 0
    errored = [r for r in results(summary["run_dir"]) if r["error"]]
    assert errored[0]["id"] == "crash" and "agent 'calc': HTTP 500" in errored[0]["error"]
    # the server gets fixed (the row changes), and --retry-errors reruns only the failed one
    (folder / "golden.jsonl").write_text(rows + json.dumps({**crash, "input": "fixed 1 2"}) + "\n")
    again = run_cli("eval", "--resume", "last", "--retry-errors", "--json", cwd=folder)
    assert again.json()["errors"] == 0 and again.json()["n"] == 4


def test_exec_agent_from_the_command_line_and_its_transcript(tmp_path: Path) -> None:
    folder = copy_example("exec_agent", tmp_path)
    (folder / "agentops.yaml").unlink()  # no config at all: --target is enough
    data = tmp_path / "rows.jsonl"
    data.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"r{i}",
                    "input": {"text": text},
                    "expected": {"output": {"label": label}},
                }
            )
            + "\n"
            for i, (text, label) in enumerate(
                [("Why?", "question"), ("Fine.", "statement"), ("Ok?", "statement")]
            )
        )
    )
    done = run_cli(
        "eval",
        "--target",
        "exec:python3 agent.py",
        "--dataset",
        str(data),
        "--scorer",
        "regex",
        "--scorer",
        "+contains",
        "--json",
        cwd=folder,
    )
    summary = done.json()
    assert summary["agents"] == ["target"] and summary["n"] == 3 and summary["errors"] == 0
    assert summary["metrics"]["contains_rate"] == pytest.approx(2 / 3)
    transcript = json.loads((Path(summary["run_dir"]) / "transcripts.jsonl").read_text().splitlines()[0])
    assert "classifying" in transcript["steps"][0]["output"]["stderr"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("ftp://x", "agent 'target': unknown target kind 'ftp://x'"),
        ("python:no_such_module_xyz:graph", "cannot import no_such_module_xyz"),
        ("python:agent:missing", "has no attribute 'missing'"),
        ("exec:no-such-binary-xyz --flag", "command not found: no-such-binary-xyz"),
    ],
)
def test_spec_errors_exit_2_before_any_example(tmp_path: Path, target: str, message: str) -> None:
    folder = copy_example("exec_agent", tmp_path)
    (folder / "agent.py").write_text("x = 1\n")
    (folder / "rows.jsonl").write_text('{"id": "a", "input": "hi"}\n')
    done = run_cli("eval", "--target", target, "--dataset", "rows.jsonl", cwd=folder)
    assert done.code == 2 and message in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not list(Path(os.environ["AGENTOPS_RUNS_DIR"]).glob("*/results.jsonl"))


def test_missing_header_variable_is_a_spec_error(tmp_path: Path) -> None:
    (tmp_path / "agentops.yaml").write_text(
        "agents:\n  remote:\n    target: http://127.0.0.1:9/x\n"
        "    headers: {Authorization: 'Bearer ${NO_SUCH_TOKEN_VAR}'}\n"
    )
    done = run_cli("run", "remote", "hello", cwd=tmp_path)
    assert done.code == 2 and "NO_SUCH_TOKEN_VAR is not set" in done.stderr


def test_exec_agent_eval_resumes_after_sigkill(tmp_path: Path) -> None:
    folder = copy_example("exec_agent", tmp_path)
    data = folder / "many.jsonl"
    data.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"r{i:02d}",
                    "agent": "kind",
                    "input": f"row {i}?",
                    "expected": {"output": {"label": "question", "words": 2}},
                }
            )
            + "\n"
            for i in range(12)
        )
    )
    env = {**os.environ, "AGENT_DELAY": "0.3"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentops_cli", "-q", "eval", "--dataset", "many.jsonl", "--concurrency", "2"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    runs = Path(os.environ["AGENTOPS_RUNS_DIR"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        files = list(runs.glob("*/results.jsonl"))
        if files and len(files[0].read_text().splitlines()) >= 2:
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = len(files[0].read_text().splitlines())
    assert 2 <= before < 12
    done = run_cli("eval", "--resume", "last", "--json", cwd=folder, env={"AGENT_DELAY": "0"})
    assert done.code == 0, done.stderr
    assert done.json()["n"] == 12 and done.json()["metrics"]["match_rate"] == 1.0
    keys = [r["key"] for r in results(done.json()["run_dir"])]
    assert len(keys) == len(set(keys)) == 12
