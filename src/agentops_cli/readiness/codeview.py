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
from bisect import bisect_right

# Every alternative starts with ``#``, ``"`` or ``'``, so the engine skips other characters fast;
# a string prefix (f, r, b) stays in the view as a harmless letter before the blanked literal.
_PY = re.compile(
    r"""(?P<c>\#[^\n]*)"""
    r"""|(?P<s>\"\"\"[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*\"\"\""""
    r"""|'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"""
    r"""|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*')"""
)  # strings as "unrolled loops" ([^"\\]* runs are one tight loop in the regex engine)
_JS = re.compile(
    r"""(?P<c>//[^\n]*|/\*[^*]*\*+(?:[^/*][^*]*\*+)*/)"""
    r"""|(?P<s>"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'|`[^`\\]*(?:\\[\s\S][^`\\]*)*`)"""
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


def literal_spans(text: str, suffix: str, name: str = "") -> list[tuple[int, int]]:
    """Sorted ``(start, end)`` offsets of the comments and string literals of ``text``.

    Detectors keep a regex match only when it *starts* outside these spans; building spans
    (no new strings) is what keeps the view cheap on a 14 MB monorepo.
    """
    if suffix in PY_EXT:
        return [m.span() for m in _PY.finditer(text)]
    if suffix in JS_EXT or suffix in C_LIKE_EXT:  # C-family comments and quotes are close enough
        spans = []
        for match in _JS.finditer(text):
            if match.lastgroup == "s" and _MODULE_SPEC.search(
                text, max(0, match.start() - 12), match.start()
            ):
                continue  # import 'x' / require('x') / it('name'): the module or test name is code
            spans.append(match.span())
        return spans
    if suffix in HASH_EXT or name.lower() in HASH_NAMES or name.lower().startswith((".env", "dockerfile")):
        return [m.span() for m in _HASH.finditer(text)]
    return []


_PY_LINE = re.compile(r"""\#[^\n]*|"[^"\\\n]*(?:\\.[^"\\\n]*)*"?|'[^'\\\n]*(?:\\.[^'\\\n]*)*'?""")
_JS_LINE = re.compile(r"""//[^\n]*|"[^"\\\n]*(?:\\.[^"\\\n]*)*"?|'[^'\\\n]*(?:\\.[^'\\\n]*)*'?""")


class _Regions:
    """Multi-line literals (triple-quoted strings, ``/* */`` comments, template literals), found
    with ``str.find`` only and only as far into the file as a question needs.

    Why lazily: a detector usually asks about its first match near the top of a file, so the
    literals after it need not be located at all (most files of a monorepo are asked about once).
    The result equals locating them all up front: openers are walked in file order, an opener
    inside a literal already found is skipped, and a literal with no closer runs to the end.
    """

    def __init__(self, text: str, openers: tuple[tuple[str, str], ...]) -> None:
        self.text = text
        self.closers = dict(openers)
        # next occurrence of each opener, chained as ``find(opener, previous + len(opener))``
        self.upcoming = {opener: text.find(opener) for opener, _ in openers}
        self.spans: list[tuple[int, int]] = []
        self.frontier = 0  # end of the last literal found: openers before it are inside it

    def upto(self, offset: int) -> list[tuple[int, int]]:
        """The literals that start at or before ``offset`` (and possibly a few after)."""
        text, upcoming = self.text, self.upcoming
        while upcoming:
            opener = min(upcoming, key=upcoming.__getitem__) if len(upcoming) > 1 else next(iter(upcoming))
            start = upcoming[opener]
            if start > offset:
                break
            if start < self.frontier:  # inside a literal of the other kind: walk on
                following = text.find(opener, start + len(opener))
            else:
                closer = self.closers[opener]
                end = text.find(closer, start + len(opener))
                end = len(text) if end < 0 else end + len(closer)
                self.spans.append((start, end))
                self.frontier = end
                # the next opener of this kind is past the literal: its own closer is the next one
                # (triple quotes, backtick) or it cannot overlap itself (``/*``): no occurrence is skipped
                following = text.find(opener, end)
            if following < 0:
                del upcoming[opener]
            else:
                upcoming[opener] = following
        return self.spans


class LiteralMap:
    """Answers "is this offset inside a comment or string?" without lexing the whole file.

    Why: lexing every file of a 14 MB monorepo with a regex costs seconds in CPython, while
    detectors ask about a few dozen offsets. Multi-line literals are located with ``str.find``,
    lazily, up to the offset asked; one-line strings and comments are lexed on demand, on the
    asked line only. Approximations (a triple quote inside a one-line string or comment, JS regex
    literals) are rare and only ever hide evidence.
    """

    def __init__(self, text: str, suffix: str, name: str = "") -> None:
        self.text = text
        self.regions = _Regions(text, ())
        if suffix in PY_EXT:
            self.line_lexer: re.Pattern[str] | None = _PY_LINE
            self.regions = _Regions(text, (('"""', '"""'), ("'''", "'''")))
        elif suffix in JS_EXT or suffix in C_LIKE_EXT:
            self.line_lexer = _JS_LINE
            self.regions = _Regions(text, (("/*", "*/"), ("`", "`")))
        elif (
            suffix in HASH_EXT
            or name.lower() in HASH_NAMES
            or name.lower().startswith((".env", "dockerfile"))
        ):
            self.line_lexer = _HASH_LINE
        else:
            self.line_lexer = None
        self.is_js = suffix in JS_EXT

    def contains(self, offset: int) -> bool:
        if self.line_lexer is None:
            return False
        regions = self.regions.upto(offset)
        index = bisect_right(regions, (offset, 1 << 62)) - 1
        start = self.text.rfind("\n", 0, offset) + 1
        if index >= 0:
            region_start, region_end = regions[index]
            if region_start <= offset < region_end:
                return not (self.is_js and self._kept(region_start))
            start = max(start, region_end)
        for match in self.line_lexer.finditer(self.text, start, offset + 1):
            if match.start() <= offset < match.end() or (
                match.end() == offset + 1 and match.start() < offset
            ):
                return not (self.is_js and match.group()[:1] in "\"'" and self._kept(match.start()))
        return False

    def _kept(self, start: int) -> bool:
        """JS strings that are code: module specifiers and test names."""
        return bool(_MODULE_SPEC.search(self.text, max(0, start - 12), start))


_HASH_LINE = re.compile(r"^[ \t]*[#;][^\n]*", re.MULTILINE)


def _blank(text: str) -> str:
    """Same length, only the newlines kept: line numbers of what follows stay right."""
    if "\n" not in text:
        return " " * len(text)
    return "\n".join(" " * len(part) for part in text.split("\n"))


def code_view(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the ``spans`` blanked (a string keeps its quotes); same length and lines."""
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        piece = text[start:end]
        quoted = piece[:1] in "\"'`" and len(piece) >= 2
        parts.append(piece[0] + _blank(piece[1:-1]) + piece[-1] if quoted else _blank(piece))
        last = end
    parts.append(text[last:])
    return "".join(parts)
