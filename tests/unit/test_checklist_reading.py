"""How the checklist reads files: code without comments/strings, CI steps, syntax trees, item docs.

checklist: skip-file (fixture text, not evidence of this repository's practices)
"""

from __future__ import annotations

import random
from pathlib import Path

from agentops_cli.readiness import pyast
from agentops_cli.readiness.codeview import LiteralMap, code_view, literal_spans
from agentops_cli.readiness.itemdocs import END, START, render, update
from agentops_cli.readiness.scanner import SourceFile
from agentops_cli.readiness.workflows import parse_pipeline


def source(path: str, text: str) -> SourceFile:
    return SourceFile(path, len(text), text)


def test_python_view_blanks_comments_docstrings_and_strings_keeping_lines() -> None:
    text = 'x = "timeout=None"  # retry\n"""doc\nfallback"""\ny = 1\n'
    view = code_view(text, literal_spans(text, ".py"))
    assert view.splitlines()[0] == 'x = "            "         '
    assert "timeout" not in view and "retry" not in view and "fallback" not in view
    assert len(view) == len(text) and view.splitlines()[3] == "y = 1"


def test_js_view_keeps_module_specifiers_and_test_names() -> None:
    text = 'import { a } from "langsmith/evaluation";\n// timeout: 5\nit("times out", () => { s = `x`; });\n'
    view = code_view(text, literal_spans(text, ".ts"))
    assert '"langsmith/evaluation"' in view and '"times out"' in view
    assert "timeout: 5" not in view and "`x`" not in view and "` `" in view


def test_config_and_other_files() -> None:
    yaml_text = "a: 1\n# - run: pytest\n"
    assert code_view(yaml_text, literal_spans(yaml_text, ".yml")) == "a: 1\n" + " " * 15 + "\n"
    assert literal_spans("# title\n", ".md") == []
    docker = "FROM x\n# EXPOSE 80\n"
    assert literal_spans(docker, "", "Dockerfile") == [(7, 18)]


def test_literal_map_answers_per_offset() -> None:
    text = 'a = "b"  # c\nd = """e\nf"""\ng = 1\n'
    literal = LiteralMap(text, ".py")
    assert [literal.contains(text.index(w)) for w in ("a", "b", "c", "e", "f", "g")] == [
        False,
        True,
        True,
        True,
        True,
        False,
    ]
    go = 'x := "y" // z\n/* w */ v := 1\n'
    golang = LiteralMap(go, ".go")
    assert [golang.contains(go.index(w)) for w in ("x", "y", "z", "w", "v")] == [
        False,
        True,
        True,
        True,
        False,
    ]
    env = LiteralMap("# K=1\nJ=2\n", ".env")
    assert (env.contains(2), env.contains(6)) == (True, False)
    assert LiteralMap("text", ".md").contains(1) is False


def _eager_regions(text: str, openers: tuple[tuple[str, str], ...]) -> list[tuple[int, int]]:
    """The multi-line literals located all at once (how the map worked before it became lazy)."""
    marks = []
    for opener, closer in openers:
        at = text.find(opener)
        while at >= 0:
            marks.append((at, opener, closer))
            at = text.find(opener, at + len(opener))
    marks.sort()
    regions, index = [], 0
    while index < len(marks):
        start, opener, closer = marks[index]
        end = text.find(closer, start + len(opener))
        end = len(text) if end < 0 else end + len(closer)
        regions.append((start, end))
        while index < len(marks) and marks[index][0] < end:
            index += 1
    return regions


def test_lazy_literal_regions_equal_the_eager_ones_whatever_the_order_of_questions() -> None:
    """Regions are located only up to the offset asked; asking in any order, the answers are
    those of locating every region first (random texts dense in quotes, comments, backticks)."""
    rng = random.Random(19)
    pieces = ['"', "'", "`", "/", "*", "\n", "a", " ", "#", "\\", '"""', "'''", "/*", "*/"]
    openers = {".py": (('"""', '"""'), ("'''", "'''")), ".ts": (("/*", "*/"), ("`", "`"))}
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        for suffix, pairs in openers.items():
            eager = _eager_regions(text, pairs)
            literal = LiteralMap(text, suffix)
            offsets = list(range(len(text)))
            rng.shuffle(offsets)
            for offset in offsets:
                literal.contains(offset)
                known = literal.regions.upto(offset)
                assert [r for r in known if r[0] <= offset] == [r for r in eager if r[0] <= offset]
            assert literal.regions.upto(len(text)) == eager


def test_pipelines_gitlab_scripts_and_broken_yaml() -> None:
    gitlab = parse_pipeline(
        source(".gitlab-ci.yml", "stages: [test]\nunit:\n  script:\n    - pytest -q\n  # - deploy\n")
    )
    assert [(s.job, s.text, s.line) for s in gitlab.steps] == [("unit", "pytest -q", 4)]
    github = parse_pipeline(
        source(".github/workflows/x.yml", "on: push\njobs:\n  a:\n    steps:\n      - uses: x/y@v1\n")
    )
    assert github.triggers == {"push"} and github.steps[0].is_action
    listed = parse_pipeline(source(".github/workflows/y.yml", "on: [push, pull_request]\njobs: {}\n"))
    assert listed.triggers == {"push", "pull_request"}
    assert parse_pipeline(source(".github/workflows/bad.yml", "on: [\n")).steps == []
    assert parse_pipeline(source(".github/workflows/list.yml", "- a\n")).steps == []
    script = parse_pipeline(source(".ci/run", "#!/bin/sh\n# make lint\nmake test\n"))
    assert [(s.line, s.text) for s in script.steps] == [(3, "make test")]


def test_syntax_tree_questions() -> None:
    broken = source("py2.py", "print 'hi'\n")
    assert pyast.parse(broken) is None and pyast.model_failure_handled(broken) == []
    assert pyast.parse(broken) is None  # cached
    handled = source(
        "a.py",
        "try:\n    r = llm.invoke(q)\nexcept (KeyError, TypeError):\n    r = 1\n"
        "try:\n    r = client.chat.completions.create(m)\nexcept Exception:\n    logger.error('x')\n"
        "try:\n    r = backend.structured(q)\nexcept FailoverRequested:\n    return offline()\n",
    )
    assert pyast.model_failure_handled(handled) == [11]


def test_item_docs_block_is_written_once_and_replaced(tmp_path: Path) -> None:
    page = tmp_path / "checklist.md"
    page.write_text("# page\n", encoding="utf-8")
    assert update(page) is True
    assert update(page) is False
    text = page.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1 and render() in text
    assert "#### pi-01\n" in text and "How it is checked:" in text


def test_alias_bomb_in_a_workflow_is_walked_once() -> None:
    rows = ["a: &a [{run: pytest}, {run: pytest}]"]
    rows += [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    text = "on: push\njobs:\n  x:\n    " + "\n    ".join(rows) + "\n"
    steps = parse_pipeline(source(".github/workflows/bomb.yml", text)).steps
    assert 1 <= len(steps) <= 2  # 9**8 references to the same two steps, visited once
