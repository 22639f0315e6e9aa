# ruff: noqa: E501
"""Each detector's verdict and evidence on a well-prepared and a careless fixture code base.

checklist: skip-file (fixture text, not evidence of this repository's practices)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.readiness.models import Report
from agentops_cli.readiness.service import run_checklist
from tests.unit.checklist_fixtures import GOOD, bad_files, write_tree


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return run_checklist(write_tree(tmp_path_factory.mktemp("good"), GOOD))


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return run_checklist(write_tree(tmp_path_factory.mktemp("bad"), bad_files()))


def item(report: Report, item_id: str):
    return next(i for i in report.items if i.id == item_id)


# (item, status, path, line) of the first piece of evidence expected on the good repository.
GOOD_EXPECT = [
    ("FUN-02", "pass", "app/api.py", 13),
    ("FUN-03", "pass", "app/api.py", 18),
    ("PERF-01", "partial", "bench/latency.py", 6),
    ("PERF-03", "pass", "locustfile.py", 0),
    ("PERF-04", "pass", "app/llm_factory.py", 7),
    ("REL-01", "pass", "app/resilience.py", 2),
    ("REL-02", "pass", "app/resilience.py", 1),
    ("REL-03", "pass", "app/resilience.py", 11),
    ("OBS-01", "pass", "app/api.py", 1),
    ("OBS-02", "pass", "app/metrics.py", 1),
    ("OBS-03", "pass", "app/tracing.py", 1),
    ("OBS-04", "pass", "ops/alerts.yml", 4),
    ("OBS-05", "pass", "ops/dashboard.json", 1),
    ("OBS-06", "pass", "app/api.py", 29),
    ("SEC-01", "pass", "app/config.py", 1),
    ("SEC-02", "pass", "app/config.py", 14),
    ("SEC-03", "pass", ".github/workflows/ci.yml", 9),
    ("COST-01", "pass", "app/config.py", 13),
    ("COST-02", "pass", "app/usage.py", 2),
    ("COST-03", "pass", "app/cache.py", 1),
    ("COST-04", "pass", "app/config.py", 7),
    ("CODE-03", "pass", "app/config.py", 0),
    ("CODE-04", "pass", "pyproject.toml", 8),
    ("CODE-05", "pass", "prompts/support.md", 0),
    ("CODE-06", "pass", "app/llm_factory.py", 7),
    ("CFG-01", "partial", "app/config.py", 1),
    ("CFG-02", "pass", "app/config.py", 10),
    ("TST-02", "pass", "pyproject.toml", 15),
    ("TST-03", "pass", "tests/test_resilience.py", 1),
    ("TST-04", "pass", "tests/test_resilience.py", 6),
    ("TST-05", "pass", "tests/test_resilience.py", 10),
    ("TST-06", "pass", "app/api.py", 40),
    ("TST-07", "pass", "tests/conftest.py", 4),
    ("TST-08", "pass", "tests/integration/test_api.py", 0),
    ("ETH-03", "pass", "app/grounding.py", 1),
    ("COG-04", "pass", "evals/golden.jsonl", 0),
    ("DEP-01", "pass", "Dockerfile", 1),
    ("DEP-02", "pass", ".github/workflows/ci.yml", 8),
    ("DEP-03", "pass", ".git/refs/tags", 0),
    ("DEP-04", "pass", "README.md", 29),
    ("ARC-01", "pass", "docs/architecture.md", 4),
    ("ARC-02", "pass", "README.md", 0),
    ("ARC-03", "pass", "Makefile", 1),
    ("INT-01", "pass", "app/tracing.py", 2),
    ("INT-02", "pass", "app/tracing.py", 3),
    ("INT-03", "pass", "app/state.py", 1),
    ("PERM-04", "pass", "Dockerfile", 4),
    ("MIS-02", "pass", "tests/test_resilience.py", 14),
    ("SCN-01", "pass", "app/files.py", 2),
    ("ABU-02", "pass", "app/api.py", 5),
    ("ABU-03", "pass", "app/config.py", 13),
    ("PI-01", "pass", "app/api.py", 45),
    ("PI-03", "pass", "app/grounding.py", 1),
    ("FUN-01", "partial", "tests/integration/test_api.py", 0),
]


@pytest.mark.parametrize(("item_id", "status", "path", "line"), GOOD_EXPECT, ids=[e[0] for e in GOOD_EXPECT])
def test_good_repository(good: Report, item_id: str, status: str, path: str, line: int) -> None:
    result = item(good, item_id)
    assert result.status == status, result.note
    assert (result.evidence[0].path, result.evidence[0].line) == (path, line)


BAD_FAIL = [
    "FUN-01",
    "FUN-03",
    "PERF-01",
    "PERF-03",
    "PERF-04",
    "REL-01",
    "REL-02",
    "REL-03",
    "OBS-01",
    "OBS-02",
    "OBS-03",
    "SEC-03",
    "COST-02",
    "COST-03",
    "CODE-03",
    "CODE-04",
    "CFG-01",
    "CFG-02",
    "TST-01",
    "TST-02",
    "TST-03",
    "TST-04",
    "TST-05",
    "TST-06",
    "TST-07",
    "TST-08",
    "COG-04",
    "DEP-02",
    "DEP-03",
    "DEP-04",
    "ARC-01",
    "ARC-02",
    "ARC-03",
    "INT-01",
    "INT-02",
    "PI-01",
]


@pytest.mark.parametrize("item_id", BAD_FAIL)
def test_bad_repository_fails(bad: Report, item_id: str) -> None:
    assert item(bad, item_id).status == "fail"


def test_bad_secrets_committed_env_and_key_with_line(bad: Report) -> None:
    sec = item(bad, "SEC-01")
    assert sec.status == "fail"
    assert [(e.path, e.line) for e in sec.evidence] == [(".env", 0), ("keys.py", 1)]
    assert sec.evidence[0].note == ".env is committed to git"
    assert "Zq8X" not in sec.evidence[1].note  # the secret itself is never shown
    assert sec.evidence[1].note.startswith("OpenAI/Anthropic key: sk-p…")


def test_bad_hard_coded_values_listed_at_their_lines(bad: Report) -> None:
    code = item(bad, "CODE-02")
    assert code.status == "fail"
    places = {(e.path, e.line) for e in code.evidence}
    assert {("main.py", 4), ("main.py", 5), ("helper.py", 3), ("sub/other.py", 4)} <= places


def test_bad_several_llm_constructors_fail_single_factory(bad: Report) -> None:
    factory = item(bad, "CODE-06")
    assert factory.status == "fail"
    assert {(e.path, e.line) for e in factory.evidence} == {
        ("main.py", 3),
        ("helper.py", 3),
        ("sub/other.py", 3),
    }


def test_bad_inline_prompt_bare_except_unpinned_image(bad: Report) -> None:
    assert (item(bad, "CODE-05").status, item(bad, "CODE-05").evidence[0].line) == ("fail", 10)
    errors = item(bad, "FUN-02")
    assert errors.status == "partial"
    assert (errors.evidence[0].path, errors.evidence[0].line, errors.evidence[0].note) == (
        "main.py",
        12,
        "bare except: hides errors",
    )
    docker = item(bad, "DEP-01")
    assert docker.status == "fail"
    assert docker.evidence[0].note == "python:latest is not pinned"
    assert item(bad, "PERM-04").status == "partial"


def test_cli_project_gets_na_for_server_items_with_reason(bad: Report) -> None:
    for item_id in ("OBS-04", "OBS-05", "OBS-06", "ABU-01", "ABU-02"):
        result = item(bad, item_id)
        assert result.status == "n/a"
        assert "no web framework" in result.note
    assert item(bad, "SCN-03").status == "n/a"
    assert bad.project == {
        "python": True,
        "server": False,
        "llm": True,
        "git": True,
        "languages": ["python"],
        "files_or_db": False,
    }


def test_server_project_is_not_excused(good: Report) -> None:
    assert good.project["server"] is True
    assert item(good, "ABU-01").status == "manual"


def test_scores_order_good_far_above_bad(good: Report, bad: Report) -> None:
    assert good.score_pct is not None and bad.score_pct is not None
    assert good.score_pct > 75 > 10 > bad.score_pct


def _check(tmp_path: Path, files: dict[str, str]) -> Report:
    return run_checklist(write_tree(tmp_path, files))


def test_coverage_gate_between_80_and_95_is_partial(tmp_path: Path) -> None:
    report = _check(tmp_path, {"Makefile": "test:\n\tpytest --cov-fail-under=85\n"})
    cov = item(report, "TST-02")
    assert (cov.status, cov.evidence[0].path, cov.evidence[0].line) == ("partial", "Makefile", 2)
    low = _check(tmp_path / "low", {".coveragerc": "[report]\nfail_under = 60\n"})
    assert item(low, "TST-02").status == "fail"
    assert item(low, "TST-02").note == "coverage gate 60 % is under 80 %"


def test_tagged_base_image_is_partial_and_stage_alias_is_ignored(tmp_path: Path) -> None:
    report = _check(tmp_path, {"Dockerfile": "FROM python:3.12-slim AS build\nFROM build\nUSER 1000\n"})
    docker = item(report, "DEP-01")
    assert docker.status == "partial"
    assert [(e.line, e.note) for e in docker.evidence] == [(1, "python:3.12-slim pinned by tag, not digest")]


def test_secret_in_tests_is_partial_and_suppression_is_honoured(tmp_path: Path) -> None:
    from tests.unit.checklist_fixtures import fake_key

    report = _check(
        tmp_path,
        {
            "tests/test_k.py": f"KEY = '{fake_key()}'\n",
            "app.py": f"KEY = '{fake_key()}'  # pragma: allowlist secret\nTOKEN = 'your-token-here-0000000'\n",
        },
    )
    sec = item(report, "SEC-01")
    assert sec.status == "partial"
    assert [(e.path, e.line) for e in sec.evidence] == [("tests/test_k.py", 1)]


def test_generic_credential_needs_entropy(tmp_path: Path) -> None:
    secret = "Q9" + "vR3mZ8pL2wX7cT5nB1kY"
    report = _check(tmp_path, {"app.py": f"password = 'aaaaaaaaaaaaaaaaaaaa'\napi_key = \"{secret}\"\n"})
    sec = item(report, "SEC-01")
    assert sec.status == "fail"
    assert [(e.path, e.line, e.note.split(":")[0]) for e in sec.evidence] == [
        ("app.py", 2, "credential assignment")
    ]


def test_env_file_present_but_not_ignored_without_git(tmp_path: Path) -> None:
    report = _check(tmp_path, {".env": "DEBUG=1\n", "app.py": "x = 1\n"})
    assert item(report, "SEC-01").evidence[0].note == ".env present and not in .gitignore"
    ignored = _check(tmp_path / "ok", {".env": "DEBUG=1\n", ".gitignore": ".env\n", "app.py": "x = 1\n"})
    assert item(ignored, "SEC-01").status == "pass"


def test_partial_verdicts_of_thin_setups(tmp_path: Path) -> None:
    report = _check(
        tmp_path,
        {
            "app/main.py": "import logging\nimport backoff\nimport os\nKEY = os.environ['OPENAI_API_KEY']\n"
            "from openai import OpenAI\nclient = OpenAI()\n",
            "config.yaml": "timeout: 30\n",
            "pyproject.toml": '[project]\nversion = "0.3.1"\n[tool.black]\nline-length = 88\n',
            "README.md": "# app\n",
            "Makefile": "run:\n\tpython app/main.py\n",
            ".gitlab-ci.yml": "build:\n  script: echo hi\n",
        },
    )
    expect = {
        "OBS-01": "partial",
        "REL-01": "partial",
        "CFG-01": "partial",
        "PERF-04": "partial",
        "CODE-04": "partial",
        "DEP-03": "partial",
        "ARC-02": "partial",
        "ARC-03": "partial",
        "DEP-02": "partial",
        "CODE-03": "partial",
        "CODE-06": "pass",
        "CODE-05": "fail",
    }
    assert {k: item(report, k).status for k in expect} == expect
    assert item(report, "DEP-03").evidence[0].note == 'version declared: "0.3.1"'


def test_opted_out_files_are_never_evidence(tmp_path: Path) -> None:
    body = "import tenacity\nfrom tenacity import wait_exponential\n"
    report = _check(tmp_path, {"patterns.py": "# checklist: skip-file\n" + body})
    assert item(report, "REL-01").status == "fail"
    assert item(_check(tmp_path / "b", {"real.py": body}), "REL-01").status == "pass"


def test_literals_in_comments_are_not_hard_coded_values(tmp_path: Path) -> None:
    body = (
        '# dated names like "gpt-4o-mini-2024-07-18" resolve to the base model\n'
        "MODEL = settings.model\n"
        'client = make("gpt-4o")\n'
    )
    code = item(_check(tmp_path, {"app.py": body}), "CODE-02")
    assert (code.status, [(e.path, e.line) for e in code.evidence]) == ("partial", [("app.py", 3)])


def test_xml_namespaces_are_not_hard_coded_endpoints(tmp_path: Path) -> None:
    report = _check(
        tmp_path, {"svg.py": "NS = 'http://www.w3.org/2000/svg'\nAPI = 'https://api.example.com/v1'\n"}
    )
    code = item(report, "CODE-02")
    assert (code.status, [(e.path, e.line) for e in code.evidence]) == ("partial", [("svg.py", 2)])


def test_no_code_means_not_applicable_not_pass(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    empty = _check(tmp_path / "empty", {})
    docs_only = _check(tmp_path / "docs", {"README.md": "# notes\nhttps://api.example.com\n"})
    for report in (empty, docs_only):
        assert (item(report, "CODE-02").status, item(report, "CODE-02").note) == (
            "n/a",
            "no code in the folder to examine",
        )
        assert (item(report, "SEC-01").status, item(report, "SEC-01").note) == (
            "n/a",
            "no code to scan for secrets",
        )
    config_only = _check(tmp_path / "cfg", {"app/config.py": "MODEL = 'gpt-4o-mini'\n"})
    assert (item(config_only, "CODE-02").status, item(config_only, "CODE-02").note) == (
        "n/a",
        "no code outside config modules to examine",
    )


def test_leak_without_code_still_fails(tmp_path: Path) -> None:
    report = _check(tmp_path, {".env": "DEBUG=1\n", "README.md": "# notes\n"})
    sec = item(report, "SEC-01")
    assert (sec.status, sec.evidence[0].note) == ("fail", ".env present and not in .gitignore")


def test_fallback_candidates_come_file_by_file_and_stop_at_the_bound(tmp_path: Path) -> None:
    """REL-03 parses only files whose code has an ``except`` and a model call, lazily (it stops
    at its fourth piece of evidence), and never looks past ``most`` files holding an ``except``."""
    from agentops_cli.readiness.detectors.base import Context
    from agentops_cli.readiness.detectors.resilience import _may_answer_model_failure
    from agentops_cli.readiness.scanner import scan

    model_try = "def ask(llm, q):\n    try:\n        return llm.invoke(q)\n    except TimeoutError:\n        return 'busy'\n"
    plain_try = (
        "def read(p):\n    try:\n        return open(p).read()\n    except OSError:\n        return ''\n"
    )
    write_tree(
        tmp_path,
        {"a.py": plain_try, "b.py": model_try, "c.py": "# except: llm.invoke(q)\n", "d.py": model_try},
    )
    ctx = Context(scan(tmp_path))
    found = sorted(f.path for f in _may_answer_model_failure(ctx))
    assert found == ["b.py", "d.py"]  # a.py calls no model, c.py only says so in a comment
    ordered = sorted(ctx.repo.python, key=lambda f: f.path)
    ctx.repo.__dict__["python"] = ordered
    assert [f.path for f in _may_answer_model_failure(ctx, most=2)] == ["b.py"]  # d.py is the 3rd
