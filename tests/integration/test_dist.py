"""``make dist``'s one file runs with only a system Python: no venv, no checkout, no network.

The file is built once for the module (``scripts/build_dist.py``, as ``make dist`` does) and run
in a clean environment: ``env`` holds only ``PATH`` (system directories, no virtualenv) and a
temporary ``HOME``, and the working directory is outside the checkout, so nothing of the repo
or of ``.venv`` can leak in.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, without_coverage

pytestmark = pytest.mark.slow

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def _system_python() -> str | None:
    """A python3 ≥ 3.11 on the system PATH (not this venv's): the file's only requirement."""
    found = shutil.which("python3", path=SYSTEM_PATH)
    if found is None:
        return None
    proc = subprocess.run(
        [found, "-c", "import sys; print(sys.version_info >= (3, 11))"], capture_output=True, text=True
    )
    return found if proc.stdout.strip() == "True" else None


@pytest.fixture(scope="module")
def dist_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("pex") is None or importlib.util.find_spec("build") is None:
        pytest.skip("pex/build not installed (they are in the dev extra: pip install -e '.[dev]')")
    if _system_python() is None:
        pytest.skip("no system python3 >= 3.11 on /usr/local/bin:/usr/bin:/bin to run the file with")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_dist.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=900,
        env=without_coverage(os.environ),  # pip, build, pex: no agentops line to measure
    )
    return out / "agentops"


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    return {"PATH": SYSTEM_PATH, "HOME": str(home), "LANG": "C.UTF-8"}


def _run(dist_file: Path, env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(dist_file), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_dist_builds_wheel_sdist_and_one_executable_file(dist_file: Path) -> None:
    names = sorted(p.name for p in dist_file.parent.iterdir())
    assert any(n.endswith(".whl") for n in names)
    assert any(n.endswith(".tar.gz") for n in names)
    assert dist_file.is_file() and dist_file.stat().st_mode & 0o111
    assert dist_file.read_bytes()[:9] == b"#!/bin/sh"


def test_dist_file_runs_every_command_in_a_clean_environment(
    dist_file: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    version = _run(dist_file, clean_env, tmp_path, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("agentops ")

    cost = _run(dist_file, clean_env, tmp_path, "cost", "--rpd", "1000", "--json")
    assert cost.returncode == 0, cost.stderr
    forecast = json.loads(cost.stdout)
    assert forecast["rpd"] == 1000 and forecast["models"]

    support = _run(dist_file, clean_env, tmp_path, "run", "support", "I was charged twice", "--json")
    assert support.returncode == 0, support.stderr
    answer = json.loads(support.stdout)
    assert answer["provider"] == "offline" and answer["intent"] == "billing"

    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "app.py").write_text("import logging\nprint('hi')\n")
    checklist = _run(dist_file, clean_env, tmp_path, "checklist", str(repo), "--json")
    assert checklist.returncode == 0, checklist.stderr
    assert json.loads(checklist.stdout)["items"]

    evaluation = _run(
        dist_file, clean_env, tmp_path, "eval", "--dataset", "golden", "--limit", "20", "--json"
    )
    assert evaluation.returncode in (0, 1), evaluation.stderr
    summary = json.loads(evaluation.stdout)
    assert summary["n"] == 20 and summary["errors"] == 0
    # results went to the working directory, not to the checkout or the unpacked file
    assert (tmp_path / ".agentops" / "runs" / summary["run_id"] / "results.jsonl").is_file()
