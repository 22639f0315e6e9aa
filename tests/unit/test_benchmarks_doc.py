"""docs/benchmarks.md is generated: ``bench/run_all.py --docs-only`` renders it from the committed
bench/results/*.json and the notes kept beside each bench's renderer. A hand edit would be deleted
by the next ``make bench`` without anyone noticing, so CI renders the page and compares.

Reads only the repository (not the shared data sets): the renderers read bench/results, never the data sets.
The checks run ``run_all.py`` in a child process, as a developer would, so the bench modules'
imports (``common``, …) never mix with the test process's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUN_ALL = REPO / "bench" / "run_all.py"
DOC = REPO / "docs" / "benchmarks.md"


def _check(doc: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUN_ALL), "--check", "--doc", str(doc)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_committed_benchmarks_page_is_what_the_committed_json_renders() -> None:
    proc = _check(DOC)
    assert proc.returncode == 0, (
        "docs/benchmarks.md is not what `.venv/bin/python bench/run_all.py --docs-only` writes from "
        "bench/results/*.json: move hand-written text into the bench's renderer, rerun that command "
        f"and commit docs/benchmarks.md.\n{proc.stderr}"
    )


def test_a_hand_edit_fails_the_check_and_names_the_command_to_run(tmp_path: Path) -> None:
    edited = tmp_path / "benchmarks.md"
    lines = DOC.read_text(encoding="utf-8").splitlines(keepends=True)
    middle = len(lines) // 2
    edited.write_text(
        "".join([*lines[:middle], "A note written by hand.\n", *lines[middle:]]), encoding="utf-8"
    )

    proc = _check(edited)

    assert proc.returncode == 1
    assert "-A note written by hand." in proc.stderr  # the diff shows what the generator would drop
    assert "bench/run_all.py --docs-only" in proc.stderr.splitlines()[-1]
