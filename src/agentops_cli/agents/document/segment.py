"""Cut a document into sentences, sections and chunks, and find company names.

All functions return character offsets into the text they were given, never copies
detached from it, so whatever the rules find can be grounded for free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

_ABBREVIATIONS = {
    "inc", "ltd", "corp", "co", "no", "nº", "n", "sr", "sra", "dña", "d", "fdo", "e.g", "i.e", "etc",
    "st", "mr", "mrs", "ms", "dr", "art", "vs", "approx", "núm", "pág", "tel", "cif", "nif", "s.l", "s.a",
    "b.v", "n.v", "s.c", "l.l.c", "p", "pp", "v",
}  # fmt: skip
_HEADING_START = re.compile(
    r"\s*(?:#{1,6}\s|\d+(?:\.\d+)*[.)]?\s|[-*•]\s|\|)|\s*(?:Cl[aá]usula|CL[AÁ]USULA|Article|ARTICLE|Section)\b"
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def sentences(text: str) -> list[Span]:
    """Sentence-like units of ``text`` (cached: every step of a run cuts the same text)."""
    return list(_sentences(text))


@lru_cache(maxsize=4)
def _sentences(text: str) -> tuple[Span, ...]:
    """Sentence-like units: split at terminal punctuation (not after abbreviations such as
    "S.L." or "Inc."), at blank lines, and at line breaks that end a short line or start
    a heading, list item or table row. Wrapped PDF lines stay in one sentence."""
    cuts: set[int] = {0, len(text)}
    for m in re.finditer(r"[.!?;](?=\s)", text):
        word = re.search(r"([\w.]+)$", text[max(0, m.start() - 12) : m.start()])
        token = word.group(1).lower() if word else ""
        if token in _ABBREVIATIONS or (re.fullmatch(r"(?:\w\.)*\w", token) and len(token) <= 1):
            continue
        cuts.add(m.end())
    line_start = 0
    for m in re.finditer(r"\n", text):
        line = text[line_start : m.start()]
        # text.find, not `"\n" in text[m.end():]`: slicing the rest of the text at every line
        # break made a 1 MB text cost seconds and a 20 MB one hours (quadratic)
        next_end = text.find("\n", m.end())
        next_line = text[m.end() : next_end if next_end != -1 else len(text)]
        if (
            len(line.strip()) < 60
            or line.rstrip().endswith((":", ".", ";", "|"))
            or not next_line.strip()
            or _HEADING_START.match(next_line)
        ):
            cuts.add(m.end())
        line_start = m.end()
    ordered = sorted(cuts)
    spans: list[Span] = []
    for a, b in pairwise(ordered):
        chunk = text[a:b]
        stripped = chunk.strip()
        if stripped:
            offset = a + chunk.find(stripped)
            spans.append(Span(offset, offset + len(stripped)))
    return tuple(spans)


def hit_units(text: str, units: list[Span], pattern: re.Pattern[str]) -> list[int]:
    """Indexes of the units ``pattern`` occurs in: one regex pass over the whole text, each
    hit mapped to its unit, instead of one search per sentence."""
    from bisect import bisect_right

    starts = [u.start for u in units]
    hits: list[int] = []
    for m in pattern.finditer(text):
        index = bisect_right(starts, m.start()) - 1
        if index >= 0 and m.start() < units[index].end and (not hits or hits[-1] != index):
            hits.append(index)
    return hits


def sections(text: str) -> list[Span]:
    """Blocks that start at a heading (numbered clause, markdown heading, ``Cláusula N``,
    ``PRIMERA.-``) and run to the next one: the unit a clause is reported as."""
    heading = re.compile(
        r"^[ \t]*(?:#{1,6}[ \t]+\S|\d+(?:\.\d+)*\.?[ \t]+[A-ZÁÉÍÓÚÑ]|Cl[aá]usula[ \t]+\d+|CL[AÁ]USULA|"
        r"Article[ \t]+\d+|"
        r"(?:PRIMERA|SEGUNDA|TERCERA|CUARTA|QUINTA|SEXTA|S[EÉ]PTIMA|OCTAVA|NOVENA|D[EÉ]CIMA)\b)",
        re.M,
    )
    starts = sorted({m.start() for m in heading.finditer(text)} | {0})
    spans: list[Span] = []
    for a, b in zip(starts, [*starts[1:], len(text)], strict=False):
        block = text[a:b]
        stripped = block.strip()
        if stripped:
            offset = a + block.find(stripped)
            spans.append(Span(offset, offset + len(stripped)))
    return spans


def enclosing_sentence(text: str, start: int, end: int, units: list[Span] | None = None) -> Span:
    for unit in units or sentences(text):
        if unit.start <= start and end <= unit.end:
            return unit
    return Span(start, end)


# -- company names -------------------------------------------------------------------------------
# A legal form ends a company name: it is never a word inside one.
_NOT_A_NAME_WORD = (
    r"(?!(?:Inc|INC|Ltd|LTD|LLC|plc|PLC|Corp|CORP|Corporation|CORPORATION|GmbH|Limited|LIMITED)\b)"
)
# A name word starts with a capital, a digit-word ("3D") or a lower-case brand prefix ("iShip",
# "mPhase", "ebix.com").
_WORD = (
    _NOT_A_NAME_WORD
    + r"(?:[A-ZÁÉÍÓÚÑÜ]|\d+[A-Za-z]|[a-z]{1,2}(?=[A-Z])|[a-z][\w\-]*(?=\.com\b))"
    + r"[\w&'’\-]*(?:\.[A-Za-z][\w&'’\-]*)*"
)
_CONNECT = r"(?:de|del|la|las|los|y|and|of|the|&|für|e)"
_SUFFIX = (
    # "AS" (a Norwegian form) is also the English word: "SERVICES AS UNDERWRITER" is a heading
    r"(?:Inc\.?|INC\.?|Incorporated|INCORPORATED|LLC\.?|L\.L\.C\.|Ltd\.?|LTD\.?|Limited|LIMITED|plc|PLC|GmbH|AG|"
    r"AS(?![ \t]+[A-Z])|ASA|A/S|AB|"
    r"Corp\.?|CORP\.?|Corporation|CORPORATION|L\.P\.|LP|Co\.,?\s+Ltd\.?|PTE\.?,?\s+LTD\.?|Company|COMPANY|"
    r"LLP|S\.?L\.?U?\.|S\.L|S\.?A\.?U?\.|S\.A|S\.C\.|S\.Coop\.|B\.V\.|N\.V\.|SAS|S\.A\.S\.|S\.p\.A\.|S\.r\.l\.|"
    r"SARL|Pty\.?\s+Ltd\.?)"
)
# A country or city in brackets inside a name: "Example Trading (Shanghai) Co., Ltd.", "Acme (UK) Ltd."
_BRACKETED = r"(?:[ \t]+\([A-Z][\w.]*(?:[ \t][A-Z][\w.]*)?\))?"
_COMPANY = re.compile(
    rf"{_WORD}(?:[ \t]+(?:{_CONNECT}[ \t]+)?{_WORD}){{0,6}}{_BRACKETED},?[ \t]+{_SUFFIX}"
    r"(?![\w])(?![ \t]+A[ \t])"
)
_LEADING_NOISE = re.compile(
    r"^(?:[\w\s&,-]*?\b(?:Between|BETWEEN|Among|AMONG|Entre|ENTRE|AGREEMENT|CONTRACT|CONTRATO)[ \t]+)?"
    r"(?:(?:For|By|Between|And|AND|Signed|Signature|Por|Entre|Y|De|Bill|Billed|To|Cliente|Client|Customer|"
    r"From|Provider|Supplier|Vendor|Prepared|Submitted|THIS|This|The|El|La)[ \t]+)+"
)


# An article a few capitalised words before a legal form describes a party ("a Delaware
# Corporation", "a Nevada Limited Liability Company", "una Sociedad Anónima"), it does not name one.
_DESCRIBED = re.compile(r"\b(?:an?|una?)\s+(?:[A-Z][\w/&-]*[ \t]+){0,3}$")
_PLACE_AND = re.compile(r"[A-Z][\w-]*(?:[ \t]+[A-Z][\w-]*)?[ \t]+and[ \t]+")
_LAWS_OF = re.compile(r"\b(?:laws?|State|Province|Republic)\s+of\s+(?:the\s+)?$")


def companies(text: str) -> list[Span]:
    """Spans of company names that end with a legal form (Inc., Ltd, GmbH, S.L., S.A., B.V. …)."""
    found: list[Span] = []
    for m in _COMPANY.finditer(text):
        name = m.group(0)
        trimmed = _LEADING_NOISE.sub("", name)
        if not trimmed or trimmed.split()[0] in {"LLC", "Ltd", "Inc"}:
            continue
        start = m.start() + (len(name) - len(trimmed))
        if _DESCRIBED.search(text[max(0, start - 60) : start]):
            continue  # "a Delaware Corporation", "a Nevada Limited Liability Company" describe a party
        place = _PLACE_AND.match(text[start : m.end()])
        if place and _LAWS_OF.search(text[max(0, start - 30) : start]):
            start += place.end()  # "… under the laws of Singapore and Example Industries Ltd"
        found.append(Span(start, m.end()))
    return found


# -- chunks --------------------------------------------------------------------------------------
def chunks(text: str, size: int, overlap: int) -> list[tuple[int, str]]:
    """Windows of at most ``size`` characters overlapping by ``overlap``, cut at a paragraph
    or sentence boundary when one is near, so a clause is rarely split across two chunks."""
    if len(text) <= size:
        return [(0, text)]
    overlap = min(overlap, size // 2)
    out: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            window = text[start + size // 2 : end]
            cut = max(window.rfind("\n\n"), window.rfind(". "), window.rfind("\n"))
            if cut > 0:
                end = start + size // 2 + cut + 1
        out.append((start, text[start:end]))
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return out
