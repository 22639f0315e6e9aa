"""CI signals that must not lie: baseline, regressions, JUnit vs exit status, the metric
catalogue, intervals, side-by-side reports, help text and narrow terminals — all through the
real CLI in a subprocess (real exit codes, real files)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.conftest import REPO, run_cli
from tests.fakes.fixtures import openai_env
from tests.fakes.openai_server import FakeOpenAIServer
from tests.integration.test_eval_cli import rows_file, run_fake

NO_GATES = {"AGENTOPS_EVAL__GATES": "{}"}


def _eval(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    proc = run_fake(tmp_path, "eval", *args, env={**NO_GATES, **(env or {})})
    return proc.returncode, proc.stdout, proc.stderr


def _break(path: Path, i: int) -> None:
    """Make row ``i`` fail: the fake agent answers the first word of the query as the intent."""
    path.write_text(path.read_text().replace(f'"billing {i}"', f'"refund {i}"'))


# -- baseline last and --fail-on-regression ------------------------------------------------------------
def test_baseline_last_is_the_newest_other_completed_run_of_the_dataset(tmp_path: Path) -> None:
    path = rows_file(tmp_path, 3)
    code, _, err = _eval(tmp_path, "--dataset", str(path), "--baseline", "last", "--json")
    assert code == 2 and err.strip().splitlines()[-1].startswith(
        "error: --baseline last: no other completed run"
    )
    a = json.loads(_eval(tmp_path, "--dataset", str(path), "--json")[1])
    other = tmp_path / "other"
    other.mkdir()
    rows_file(other, 2)  # a newer run of another dataset is not a baseline for this one
    _eval(tmp_path, "--dataset", str(other / "rows.jsonl"), "--json")
    code, out, err = _eval(tmp_path, "--dataset", str(path), "--baseline", "last", "--json")
    doc = json.loads(out)
    assert code == 0, err
    assert doc["baseline"]["run_id"] == a["run_id"] != doc["run_id"]
    again = json.loads(_eval(tmp_path, "--dataset", str(path), "--baseline", "last", "--json")[1])
    assert again["baseline"]["run_id"] == doc["run_id"]  # the newest other one, never itself


def test_fail_on_regression_on_eval_and_compare(tmp_path: Path) -> None:
    path = rows_file(tmp_path, 4)
    code, _, err = _eval(tmp_path, "--dataset", str(path), "--fail-on-regression")
    assert code == 2 and "--fail-on-regression needs --baseline" in err
    a = json.loads(_eval(tmp_path, "--dataset", str(path), "--json")[1])
    same = _eval(tmp_path, "--dataset", str(path), "--baseline", "last", "--fail-on-regression", "--json")
    assert same[0] == 0 and json.loads(same[1])["regression"]["passed"] is True

    _break(path, 2)
    junit = tmp_path / "j.xml"
    code, out, err = _eval(
        tmp_path, "--dataset", str(path), "--baseline", a["run_id"], "--fail-on-regression",
        "--junit", str(junit), "--json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 1, err
    assert doc["passed"] is False and doc["regression"]["regressed_examples"] == 1
    assert doc["regression"]["worse_metrics"]["pass_rate"] == 0.25
    assert f"regression vs {a['run_id']}: 1 examples regressed" in err.strip().splitlines()[-1]
    suites = ElementTree.parse(junit).getroot()
    failures = [c for c in suites.iter("testcase") if c.find("failure") is not None]
    assert sorted(c.get("name") for c in failures) == [f"no regression vs {a['run_id']}", "r002"]
    example = next(c for c in failures if c.get("name") == "r002").find("failure").get("message")
    assert example.startswith("regressed (passed in the baseline)") and "input: 'refund 2'" in example

    # without the flag the same drop is reported, not gated
    assert _eval(tmp_path, "--dataset", str(path), "--baseline", a["run_id"], "--json")[0] == 0
    # a tolerance wide enough for the metric still fails on the regressed example
    loose = _eval(
        tmp_path, "--dataset", str(path), "--baseline", a["run_id"], "--fail-on-regression",
        "--regression-tolerance", "0.5", "--json",
    )  # fmt: skip
    assert loose[0] == 1 and json.loads(loose[1])["regression"]["worse_metrics"] == {}

    plain = run_cli("eval", "compare", a["run_id"], doc["run_id"], cwd=tmp_path)
    assert plain.code == 0 and "regressed 1" in plain.stdout
    gated = run_cli("eval", "compare", a["run_id"], doc["run_id"], "--fail-on-regression", cwd=tmp_path)
    assert gated.code == 1 and "REGRESSION" in gated.stdout
    assert gated.stderr.strip().startswith(f"error: regression vs {a['run_id']}: 1 examples regressed")
    via_last = run_cli("eval", "compare", "last", doc["run_id"], "--json", cwd=tmp_path).json()
    assert via_last["run_a"] == json.loads(loose[1])["run_id"]  # the newest other run of the dataset
    as_json = run_cli(
        "eval", "compare", a["run_id"], doc["run_id"], "--fail-on-regression", "--json", cwd=tmp_path
    )
    assert as_json.code == 1 and as_json.json()["regression"]["passed"] is False


# -- JUnit agrees with the exit status -------------------------------------------------------------------
@pytest.mark.parametrize("floor", ["0.5", "0.9"])
def test_junit_failures_iff_exit_1_and_messages_carry_redacted_input(tmp_path: Path, floor: str) -> None:
    path = rows_file(tmp_path, 4)
    path.write_text(path.read_text().replace('"billing 1"', '"refund sk-proj-fakeefghijklmnopqrstuv"'))
    junit = tmp_path / "j.xml"
    code, out, _ = _eval(
        tmp_path,
        "--dataset",
        str(path),
        "--fail-under",
        f"pass_rate={floor}",
        "--junit",
        str(junit),
        "--json",
    )
    doc = json.loads(out)
    suites = ElementTree.parse(junit).getroot()
    failed = int(suites.get("failures")) + int(suites.get("errors"))
    assert doc["metrics"]["pass_rate"] == 0.75
    assert (code == 0) == doc["passed"] == (failed == 0)  # the dashboard and the job agree
    assert code == (0 if floor == "0.5" else 1)
    skipped = [c for c in suites.iter("testcase") if c.find("skipped") is not None]
    assert [c.get("name") for c in skipped] == ["r001"]
    message = skipped[0].find("skipped").get("message")
    assert message.startswith("failed, not gated: intent:") and "input: 'refund [REDACTED]'" in message
    text = junit.read_text()
    assert "sk-proj-fakeefghijklmnopqrstuv" not in text
    gate = next(c for c in suites.iter("testcase") if c.get("name") == f"pass_rate ≥ {floor} (flag)")
    assert (gate.find("failure") is not None) == (code == 1)


# -- one metric catalogue: gates and compare agree on direction ----------------------------------------
@pytest.mark.usefixtures("warm_support_model")
def test_degraded_rate_gate_is_a_maximum_and_a_rise_is_a_regression(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps({"id": "r0", "agent": "support", "input": "I was charged twice", "expected": {}}) + "\n"
    )
    env = {**openai_env(fake_openai), **NO_GATES, "AGENTOPS_CACHE__ENABLED": "false"}
    fake_openai.responder = lambda body: (
        {"intent": "billing", "confidence": 0.97, "alternatives": []}
        if "ClassifyOutput" in json.dumps(body.get("response_format"))
        else {"answer": "A hold is released in 3-5 days.", "source_ids": [], "grounded": False}
    )
    args = (
        "eval",
        "--dataset",
        str(rows),
        "--provider",
        "openai",
        "--fail-under",
        "degraded_rate=0.1",
        "--json",
    )
    healthy = run_cli(*args, cwd=tmp_path, env=env)
    assert healthy.code == 0, healthy.stderr
    checked = healthy.json()["gates"][0]
    assert (checked["metric"], checked["bound"], checked["passed"]) == ("degraded_rate", "max", True)
    fake_openai.reset()
    fake_openai.enqueue("500", times=200)
    down = run_cli(*args, cwd=tmp_path, env=env)
    assert down.code == 1 and "degraded_rate 1 > 0.1" in down.stderr
    cmp = run_cli(
        "eval", "compare", healthy.json()["run_id"], down.json()["run_id"], "--json", cwd=tmp_path
    ).json()
    delta = next(d for d in cmp["metrics"] if d["metric"] == "degraded_rate")
    assert delta["delta"] == 1.0 and delta["better"] is False


# -- intervals over examples ---------------------------------------------------------------------------
def test_wilson_intervals_in_json_terminal_and_html(tmp_path: Path) -> None:
    path = rows_file(tmp_path, 20)
    _break(path, 3)
    _break(path, 7)  # 18 of 20 right
    html = tmp_path / "r.html"
    code, out, err = _eval(tmp_path, "--dataset", str(path), "--html", str(html), "--json")
    doc = json.loads(out)
    assert code == 0, err
    # statsmodels proportion_confint(18, 20, method="wilson") = (0.69896, 0.97214)
    assert doc["metrics_interval"]["intent_accuracy"] == pytest.approx([0.69896, 0.97214], abs=1e-4)
    assert doc["metrics_interval_n"]["intent_accuracy"] == 20
    assert doc["metrics_interval"]["error_rate"][0] == 0.0 < doc["metrics_interval"]["error_rate"][1]
    assert doc["metrics_ci"] == {}  # the trials interval keeps its meaning (one trial: none)
    assert "0.6990 – 0.9721" in html.read_text()
    shown = run_cli("eval", "show", doc["run_id"], cwd=tmp_path, env={"COLUMNS": "120"})
    assert re.search(r"intent_accuracy ↑\s+│\s+0\.9000 │ 0\.6990 – 0\.9721 │\s+20", shown.stdout), (
        shown.stdout
    )
    # two trials of a deterministic agent: no spread across trials, so the same interval
    trials = json.loads(_eval(tmp_path, "--dataset", str(path), "--trials", "2", "--json")[1])
    assert trials["metrics_interval"]["intent_accuracy"] == pytest.approx([0.69896, 0.97214], abs=1e-4)


# -- several providers: ONE report -------------------------------------------------------------------
def test_several_providers_write_one_side_by_side_report(tmp_path: Path) -> None:
    path = rows_file(tmp_path, 3)
    html, junit, prom = tmp_path / "r.html", tmp_path / "j.xml", tmp_path / "m.prom"
    code, out, err = _eval(
        tmp_path, "--dataset", str(path), "--provider", "offline", "--provider", "offline",
        "--html", str(html), "--junit", str(junit), "--metrics-file", str(prom), "--json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0, err
    first, second = doc["run_id"]
    page = html.read_text()
    assert page.count("<section>") == 2 and first in page and second in page and "side by side" in page
    for run in doc["runs"]:  # each run folder keeps its own single-run report
        own = (Path(run["run_dir"]) / "report.html").read_text()
        assert run["run_id"] in own and "<section>" in own and own.count("<section>") == 1
        assert run["reports"]["report"] == str(html)
    suites = [s.get("name") for s in ElementTree.parse(junit).getroot().iter("testsuite")]
    assert len(suites) == 4 and sum(first in s for s in suites) == 2 and sum(second in s for s in suites) == 2
    text = prom.read_text()
    assert text.count("# TYPE agentops_eval_metric gauge") == 1
    info = 'agentops_eval_metric_info{metric="error_rate",direction="lower",kind="rate",'
    assert f'{info}run_id="{first}"' in text
    assert f'agentops_eval_metric_interval{{metric="pass_rate",bound="low",run_id="{second}"' in text
    assert f'run_id="{first}"' in text and f'run_id="{second}"' in text


# -- help, global flags, narrow terminals -------------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [(), ("eval",), ("eval", "compare"), ("run", "support"), ("cost",), ("checklist",), ("runs", "list")],
)
def test_help_shows_no_value_after_flags(command: tuple[str, ...]) -> None:
    result = run_cli(*command, "--help", env={"COLUMNS": "200"})
    assert result.code == 0 and "Usage: agentops" in result.stdout
    assert "<bool>" not in result.stdout
    flag = "--json" if command else "--quiet"
    assert re.search(rf"{flag}\s+(-q\s+)?[│A-Z]", result.stdout), result.stdout  # the help text follows
    assert re.search(r"--verbose\s+-v\s+<", result.stdout) is None


def test_global_flags_after_the_command(tmp_path: Path) -> None:
    path = rows_file(tmp_path, 2)
    loud = run_fake(tmp_path, "eval", "--dataset", str(path), "--json")
    quiet = run_fake(tmp_path, "eval", "--dataset", str(path), "--json", "-q")
    assert loud.returncode == quiet.returncode == 0
    assert "examples on offline" in loud.stderr and quiet.stderr == ""
    run = run_cli("run", "support", "I was charged twice", "--json", "-v", "--log-json")
    assert run.code == 0, run.stderr
    assert run.json()["agent"] == "support"
    logs = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    assert logs, run.stderr  # -v after the command turned logging on, --log-json made it JSON
    literal = run_cli("config", "show", "--json", "--", "-v")  # after --, -v is not a flag
    assert literal.code == 2


def _fits(text: str, width: int = 80) -> None:
    """Every table line fits, and no cell or header was cut to 'ab…'."""
    lines = [line for line in text.splitlines() if line[:1] in "┏┃┡│└"]
    assert lines and max(len(line) for line in lines) <= width, text
    assert "…" not in "".join(lines), text


@pytest.mark.usefixtures("warm_support_model")
def test_tables_stay_readable_at_80_columns(tmp_path: Path) -> None:
    env = {"COLUMNS": "80"}
    path = rows_file(tmp_path, 2)
    runs = [json.loads(_eval(tmp_path, "--dataset", str(path), "--json")[1])["run_id"] for _ in range(2)]
    listed = run_cli("eval", "list", cwd=tmp_path, env=env)
    _fits(listed.stdout)
    assert all(run_id in listed.stdout for run_id in runs) and "rows.jsonl" in listed.stdout
    assert "pass" in listed.stdout and "err" in listed.stdout
    run_cli("run", "support", "I was charged twice", "--json")
    runs_table = run_cli("runs", "list", env=env)
    _fits(runs_table.stdout)
    assert "error" in runs_table.stdout and "support" in runs_table.stdout
    roi = run_cli(
        "cost", "--rpd", "1000", "--model", "gpt-4o-mini", "--model", "gpt-4o", "--human-cost-per-hour", "30",
        "--minutes-per-query", "5", "--automation-rate", "0.6", "--investment", "20000", env=env,
    )  # fmt: skip
    _fits(roi.stdout)
    assert "gpt-4o-mini" in roi.stdout and "saved/year" in roi.stdout and "days" in roi.stdout


# -- docs read the catalogue -------------------------------------------------------------------------
def test_docs_metric_table_is_the_catalogue() -> None:
    from agentops_cli.evaluation.metrics import markdown_table

    assert markdown_table() in (REPO / "docs" / "eval.md").read_text(encoding="utf-8")
