"""The one walk: what is skipped, what is read, what ``.git`` tells without running git.

checklist: skip-file (fixture text, not evidence of this repository's practices)
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from agentops_cli.readiness.scanner import MAX_BYTES, _needle_lines, read_git_index, scan
from tests.unit.checklist_fixtures import git_index, write_tree


def test_skips_vcs_venvs_node_modules_binaries_and_big_files(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "src/app.py": "print('hi')\n",
            "node_modules/x/index.js": "x",
            ".venv/lib/site.py": "x",
            "myenv/pyvenv.cfg": "home = /usr\n",
            "myenv/lib/mod.py": "x",
            "pkg.egg-info/PKG-INFO": "x",
            "logo.png": b"\x89PNG\r\n",
            "blob.dat": b"abc\x00def",
            "big.txt": "a" * (MAX_BYTES + 1),
            ".git/config": "[core]\n",
        },
    )
    snap = scan(tmp_path)
    assert sorted(snap.files) == ["big.txt", "blob.dat", "logo.png", "src/app.py"]
    assert snap.text("src/app.py") == "print('hi')\n"
    assert snap.text("big.txt") is None and snap.text("blob.dat") is None and snap.text("logo.png") is None
    assert snap.skipped == {"dirs": 5, "binary": 2, "large": 1}
    assert snap.has_dir("src") and not snap.has_dir("node_modules")
    assert [f.path for f in snap.under("src")] == ["src/app.py"]


def test_test_files_classified(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "tests/a.py": "",
            "pkg/test_b.py": "",
            "pkg/c_test.go": "",
            "web/d.spec.ts": "",
            "pkg/conftest.py": "",
            "pkg/real.py": "",
        },
    )
    snap = scan(tmp_path)
    assert [f.path for f in snap.code] == ["pkg/real.py"]
    assert len(snap.tests) == 5


def test_grep_reports_lines_and_respects_limits(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "x = 1\nretry = 2\nretry = 3\n", "b.py": "retry\n"})
    snap = scan(tmp_path)
    pattern = re.compile(r"retry")
    hits = snap.grep(pattern, sorted(snap.code, key=lambda f: f.path), per_file=5)
    assert [(h.file.path, h.line) for h in hits] == [("a.py", 2), ("a.py", 3), ("b.py", 1)]
    assert len(snap.grep(pattern, snap.code, per_file=5, limit=2)) == 2
    assert snap.grep(pattern, snap.code, needles=("absent",)) == []
    assert snap.files_with("retry") == {"a.py", "b.py"}
    assert snap.files_with("x = 1") == {"a.py"}  # a needle with spaces scans the text


def test_git_tags_loose_packed_and_index(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".git/refs/tags/v1.0.0": "0" * 40,
            ".git/refs/tags/release/v2.0.0": "0" * 40,
            ".git/packed-refs": "# pack-refs\n" + "1" * 40 + " refs/tags/v0.9.0\n^" + "2" * 40 + "\n",
            ".git/index": git_index(["a.py", ".env", "docs/long-name-for-padding.md"]),
        },
    )
    git = scan(tmp_path).git
    assert git.is_repo
    assert git.tags == ["release/v2.0.0", "v0.9.0", "v1.0.0"]
    assert git.tracked == {"a.py", ".env", "docs/long-name-for-padding.md"}


def test_worktree_gitdir_file_and_unreadable_index(tmp_path: Path) -> None:
    real = write_tree(tmp_path / "real", {"refs/tags/v3.1.4": "0" * 40, "index": b"NOPE"})
    repo = write_tree(tmp_path / "wt", {".git": f"gitdir: {real}\n", "a.py": "x\n"})
    git = scan(repo).git
    assert git.tags == ["v3.1.4"]
    assert git.tracked is None
    assert read_git_index(tmp_path / "missing") is None
    assert scan(write_tree(tmp_path / "none", {"a.py": ""})).git.is_repo is False


def test_needle_lines_are_the_lines_holding_a_needle_in_order() -> None:
    """One needle or several (merged in file order), each line once: the lines a brute-force
    split finds, which is what lets grep run its regex on those lines only."""
    rng = random.Random(19)
    for _ in range(2000):
        text = "".join(rng.choice(["ab", "b", "a", "\n", " ", "ba", "c"]) for _ in range(rng.randint(0, 30)))
        for needles in (("ab",), ("ab", "c"), ("c", "b a", "ab")):
            expected, start = [], 0
            for line in text.split("\n"):
                if any(n in line for n in needles):
                    expected.append((start, start + len(line)))
                start += len(line) + 1
            assert list(_needle_lines(text, needles)) == expected


def test_matches_on_needle_lines_equal_a_whole_file_search(tmp_path: Path) -> None:
    """Needles only narrow where the regex runs: the matches are those of a whole-file search."""
    body = "".join(f"x{i} = retry(call, timeout={i})\n# retry later\n" for i in range(150))
    write_tree(tmp_path, {"a.py": body})
    snap = scan(tmp_path)
    pattern = re.compile(r"\bretry\(\w+, timeout=\d+\)")
    narrowed = [m.span() for m in snap.matches(pattern, snap.files["a.py"], ("retry(", "nowhere"))]
    assert narrowed == [m.span() for m in pattern.finditer(body)] and len(narrowed) == 150
