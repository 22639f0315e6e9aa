"""Scoring by severity, and the answers file: validation with file:line, precedence, round trip.

checklist: skip-file (fixture text, not evidence of this repository's practices)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from agentops_cli.errors import BadInput
from agentops_cli.readiness.answers import load_answers, write_answers
from agentops_cli.readiness.catalogue import load_catalogue
from agentops_cli.readiness.models import Answer, ItemResult
from agentops_cli.readiness.scoring import item_score, status_counts, top_remediations, weighted_pct
from agentops_cli.readiness.service import pending_items, run_checklist, select_items
from tests.unit.checklist_fixtures import write_tree

CATALOGUE = {i.id: i for i in load_catalogue().items}


def result(item_id: str, status: str, severity: str = "high") -> ItemResult:
    return ItemResult(
        id=item_id,
        section="x",
        title=item_id,
        status=status,
        remediation=f"fix {item_id}",
        severity=severity,
        verification="auto",
        score=item_score(status),
    )


def test_item_scores_and_severity_weighting() -> None:
    assert [item_score(s) for s in ("pass", "partial", "fail", "manual", "n/a")] == [10, 5, 0, 0, None]
    items = [result("A", "pass", "critical"), result("B", "fail", "low"), result("C", "n/a", "high")]
    assert weighted_pct(items) == 80.0  # 4*10 / (4*10 + 1*10)
    assert weighted_pct([result("C", "n/a")]) is None
    assert weighted_pct([result("A", "partial", "medium"), result("B", "manual", "medium")]) == 25.0
    assert status_counts(items) == {
        "pass": 1,
        "partial": 0,
        "fail": 1,
        "manual": 0,
        "n/a": 1,
        "inconclusive": 0,
    }


def test_top_remediations_prefer_heavy_failures() -> None:
    items = [
        result("L", "fail", "low"),
        result("C", "fail", "critical"),
        result("P", "partial", "critical"),
        result("OK", "pass", "critical"),
        result("NA", "n/a", "critical"),
    ]
    assert [i.id for i in top_remediations(items, 3)] == ["C", "P", "L"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("PERM-01:\n  status: pass\nNOPE-01:\n  status: pass\n", ":3: unknown checklist item 'NOPE-01'"),
        ("PERM-01:\n  status: maybe\n", ":2: PERM-01.status: Input should be"),
        ("PERM-01:\n  status: pass\n  color: red\n", ":3: PERM-01.color: unknown key"),
        ("PERM-01: yes\n", ":1: PERM-01: expected a mapping"),
        ("- PERM-01\n", ":1: answers file must map item ids"),
        ("PERM-01:\n  status: [pass\n", ": invalid YAML"),
        ("TST-02:\n  status: pass\n", ":1: TST-02 is verified automatically; only 'n/a'"),
        ("PERM-02:\n  status: n/a\n", ":1: PERM-02: 'n/a' needs a note"),
        ("PERM-01:\n  status: pass\n  date: someday\n", ":3: PERM-01.date:"),
    ],
)
def test_bad_answers_point_at_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(BadInput) as info:
        load_answers(path, CATALOGUE)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_answers_round_trip_and_empty_file(tmp_path: Path) -> None:
    answers = {
        "PERM-01": Answer(status="pass", note="read-only key", owner="ana", date=dt.date(2025, 1, 15)),
        "DEP-01": Answer(status="n/a", note="shipped as a wheel"),
    }
    path = tmp_path / ".agentops" / "checklist.yaml"
    write_answers(path, answers)
    assert load_answers(path, CATALOGUE) == answers
    assert load_answers(write(tmp_path, ""), CATALOGUE) == {}
    with pytest.raises(BadInput, match="cannot read answers file"):
        load_answers(tmp_path / "missing.yaml", CATALOGUE)


def test_answers_decide_manual_and_partial_items_and_waive_auto(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"app.py": "x = 1\n"})
    (repo / ".agentops").mkdir()
    (repo / ".agentops" / "checklist.yaml").write_text(
        "PERM-01:\n  status: pass\n  owner: ana\n  note: scoped key\n"
        "PERM-04:\n  status: partial\n"
        "DEP-01:\n  status: n/a\n  note: shipped as a wheel\n",
        encoding="utf-8",
    )
    report = run_checklist(repo)  # the default answers file is picked up
    by_id = {i.id: i for i in report.items}
    assert (by_id["PERM-01"].status, by_id["PERM-01"].answered_by, by_id["PERM-01"].note) == (
        "pass",
        "ana",
        "scoped key",
    )
    assert (by_id["PERM-04"].status, by_id["PERM-04"].answered_by) == ("partial", "answers file")
    assert by_id["DEP-01"].status == "n/a" and by_id["DEP-01"].score is None
    assert by_id["PERM-02"].status == "manual" and by_id["PERM-02"].score == 0
    pending = {i.id for i in pending_items(report)}
    assert "PERM-02" in pending and "PERM-01" not in pending and "TST-02" not in pending
    assert report.answers_file.endswith("checklist.yaml")


def test_section_filter_accepts_id_or_prefix() -> None:
    catalogue = load_catalogue()
    assert {i.section for i in select_items(catalogue, ["OBS", "security"])} == {"observability", "security"}
    with pytest.raises(BadInput, match="unknown section 'nope'"):
        select_items(catalogue, ["nope"])


def test_missing_path_and_file_path_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no such directory"):
        run_checklist(tmp_path / "missing")
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(BadInput, match="not a directory"):
        run_checklist(tmp_path / "f.txt")
    with pytest.raises(BadInput, match="answers file not found"):
        run_checklist(tmp_path, answers_file=tmp_path / "nope.yaml")


def test_detector_crash_becomes_manual_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentops_cli.readiness.detectors import REGISTRY

    def boom(ctx):
        raise RuntimeError("kaboom")

    monkeypatch.setitem(REGISTRY, "REL-02", boom)
    report = run_checklist(write_tree(tmp_path, {"a.py": "x\n"}), sections=["REL"])
    rel = next(i for i in report.items if i.id == "REL-02")
    assert (rel.status, rel.note) == ("manual", "detector error: RuntimeError: kaboom")
    assert {i.section for i in report.items} == {"reliability"}
