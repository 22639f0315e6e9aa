"""Verdicts a reviewer would sign: each trap of issue 19 and its true positive.

checklist: skip-file (fixture text, not evidence of this repository's practices)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.readiness.models import ItemResult
from agentops_cli.readiness.service import run_checklist
from tests.unit.checklist_fixtures import write_tree
from tests.unit.checklist_traps import CONFIG_NAMES, TRAPS, TRUE_POSITIVES


def verdict(tmp_path: Path, files: dict[str, str], item_id: str) -> ItemResult:
    report = run_checklist(write_tree(tmp_path, files))
    return next(i for i in report.items if i.id == item_id)


@pytest.mark.parametrize(("name", "files", "item_id", "status"), TRAPS, ids=[t[0] for t in TRAPS])
def test_trap_is_not_a_pass(
    tmp_path: Path, name: str, files: dict[str, str], item_id: str, status: str
) -> None:
    result = verdict(tmp_path, files, item_id)
    assert result.status == status, f"{name}: {result.status} {result.note} {result.evidence}"


@pytest.mark.parametrize(
    ("name", "files", "item_id", "status"), TRUE_POSITIVES, ids=[t[0] for t in TRUE_POSITIVES]
)
def test_true_positive_passes(
    tmp_path: Path, name: str, files: dict[str, str], item_id: str, status: str
) -> None:
    result = verdict(tmp_path, files, item_id)
    assert result.status == status, f"{name}: {result.status} {result.note} {result.evidence}"
    assert result.evidence, "a pass names its evidence"


def test_configuration_module_and_quickstart_example_are_central_settings(tmp_path: Path) -> None:
    result = verdict(tmp_path, CONFIG_NAMES, "CODE-03")
    assert result.status == "pass", result.note
    assert {e.path for e in result.evidence} >= {"src/agent/configuration.py", ".env.quickstart.example"}


def test_two_part_version_tags_count(tmp_path: Path) -> None:
    files = {
        ".git/HEAD": "ref: refs/heads/main\n",
        ".git/refs/tags/v0.1": "0" * 40 + "\n",
        "app.py": "x = 1\n",
    }
    assert verdict(tmp_path, files, "DEP-03").status == "pass"


def test_commented_ci_step_is_never_cited(tmp_path: Path) -> None:
    files = {".github/workflows/ci.yml": CI_COMMENTED_WITH_REAL_TEST}
    result = verdict(tmp_path, files, "DEP-02")
    assert [(e.path, e.line) for e in result.evidence][:1] == [(".github/workflows/ci.yml", 10)]


CI_COMMENTED_WITH_REAL_TEST = (
    "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      # - run: pytest -q\n      - uses: actions/checkout@v4\n      - run: pip install .\n"
    "      - name: tests\n      - run: pytest -q\n"
)


def test_go_only_project_is_inconclusive_not_failed(tmp_path: Path) -> None:
    files = {"main.go": "package main\n\nfunc main() {}\n", "go.mod": "module x\n"}
    report = run_checklist(write_tree(tmp_path, files))
    classes = next(i for i in report.items if i.id == "CODE-01")
    assert classes.status == "inconclusive"
    assert "go" in classes.note.lower()
    assert classes.score is None
    assert report.counts["inconclusive"] >= 1
    assert report.project["languages"] == ["go"]


def test_vendored_sample_keys_do_not_hide_a_key_in_the_source(tmp_path: Path) -> None:
    """Secret hits are capped; the project's own files are read first, so sixty vendored files
    with key-shaped samples cannot push a key written in the source past the cap (a false pass)."""

    # Built by concatenation so that no scanner run on this repository sees a key-shaped literal.
    def key(seed: int) -> str:
        return (
            "sk-"
            + "proj-"
            + "".join("aZ9kQ3xW7mP2vL8nR4tY6uB1cD5eF0gH"[(seed * 7 + i) % 32] for i in range(32))
        )

    # "external/" (a vendored folder) sorts before "src/": only the ordering rule puts the source first
    files = {f"external/sdk/sample_{i}.py": f'SAMPLE = "{key(i)}"\n' for i in range(60)}
    files["src/app.py"] = f'client = make_client(api_key="{key(99)}")\n'
    result = verdict(tmp_path, files, "SEC-01")
    assert result.status == "fail"
    assert any(e.path == "src/app.py" for e in result.evidence)
