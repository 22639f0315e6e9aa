"""Evidence units: the pieces of a document a report may quote, with their structure kept.

Why units and not sentences: the answer to "which types of …" or "what must the note
contain" is a list — bullet items, numbered steps, table rows, or sub-headings under a
heading ("##### Flexitour", "##### Gliding"). A sentence splitter drops all of those. Each
unit here is one line's worth of text (a heading, an item, a step, a row, a definition or a
sentence) whose ``quote`` is the exact slice ``document.text[start:end]`` on a single line, so
quotes keep the original characters (curly quotes, accents) and are byte-exact in the file.
Every unit knows its heading path and its *lead-in* (the heading, or the sentence ending in
":", that introduces it), which is how a list is read back as a group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_ITEM = re.compile(r"^([ \t]*)(?:[-*+•]|(\d{1,2})[.)])[ \t]+(.+)$")
_TABLE_SEPARATOR = re.compile(r"^\|?[ \t:|-]+\|[ \t:|-]*$")
_DEFINITION = re.compile(r"^\*\*[^*]{2,60}\*\*[ \t]*[:—–-]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“¿¡(]?[A-ZÁÉÍÓÚÑ0-9])")
# Lines that are markup, not prose: template tags, HTML tags, images, front-matter rulers.
_MARKUP_LINE = re.compile(r"^(?:\{%.*%\}|<[^>]+>|!\[|---+$|```|\{\{)")
MAX_UNIT_CHARS = 500


@dataclass(frozen=True)
class Unit:
    """One quotable piece of a document.

    ``kind``: heading | item | step | row | definition | sentence. ``lead`` is the index (in
    the document's unit list) of the heading or "…:" sentence that introduces this unit, -1
    if none; ``section`` the index of the heading it sits under. ``path`` holds the texts of
    the headings above it, outermost first (for heading-aware scoring).
    """

    index: int
    kind: str
    start: int
    end: int
    quote: str
    lead: int
    section: int
    level: int
    path: tuple[str, ...]


def _sentences(line: str, offset: int) -> list[tuple[int, int]]:
    """Exact spans of the sentences of one line of prose."""
    spans, pos = [], 0
    for match in _SENTENCE_END.finditer(line):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(line)))
    return [(offset + a, offset + b) for a, b in spans if line[a:b].strip()]


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line) for every line of ``text``."""
    out, offset = [], 0
    for line in text.split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


def _kind_of(line: str) -> str:
    stripped = line.strip()
    if not stripped:
        return "blank"
    if _HEADING.match(stripped):
        return "heading"
    if _MARKUP_LINE.match(stripped):
        return "markup"
    if stripped.startswith(">"):  # a blockquote: its prose lines only, never its headings
        content = stripped.lstrip("> \t")
        return "quoted" if content and not content.startswith("#") else "markup"
    if _ITEM.match(line):
        return "item"
    if stripped.startswith("|"):
        return "row"
    if _DEFINITION.match(stripped):
        return "definition"
    return "prose"


@lru_cache(maxsize=256)
def document_units(text: str) -> tuple[Unit, ...]:
    """Split a document into units (cached by text: the same document is asked about often).

    Hard-wrapped prose and wrapped list items are joined first (a sentence may run over a
    line break; the quote then keeps that line break, as the file does).
    """
    units: list[Unit] = []
    headings: list[tuple[int, int, str]] = []  # (level, unit index, text) of the open headings
    lead_in = -1  # a "…:" sentence that introduces the list right below it
    lines = _lines(text)
    i = 0
    while i < len(lines):
        start, line = lines[i]
        kind = _kind_of(line)
        i += 1
        if kind in ("blank", "markup"):
            if kind == "blank" and (i >= len(lines) or _kind_of(lines[i][1]) not in ("item",)):
                lead_in = -1
            continue
        section = headings[-1][1] if headings else -1
        path = tuple(h[2] for h in headings)

        def add(
            kind: str, a: int, b: int, lead: int, level: int = 0, section: int = section, path: tuple = path
        ) -> None:
            raw = text[a:b]
            quote = raw.strip()
            if quote:
                a += len(raw) - len(raw.lstrip())
                units.append(Unit(len(units), kind, a, a + len(quote), quote, lead, section, level, path))

        if kind == "heading":
            heading = _HEADING.match(line.strip())
            if heading is None:  # pragma: no cover - _kind_of matched the same pattern
                continue
            level = len(heading.group(1))
            while headings and headings[-1][0] >= level:
                headings.pop()
            parent = headings[-1][1] if headings else -1
            a = start + line.index(heading.group(2))
            title = heading.group(2)
            outer = tuple(h[2] for h in headings)
            units.append(Unit(len(units), "heading", a, a + len(title), title, parent, parent, level, outer))
            headings.append((level, len(units) - 1, heading.group(2)))
            lead_in = -1
            continue
        end = start + len(line)
        if kind == "quoted":  # one quoted paragraph: its lines, without the "> " markers
            while i < len(lines) and _kind_of(lines[i][1]) == "quoted":
                end = lines[i][0] + len(lines[i][1])
                i += 1
            a = start + len(line) - len(line.lstrip("> \t"))
            for x, y in _sentences(text[a:end], a):
                add("sentence", x, y, section)
            lead_in = -1
            continue
        # continuation lines: wrapped prose, or the indented/unmarked rest of a list item
        while i < len(lines) and _kind_of(lines[i][1]) == "prose" and kind in ("prose", "item"):
            end = lines[i][0] + len(lines[i][1])
            i += 1
        if kind == "item":
            item = _ITEM.match(line)
            if item is None:  # pragma: no cover - _kind_of matched the same pattern
                continue
            unit_kind = "step" if item.group(2) else "item"
            a = start + item.start(3)
            lead = lead_in if lead_in >= 0 else section
            if end - a > MAX_UNIT_CHARS:
                for x, y in _sentences(text[a:end], a):
                    add(unit_kind, x, y, lead, len(item.group(1)))
            else:
                add(unit_kind, a, end, lead, len(item.group(1)))
            continue
        if kind == "row":
            if not _TABLE_SEPARATOR.match(line.strip()):
                add("row", start, end, lead_in if lead_in >= 0 else section)
            continue
        if kind == "definition":
            add("definition", start, end, section)
            continue
        for a, b in _sentences(text[start:end], start):
            add("sentence", a, b, section)
        lead_in = len(units) - 1 if text[start:end].rstrip().endswith(":") and units else -1
    return tuple(units)


def children(units: tuple[Unit, ...], lead: Unit) -> list[Unit]:
    """What ``lead`` introduces: its items/steps/rows, or the sub-headings right under it.

    A heading whose section holds no list but whose sub-headings are the list ("Types of
    flexible schedules" → "Flexitour", "Gliding", …) yields those sub-headings.
    """
    listed = [u for u in units if u.lead == lead.index and u.kind in ("item", "step", "row") and u.level == 0]
    if listed or lead.kind != "heading":
        return listed
    return [u for u in units if u.kind == "heading" and u.lead == lead.index and not u.quote.endswith("?")]


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAGS = re.compile(r"\{%[^%]*%\}|\{\{[^}]*\}\}|<[^>]{1,200}>")
_QUOTE_MARKER = re.compile(r"\n[ \t]*>[ \t]?")
_EMPHASIS = re.compile(r"(\*\*|__|`)")


def plain(quote: str) -> str:
    """Readable text of a quote for the report body: links keep their words, markup goes.

    The quote itself is never changed (it is what is verified); only the sentence shown in
    the findings is cleaned, e.g. ``[Overtime]({% page "/x/" %}): Yes`` → ``Overtime: Yes``.
    """
    text = _QUOTE_MARKER.sub(" ", quote)
    text = _LINK.sub(r"\1", text)
    text = _TAGS.sub("", text)
    text = _EMPHASIS.sub("", text).replace("\\_", "_").replace("\\*", "*")
    if text.startswith("|"):
        text = " — ".join(cell.strip() for cell in text.strip("|").split("|") if cell.strip())
    return " ".join(text.split())
