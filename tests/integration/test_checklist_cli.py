"""``agentops checklist`` through the real CLI: contract keys, formats, gates, answers, start-up.

checklist: skip-file (fixture text, not evidence of this repository's practices)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.contract import CHECKLIST_KEYS, EVIDENCE_KEYS, ITEM_KEYS, SECTION_KEYS, STATUSES
from tests.integration.test_cli_shell import heavy_modules
from tests.unit.checklist_fixtures import GOOD, bad_files, write_tree


@pytest.fixture(scope="module")
def good_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("good"), GOOD)


@pytest.fixture(scope="module")
def bad_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("bad"), bad_files())


def test_json_contract(good_repo: Path) -> None:
    result = run_cli("checklist", str(good_repo), "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert set(data) >= CHECKLIST_KEYS
    assert data["path"] == str(good_repo.resolve())
    assert all(set(s) >= SECTION_KEYS for s in data["sections"])
    for item in data["items"]:
        assert set(item) >= ITEM_KEYS
        assert item["status"] in STATUSES
        assert all(set(e) == EVIDENCE_KEYS for e in item["evidence"])
    assert len(data["items"]) == 75
    rel = next(i for i in data["items"] if i["id"] == "REL-01")
    assert rel["status"] == "pass" and rel["evidence"][0] == {
        "path": "app/resilience.py",
        "line": 2,
        "note": "retry library",
    }


def test_fail_under_gates_with_exit_1(bad_repo: Path) -> None:
    result = run_cli("checklist", str(bad_repo), "--fail-under", "50", "--json")
    assert result.code == 1
    score = json.loads(result.stdout)["score_pct"]  # the report is still printed
    assert result.stderr.strip().endswith(f"checklist score {score}% is under --fail-under 50")
    assert run_cli("-q", "checklist", str(bad_repo), "--fail-under", "1").code == 0


def test_bad_input_is_one_line_exit_2(tmp_path: Path, bad_repo: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("PERM-01:\n  status: sure\n", encoding="utf-8")
    result = run_cli("checklist", str(bad_repo), "--answers", str(answers))
    assert result.code == 2
    assert result.stderr.strip().startswith(f"error: {answers}:2: PERM-01.status")
    assert len(result.stderr.strip().splitlines()) == 1
    missing = run_cli("checklist", str(tmp_path / "nope"))
    assert (missing.code, missing.stderr.strip()) == (2, f"error: {tmp_path / 'nope'}: no such directory")
    assert run_cli("checklist", str(bad_repo), "--section", "bogus").code == 2
    assert run_cli("checklist", str(bad_repo), "--format", "xml").code == 2


def test_sarif_and_markdown_out_files(tmp_path: Path, bad_repo: Path) -> None:
    sarif = tmp_path / "out" / "checklist.sarif"
    result = run_cli("checklist", str(bad_repo), "--format", "sarif", "--out", str(sarif))
    assert result.code == 0
    assert result.stdout == ""
    assert "sarif report written to" in result.stderr
    doc = json.loads(sarif.read_text(encoding="utf-8"))
    assert doc["version"] == "2.1.0" and doc["runs"][0]["results"]
    md = run_cli("checklist", str(bad_repo), "--format", "markdown", "--section", "SEC", "--lang", "es")
    assert md.code == 0
    assert "## Seguridad" in md.stdout and "No hay secretos o credenciales" in md.stdout
    both = run_cli(
        "checklist", str(bad_repo), "--json", "--out", str(tmp_path / "r.json"), "--section", "CODE"
    )
    assert json.loads(both.stdout) == json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))


def test_table_is_the_default(bad_repo: Path) -> None:
    result = run_cli("checklist", str(bad_repo), "--section", "DEP")
    assert result.code == 0
    assert "Deployment" in result.stdout and "DEP-01" in result.stdout and "Top remediations" in result.stdout


def test_interactive_answers_are_saved_and_counted(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"app.py": "x = 1\n"})
    # misuse section: MIS-01 (manual) then MIS-02 (partial verification, nothing found)
    result = run_cli(
        "checklist",
        str(repo),
        "--section",
        "MIS",
        "--interactive",
        "--json",
        input="pass\nthreat model in docs/threats.md\nana\nskip\n",
    )
    assert result.code == 0, result.stderr
    saved = (repo / ".agentops" / "checklist.yaml").read_text(encoding="utf-8")
    assert "MIS-01:" in saved and "owner: ana" in saved and "MIS-02" not in saved
    items = {i["id"]: i["status"] for i in result.json()["items"]}
    assert items == {"MIS-01": "pass", "MIS-02": "manual"}
    again = run_cli("checklist", str(repo), "--section", "MIS", "--json")  # picked up by default
    assert {i["id"]: i["status"] for i in again.json()["items"]}["MIS-01"] == "pass"


def test_checklist_imports_nothing_heavy(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "x = 1\n"})
    assert heavy_modules("checklist", ".", "--json", cwd=tmp_path) == []


def test_runs_on_this_repository() -> None:
    result = run_cli("checklist", str(REPO), "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    statuses = {i["id"]: i["status"] for i in data["items"]}
    assert data["score_pct"] > 50
    # what agentops certainly does (DESIGN.md): one factory, retries with backoff, failover, prompts in files
    assert [statuses[k] for k in ("CODE-05", "CODE-06", "REL-01", "REL-03", "TST-08")] == ["pass"] * 5
    # `agentops serve` (docs/deploy.md): /healthz + /readyz, Prometheus metrics, rate limits, Grafana JSON
    assert [statuses[k] for k in ("OBS-06", "OBS-02", "ABU-02", "OBS-05")] == ["pass"] * 4
