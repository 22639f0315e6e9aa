"""Renderers: SARIF 2.1.0 locations, Markdown tables, the rich table, Spanish titles.

checklist: skip-file (fixture text, not evidence of this repository's practices)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentops_cli.readiness.models import Report
from agentops_cli.readiness.renderers import render_text
from agentops_cli.readiness.service import run_checklist
from tests.unit.checklist_fixtures import bad_files, write_tree


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Report:
    files = bad_files()
    files["README.md"] = "# bad\n"
    return run_checklist(write_tree(tmp_path_factory.mktemp("bad"), files))


def test_sarif_rules_and_results_at_file_and_line(bad: Report) -> None:
    sarif = json.loads(render_text(bad, "sarif"))
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert len(run["tool"]["driver"]["rules"]) == 75
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == {i.id for i in bad.items if i.status in ("fail", "partial")}
    secret = results["SEC-01"]
    assert secret["level"] == "error"
    locations = [
        (loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
        for loc in secret["locations"]
    ]
    assert locations == [(".env", 1), ("keys.py", 1)]
    # no file evidence ("no CI") is anchored at the README so code scanning can show it
    ci = results["DEP-02"]["locations"][0]["physicalLocation"]
    assert (ci["artifactLocation"]["uri"], ci["region"]["startLine"]) == ("README.md", 1)
    assert "repository-wide" in results["DEP-02"]["message"]["text"]
    assert results["PERM-04"]["level"] == "note"  # partial + medium severity


def test_markdown_has_sections_evidence_and_remediations(bad: Report) -> None:
    text = render_text(bad, "markdown")
    assert text.startswith(f"# Production readiness: {bad.score_pct:.1f}%")
    assert "## Security" in text
    assert "| ✘ fail | CODE-06 | One LLM factory module | high | `main.py:3` LLM client constructed" in text
    assert "## Top remediations" in text


def test_table_text_groups_by_section_with_icons(bad: Report) -> None:
    text = render_text(bad, "table")
    assert "Production readiness" in text and "Top remediations" in text
    assert "Security —" in text
    assert "✘" in text and "CODE-06" in text


def test_json_text_and_spanish_titles(tmp_path: Path) -> None:
    report = run_checklist(write_tree(tmp_path, {"a.py": "x\n"}), sections=["REL"], lang="es")
    data = json.loads(render_text(report, "json"))
    titles = {i["id"]: i["title"] for i in data["items"]}
    assert titles["REL-01"] == "Retry con backoff exponencial"
    assert data["sections"][0]["title"] == "Confiabilidad"


def test_sarif_links_docs_fingerprints_and_one_placeholder(tmp_path: Path) -> None:
    from agentops_cli.readiness.service import run_checklist

    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (root / "README.md").write_text("# x\n")
    (root / "app.py").write_text("import openai\n")
    report = run_checklist(root)
    sarif = json.loads(render_text(report, "sarif"))
    run = sarif["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "DEP-02")
    assert rule["helpUri"].endswith("docs/checklist.md#dep-02")
    results = {r["ruleId"]: r for r in run["results"]}
    ci = results["DEP-02"]
    assert len(ci["locations"]) == 1
    assert ci["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pyproject.toml"
    readme = results["ARC-02"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert readme == "README.md"
    prints = [r["partialFingerprints"]["agentopsChecklist/v1"] for r in run["results"]]
    assert len(set(prints)) == len(prints) and all(len(p) == 32 for p in prints)
    again = json.loads(render_text(run_checklist(root), "sarif"))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in again] == [r["partialFingerprints"] for r in run["results"]]
    item = next(i for i in report.items if i.id == "DEP-02")
    assert (item.doc.endswith("#dep-02"), item.detector_version, item.confidence) == (True, 2, "high")
