"""The *code* of a file: comments, docstrings and string literals blanked out, offsets kept.

checklist: skip-file (the patterns below name syntax, they are not evidence of practices)

Why: a practice is evidenced by what the code *does*, never by what its comments, docstrings,
prompt text or test strings *say*. ``# run: pytest`` in a workflow, ``"timeout=None"`` inside a
fixture string or the word "hallucinations" in sample tweets are not timeouts, tests or
grounding checks. Detectors therefore match on this view, where every comment and string
character is replaced by a space (newlines kept), so offsets and line numbers stay those of
the real file and evidence still points at ``file:line``.

How: one pass of a tokenising regex per language family (C regex engine, ~50 MB/s), not a
full parser, because the view must be cheap enough to build for every candidate file of a
700-file monorepo. It understands what decides "code or not": Python comments, single,
triple-quoted and prefixed (f/r/b) strings; JS/TS ``//`` and ``/* */`` comments, quotes and
template literals. A JS/TS module specifier (``from 'x'``, ``require('x')``, ``import('x')``)
is kept, because which module is imported *is* code. Regex literals in JS are not
recognised (a ``/"/`` could blank the rest of a line); that case is rare and only ever hides
evidence, it never invents it. Structural questions (which call gets which keyword argument,
where a guard is applied) are answered by :mod:`.pyast` on top of this view.
"""

from __future__ import annotations

import re

_PY = re.compile(
    r"""(?P<s>(?<![\w])[rRbBuUfF]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))"""
    r"""|(?P<c>\#[^\n]*)"""
)
_JS = re.compile(
    r"""(?P<c>//[^\n]*|/\*[\s\S]*?\*/)"""
    r"""|(?P<s>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\[\s\S]|[^`\\])*`)"""
)
_HASH = re.compile(r"(?m)^[ \t]*[#;][^\n]*")  # YAML, TOML, INI, .env, Dockerfile, shell comments
# Strings that are code: module specifiers, and test names (``it("times out…")`` is what a
# Python test says with its function name).
_MODULE_SPEC = re.compile(
    r"(?:\bfrom|\brequire\(|\bimport\(|\bimport|\b(?:it|test|describe)(?:\.\w+)?\()\s*$"
)

PY_EXT = frozenset({".py", ".pyi"})
JS_EXT = frozenset({".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".mts", ".cts"})
C_LIKE_EXT = frozenset({".go", ".java", ".kt", ".rs", ".cs", ".scala", ".swift", ".php"})
HASH_EXT = frozenset({".yaml", ".yml", ".toml", ".ini", ".cfg", ".env", ".sh", ".bash", ".conf"})
HASH_NAMES = frozenset({"dockerfile", "containerfile", "makefile", "procfile", "justfile"})


def _blank(text: str) -> str:
    """Same length, only the newlines kept: line numbers of what follows stay right."""
    return re.sub(r"[^\n]", " ", text)


def _blank_inner(text: str) -> str:
    """A string literal keeps its quotes (so ``x = ""`` still reads as an assignment)."""
    if len(text) < 2:
        return _blank(text)
    return text[0] + _blank(text[1:-1]) + text[-1]


def _python(text: str) -> str:
    def sub(match: re.Match[str]) -> str:
        return _blank(match.group()) if match.lastgroup == "c" else _blank_inner(match.group())

    return _PY.sub(sub, text)


def _javascript(text: str) -> str:
    def sub(match: re.Match[str]) -> str:
        found = match.group()
        if match.lastgroup == "c":
            return _blank(found)
        if _MODULE_SPEC.search(text, max(0, match.start() - 12), match.start()):
            return found  # import 'x' / require('x') / it('name'): the module or test name is code
        return _blank_inner(found)

    return _JS.sub(sub, text)


def code_view(text: str, suffix: str, name: str = "") -> str:
    """``text`` with comments (and, in code, string literals) blanked; same length and lines."""
    if suffix in PY_EXT:
        return _python(text)
    if suffix in JS_EXT or suffix in C_LIKE_EXT:
        return _javascript(text)  # C-family comments and quotes are close enough to JS's
    if suffix in HASH_EXT or name.lower() in HASH_NAMES or name.lower().startswith((".env", "dockerfile")):
        return _HASH.sub(lambda m: _blank(m.group()), text)
    return text
