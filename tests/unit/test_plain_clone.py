"""A plain clone (no ../shared beside it) passes ``make test``: every reader of ../shared skips."""

from __future__ import annotations

import re

from tests.conftest import REPO, needs_shared

SHARED_USE = re.compile(r"\bSHARED\b|[\"']shared[\"']|\.\./shared")


def test_missing_shared_data_is_a_skip_with_the_path_as_reason() -> None:
    mark = needs_shared("datasets/no-such-set")
    assert mark.args == (True,)
    assert "datasets/no-such-set not present (plain clone without ../shared)" in mark.kwargs["reason"]


def test_every_test_module_that_reads_shared_data_guards_it() -> None:
    unguarded = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        if path.name in ("conftest.py", "test_plain_clone.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if SHARED_USE.search(text) and "needs_shared" not in text:
            unguarded.append(path.relative_to(REPO).as_posix())
    assert unguarded == []


def test_benchmarks_read_clinc_through_the_guarded_loader() -> None:
    for path in sorted((REPO / "bench").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "CLINC.read_text" not in text, path.name  # load_clinc() says what is missing
