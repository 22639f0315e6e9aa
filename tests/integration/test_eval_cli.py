"""``agentops eval`` end to end: the real CLI in a subprocess (real exit codes, signals, files).

Tests that need a controllable agent (slow, failing) run the real CLI through a tiny
launcher that registers the fake support module from ``tests/unit/test_eval_runner.py``;
everything else uses the real agents on the golden sets.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.conftest import REPO, run_cli
from tests.contract import EVAL_KEYS
from tests.unit.test_eval_runner import FAKE_AGENT


def fake_cli(tmp_path: Path) -> list[str]:
    """argv prefix that runs the real CLI with the fake support agent registered."""
    (tmp_path / "fake_cli_agent.py").write_text(FAKE_AGENT, encoding="utf-8")
    launcher = tmp_path / "launch.py"
    launcher.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import fake_cli_agent\n"
        "from agentops_cli.agents import registry\n"
        "from agentops_cli.agents.builtins import ServiceAgent, SupportInput\n"
        "registry.register(ServiceAgent('support', SupportInput, lambda: fake_cli_agent, 'fake'))\n"
        "from agentops_cli.cli.app import main\n"
        "main(sys.argv[1:])\n",
        encoding="utf-8",
    )
    return [sys.executable, str(launcher)]


def rows_file(tmp_path: Path, n: int, text: str = "billing {i}") -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"r{i:03d}",
                    "agent": "support",
                    "input": text.format(i=i),
                    "expected": {"intent": "billing", "escalate": False},
                }
            )
            + "\n"
            for i in range(n)
        ),
        encoding="utf-8",
    )
    return path


def run_fake(tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60):
    proc = subprocess.run(
        [*fake_cli(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=tmp_path,
    )
    return proc


def stored_keys(run_dir: Path) -> list[str]:
    return [json.loads(line)["key"] for line in (run_dir / "results.jsonl").read_text().splitlines()]


def runs_dir() -> Path:
    return Path(os.environ["AGENTOPS_RUNS_DIR"])


# -- the golden sets with the real agents -----------------------------------------------------------
@pytest.mark.usefixtures("warm_support_model")
def test_golden_offline_passes_the_default_gates(tmp_path: Path) -> None:
    result = run_cli(
        "eval",
        "--dataset",
        "golden",
        "--json",
        "--junit",
        str(tmp_path / "j.xml"),
        "--html",
        str(tmp_path / "r.html"),
        "--metrics-file",
        str(tmp_path / "m.prom"),
        cwd=tmp_path,
    )
    assert result.code == 0, result.stderr
    doc = result.json()
    assert set(doc) >= EVAL_KEYS
    assert doc["agents"] == ["document", "research", "support"] and doc["provider"] == "offline"
    assert doc["errors"] == 0 and doc["n"] >= 240 and doc["passed"] is True
    gated = {g["metric"] for g in doc["gates"]}
    assert {"intent_accuracy", "escalation_f1", "field_f1", "must_cite_recall", "success_rate"} <= gated
    assert all(g["passed"] for g in doc["gates"])
    suites = ElementTree.parse(tmp_path / "j.xml").getroot()
    checks = len(doc["gates"]) + 1  # every gate, and "run completed"
    assert int(suites.get("tests")) == doc["n"] + checks
    assert len(list(suites.iter("testcase"))) == doc["n"] + checks
    # the run passed (exit 0), so CI must show no failure although some examples failed
    assert doc["metrics"]["pass_rate"] < 1 and suites.get("failures") == "0"
    assert int(suites.get("skipped")) == sum(
        1 for c in suites.iter("testcase") if c.find("skipped") is not None
    )
    assert (tmp_path / "m.prom").read_text().startswith("# HELP agentops_eval_metric")
    assert (runs_dir() / doc["run_id"] / "summary.json").is_file()


def test_gate_failure_exits_1_and_lists_gates(tmp_path: Path) -> None:
    path = rows_file(tmp_path, 4)
    path.write_text(path.read_text().replace('"billing 3"', '"refund 3"'))  # 3/4 right
    result = run_fake(
        tmp_path,
        "eval",
        "--dataset",
        str(path),
        "--fail-under",
        "accuracy=0.999",
        "--fail-under",
        "pass_rate=0.5",
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "error: gates failed: intent_accuracy 0.75 < 0.999"
    assert "✗ gate intent_accuracy = 0.7500 (min 0.999, flag)" in result.stdout
    assert "✓ gate pass_rate = 0.7500 (min 0.5, flag)" in result.stdout
    assert "✓ gate intent_accuracy" not in result.stdout
    ok = run_fake(tmp_path, "eval", "--dataset", str(path), "--fail-under", "accuracy=0.75", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["passed"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fail-under", "nonsense=0.5"), "error: --fail-under: unknown metric nonsense"),
        (("--scorer", "nope"), "error: --scorer nope: unknown scorer"),
        (("--resume", "missing-run"), "error: run 'missing-run' not found"),
        (("--provider", "claude"), "error: --provider claude: choose from"),
    ],
)
def test_bad_usage_exits_2_with_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("eval", "--agent", "support", "--limit", "2", *args, cwd=tmp_path)
    assert result.code == 2
    assert result.stderr.strip().splitlines()[-1].startswith(message)


def test_bad_row_exits_2_before_any_work(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"id": "a", "agent": "support", "input": "hi"}\n{"id": "b", "agent": "support"}\n')
    result = run_cli("eval", "--dataset", str(path), "--json", cwd=tmp_path)
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.strip() == f"error: {path}:2: missing 'input'"
    assert not runs_dir().exists() or not any(runs_dir().iterdir())


def test_foreign_csv_with_map(tmp_path: Path) -> None:
    path = tmp_path / "foreign.csv"
    path.write_text(
        "utterance,label\nbilling twice for one order,billing\nrefund me please,refund\n", encoding="utf-8"
    )
    result = run_fake(
        tmp_path,
        "eval",
        "--dataset",
        str(path),
        "--agent",
        "support",
        "--map",
        "input=utterance",
        "--map",
        "expected.intent=label",
        "--fail-under",
        "accuracy=1",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["n"] == 2 and doc["metrics"]["intent_accuracy"] == 1.0


# -- store, resume, signals (fake agent, real CLI) -------------------------------------------------------
def _start(tmp_path: Path, n: int, *args: str, delay: str = "0.05") -> tuple[subprocess.Popen, Path]:
    path = rows_file(tmp_path, n)
    proc = subprocess.Popen(
        [*fake_cli(tmp_path), "eval", "--dataset", str(path), "--concurrency", "4", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "FAKE_DELAY": delay},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        runs = list(runs_dir().glob("*/results.jsonl")) if runs_dir().exists() else []
        if runs and len(runs[0].read_text().splitlines()) >= 12:
            return proc, runs[0].parent
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("the eval never got going")


def test_resume_after_sigkill_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    proc, run_dir = _start(tmp_path, 80)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    before = stored_keys(run_dir)
    assert 12 <= len(before) < 80
    resumed = run_fake(tmp_path, "eval", "--resume", "last", "--json", env={"FAKE_DELAY": "0"})
    assert resumed.returncode == 0, resumed.stderr
    keys = stored_keys(run_dir)
    assert sorted(keys) == [f"r{i:03d}#0" for i in range(80)]  # none lost, none twice
    assert keys[: len(before)] == before  # what was there stays
    doc = json.loads(resumed.stdout)
    assert doc["run_id"] == run_dir.name and doc["n"] == 80 and doc["metrics"]["intent_accuracy"] == 1.0


def test_ctrl_c_saves_and_exits_130(tmp_path: Path) -> None:
    proc, run_dir = _start(tmp_path, 200, "--json")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 130
    assert f"continue with: agentops eval --resume {run_dir.name}" in err
    doc = json.loads(out)  # one JSON document even when interrupted
    assert doc["complete"] is False and doc["stopped_reason"] == "interrupted"
    kept = stored_keys(run_dir)
    assert doc["n"] == len(kept) and 12 <= len(kept) < 200
    assert json.loads((run_dir / "summary.json").read_text())["n"] == len(kept)


def test_retry_errors_reruns_only_failed_examples(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": f"m{i}", "agent": "support", "input": text, "expected": {"intent": "billing"}})
            + "\n"
            for i, text in enumerate(["billing a", "boom", "billing b", "boom again"])
        )
    )
    first = run_fake(tmp_path, "eval", "--dataset", str(path), "--json")
    doc = json.loads(first.stdout)
    assert first.returncode == 1 and doc["errors"] == 2  # the default success_rate gate fails
    assert first.stderr.strip().endswith("success_rate 0.5 < 0.99")
    fixed = tmp_path / "fixed"
    fixed.touch()
    again = run_fake(
        tmp_path,
        "eval",
        "--resume",
        doc["run_id"],
        "--retry-errors",
        "--json",
        env={"FAKE_FIXED": str(fixed)},
    )
    doc2 = json.loads(again.stdout)
    assert doc2["errors"] == 0 and doc2["n"] == 4 and doc2["metrics"]["intent_accuracy"] == 0.5
    assert sorted(stored_keys(runs_dir() / doc["run_id"])) == ["m0#0", "m1#0", "m2#0", "m3#0"]


def test_list_show_compare(tmp_path: Path) -> None:
    path = rows_file(tmp_path, 4)
    a = json.loads(run_fake(tmp_path, "eval", "--dataset", str(path), "--json").stdout)
    path.write_text(path.read_text().replace('"billing 0"', '"refund 0"'))
    b = json.loads(
        run_fake(tmp_path, "eval", "--dataset", str(path), "--json", "--baseline", a["run_id"]).stdout
    )
    assert b["baseline"]["regressed_examples"] == ["r000#0"]
    listed = run_cli("eval", "list", "--json", cwd=tmp_path).json()
    assert [r["run_id"] for r in listed["runs"]] == [b["run_id"], a["run_id"]]
    shown = run_cli("eval", "show", "last", "--json", cwd=tmp_path).json()
    assert shown["run_id"] == b["run_id"] and shown["metrics"]["intent_accuracy"] == 0.75
    cmp = run_cli("eval", "compare", a["run_id"], b["run_id"], "--json", cwd=tmp_path).json()
    deltas = {d["metric"]: d["delta"] for d in cmp["metrics"]}
    assert deltas["intent_accuracy"] == -0.25 and cmp["regressed_count"] == 1 and cmp["improved_count"] == 0
    human = run_cli("eval", "compare", a["run_id"], b["run_id"], cwd=tmp_path)
    assert human.code == 0 and "regressed 1" in human.stdout and "r000#0" in human.stdout
    table = run_cli("eval", "list", cwd=tmp_path, env={"COLUMNS": "220"})
    assert table.code == 0 and b["run_id"] in table.stdout and a["run_id"] in table.stdout


# -- HTML renders in a real browser -----------------------------------------------------------------------
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian chromium not installed")
def test_html_report_is_one_file_and_renders_in_chromium(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    result = run_fake(tmp_path, "eval", "--dataset", str(rows_file(tmp_path, 6)), "--html", str(report))
    assert result.returncode == 0, result.stderr
    page = report.read_text()
    assert "<link" not in page and "src=" not in page  # no external assets
    profile = tmp_path / "chrome"
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            "/usr/bin/chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            "--window-size=1200,900",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    dom = subprocess.run(
        [
            "/usr/bin/chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    ).stdout
    assert shot.is_file() and shot.stat().st_size > 5000
    assert dom.count('<tr class="pass"><td>r00') == 6  # the script built the example table


def test_repo_golden_has_three_agents() -> None:
    names = sorted(p.name for p in (REPO / "datasets" / "golden").glob("*.jsonl"))
    assert names == ["document.jsonl", "research.jsonl", "support.jsonl", "support_counterfactual.jsonl"]


def test_side_by_side_providers_in_one_table(tmp_path: Path, fake_openai) -> None:
    from tests.fakes.fixtures import openai_env

    fake_openai.responder = lambda body: {"intent": "refund"}
    path = rows_file(tmp_path, 3)
    env = {**openai_env(fake_openai), "AGENTOPS_EVAL__GATES": "{}", "COLUMNS": "250"}
    doc = json.loads(
        run_fake(
            tmp_path,
            "eval",
            "--dataset",
            str(path),
            "--provider",
            "offline",
            "--provider",
            "openai:gpt-4o-mini",
            "--json",
            env=env,
        ).stdout
    )
    assert doc["provider"] == ["offline", "openai:gpt-4o-mini"]
    assert doc["metrics"]["offline:offline"]["intent_accuracy"] == 1.0
    assert doc["metrics"]["openai:gpt-4o-mini"]["intent_accuracy"] == 0.0  # the LLM said refund
    assert len(doc["runs"]) == 2 and doc["n"] == 6 and fake_openai.request_count == 3
    from agentops_cli.cli.common import console
    from agentops_cli.cli.eval import _render_side_by_side
    from agentops_cli.evaluation.models import RunSummary
    from agentops_cli.evaluation.service import EvalReport

    report = EvalReport([RunSummary.model_validate(r) for r in doc["runs"]])
    console().width = 250
    with console().capture() as captured:
        _render_side_by_side(report)
    text = captured.get()
    assert "side by side: quality × cost × latency" in text
    row = next(line for line in text.splitlines() if "gpt-4o-mini" in line)
    assert "0.0000" in row and "pass" in row
