"""Contract fields read from a contract's structure rather than from the first match.

A contract says who the parties are in its *preamble* ("by and between X, a Delaware
corporation ("Licensor"), and Y ("Licensee")"), its dates in the preamble or the *term*
section, and carries noise a rule must not read: EDGAR filing stamps ("Source: ACME CORP,
8-K, 4/18/2017"), page footers, exhibit headers. These functions return ``Quoted`` values
with position hints, like every offline twin.
"""

from __future__ import annotations

import re
from functools import lru_cache

from agentops_cli.agents.document.canonical import RENEWAL_RANK, add_duration, renewal, term_length
from agentops_cli.agents.document.normalize import Found, find_dates, find_durations
from agentops_cli.agents.document.schemas import Quoted
from agentops_cli.agents.document.segment import Span, companies, hit_units, sentences

# -- noise ---------------------------------------------------------------------------------------
_NOISE = re.compile(
    r"Source:[^\n]{0,160}?\b\d{1,2}/\d{1,2}/\d{2,4}|"  # EDGAR stamp: "Source: X, 8-K, 4/18/2017"
    r"\bPage\s+\d+\s+of\s+\d+\b|\bP[aá]gina\s+\d+\s+de\s+\d+\b|"
    r"\bFiled\s+(?:on|with)[^\n]{0,80}?\d{4}|"
    # the same stamp without "Source:": "EXAMPLE HOLDINGS INC, 10-Q/A, 2/20/2009"
    r"^[^\n]{1,80}?,\s*(?:\d{1,2}-K|10-Q|10-K|S-\d|F-\d|DRS|\d{2,3}[A-Z]{1,6})[^\n,]{0,20},\s*\d{1,2}/\d{1,2}/\d{4}",
    re.I | re.M,
)


def noise_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _NOISE.finditer(text)]


@lru_cache(maxsize=4)
def _clean_dates(text: str, language: str) -> tuple[Found, ...]:
    noise = noise_spans(text)
    return tuple(d for d in find_dates(text, language) if not any(s <= d.start < e for s, e in noise))


def clean_dates(text: str, language: str) -> list[Found]:
    """Every date that is not part of a filing stamp or a page footer."""
    return list(_clean_dates(text, language))


# -- parties -------------------------------------------------------------------------------------
_PREAMBLE_START = re.compile(
    r"\b(?:by\s+and\s+(?:between|among)|between|among|entre|REUNIDOS|"
    r"(?:entered\s+into|made|executed)\s+by(?!\s+and))\b",
    re.I,
)
# The preamble is one sentence: it ends at the first full stop after a lower-case word or a closing
# bracket or quote ('… an individual.', '(the "Company"). Pursuant to …'), so a later "the Company"
# or a recital's other company is not read as a party. A full stop after a capitalised word is an
# abbreviation in a name or an address ("Inc.", "Corporation.", "Av.", "Ont.") and does not end it,
# nor does a party list that goes on ("… S.A.\nY de otra, …", "(2) …", "AND: …").
_FULL_STOP = re.compile(
    r"(?:(?<=[a-z][a-z])|(?<=[)\"”’']))\.(?=\s+[A-Z])(?!\s+(?:Y\s+de\s+otra|De\s+otra|AND\b|And\b))"
)
_NOT_A_STOP = {"etc", "inc", "ltd", "corp", "co", "approx", "vs", "seq", "no", "nos", "sq", "ft"}
_PREAMBLE_END = re.compile(
    r"\b(?:WHEREAS|Whereas|RECITALS|Recitals|W\s?I\s?T\s?N\s?E\s?S\s?S\s?E\s?T\s?H|BACKGROUND|"
    r"NOW,?\s+THEREFORE|EXPONEN|MANIFIESTAN|ACUERDAN)\b"
)
_ALIAS = re.compile(
    r"\(\s*(?:each\s+|collectively,?\s+|together,?\s+)?(?:the\s+|hereinafter(?:\s+(?:referred\s+to\s+as|called))?,?\s+|"
    r"en\s+adelante,?\s+|referred\s+to\s+as\s+)?(?:the\s+|el\s+|la\s+|as\s+)?(?:''|[\"“'‘])([^\"”'’()]{1,40})[\"”'’)]"
)
_BOUNDARY = re.compile(
    r"\b(?:(?:y\s+)?de\s+(?:una|otra)\s+parte,?|between|among|and|entre|y|AND|BETWEEN)\b|[;)\n]\s*|:\s", re.I
)
# Defined terms that are not parties: ("the "Agreement"), ("Effective Date") …
_NOT_A_PARTY_ALIAS = re.compile(
    r"agreement|contract|contrato|effective|date|services?|products?|territory|term|fecha|servicios?|parties|partes",
    re.I,
)
_DESCRIPTION = re.compile(
    r",?\s+(?:an?|the|una?|with|whose|having|located|organized|incorporated|existing|con|sociedad|"
    r"domiciliad\w*|registered|doing|acting|on\s+behalf|as\s+(?:agent|administrator|trustee|nominee))\b|,\s*\(|\s*\(",
    re.I,
)
_GENERIC = re.compile(
    r"^(?:the\s+)?(?:party|parties|company|agreement|effective\s+date|licensor|licensee|"
    r"distributor|supplier|customer|each|both|it|el|la|las|partes?)$",
    re.I,
)
_HEADING_CUT = re.compile(r"^.*\b(?:Between|BETWEEN|Among|AMONG|Entre|ENTRE|By|BY|AGREEMENT|CONTRATO)\s+")


_ADDRESS_PART = re.compile(
    # a last word with a digit is a postal code ("OR 97301", "BC V5A 1V3"), not a name's end
    r"\s\S*\d\S*$|^(?:STE|Ste|Suite|SUITE|Floor|Apt|Unit|P\.?\s?O\.?\s+Box)\b|^[A-Z](?:\.[A-Z])+\.?$"
)


# "laws of England and", "registered in England and", "constituida en España y": the words before
# an "and" that ends a place in a party's description, whose second half is no party either
_PLACE_BEFORE = re.compile(
    r"\b(?:(?:laws?|State|Province|Republic|leyes)\s+(?:of|de)|"
    r"(?:registered|incorporated|organi[sz]ed|formed|domiciled|registrada|constituida|domiciliada)\s+(?:in|under|en))"
    r"\s+(?:the\s+|la\s+|el\s+)?[\w ]{1,30}$",
    re.I,
)
_ENDS_A_NAME = re.compile(r"(?:^|\n)[^\n]{0,59}\n$|[;:)\n][ \t]*\n$|\n[ \t]*\n$")


def _name_before(region: str, alias_start: int) -> tuple[int, int] | None:
    window_start = max(0, alias_start - 400)
    before = region[window_start:alias_start].rstrip()  # a name on its line, its alias on the next
    cut = 0
    for m in _BOUNDARY.finditer(before):
        # A line break inside a long wrapped line is a space ("… at 4 Mill\nRoad, Reading"): only a
        # blank line, the end of a short line (a title block) or of a clause ends a name.
        if m.group(0).startswith("\n") and not _ENDS_A_NAME.search(before, 0, m.start() + 1):
            continue
        cut = m.end()
    # the name starts after the boundary's blank: " The Example Press, a …" must not read "The" as
    # the start of a description
    cut += len(before[cut:]) - len(before[cut:].lstrip())
    segment = before[cut:]
    desc = _DESCRIPTION.search(segment)
    if desc and desc.start() > 0:
        segment = segment[: desc.start()]
    stripped = re.sub(r"\s+(?:of|de)$", "", segment.strip(" ,.\t\n\"“”'"))  # "JANE ROE of (the …)"
    if stripped[:1].islower() and ", " in stripped:
        stripped = stripped.rsplit(", ", 1)[1]  # "professional sailor, JANE ROE"
    if _PLACE_BEFORE.search(before[:cut]):
        return None  # "… under the laws of England and Wales, having …": a place, not a party
    if not stripped or not re.match(r"[A-Z0-9ÁÉÍÓÚÑ]", stripped) or not 3 <= len(stripped) <= 90:
        return None
    if re.match(r"(?:This|That|These|Este|Esta|El\s+presente|La\s+presente)\b", stripped):
        return None
    if _ADDRESS_PART.search(stripped):
        return None  # "OR 97301", "BC V5A 1V3", "STE 4", "U.S.A": the end of an address, not a name
    if (
        _GENERIC.match(stripped)
        or len(stripped.split()) > 9
        or re.search(r"\b(?:AS|as|DATED|dated)$", stripped)
    ):
        return None
    start = window_start + cut + segment.find(stripped)
    return start, start + len(stripped)


def _trim_heading(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """ "MASTER SERVICES AGREEMENT Between RadialSpark, LLC" → "RadialSpark, LLC"."""
    name = text[span[0] : span[1]]
    m = _HEADING_CUT.match(name)
    return (span[0] + m.end(), span[1]) if m else span


def _key(name: str) -> str:
    words = re.findall(r"[a-z0-9]+", name.lower())
    legal = {"inc", "llc", "ltd", "corp", "corporation", "limited", "co", "sl", "sa", "s", "l", "a", "the"}
    return " ".join(w for w in words if w not in legal)


_RELATED = re.compile(
    r"(?:division|subsidiary|affiliate|parent|administrator|agent|trustee)\s+(?:of|for)\s+(?:the\s+)?$|"
    r"on\s+behalf\s+of\s+(?:the\s+)?$|filial\s+de\s+$",
    re.I,
)


def _sentence_end(text: str, start: int, end: int) -> int:
    for m in _FULL_STOP.finditer(text, start, end):
        word = re.search(r"([\w.]+)$", text[max(start, m.start() - 12) : m.start()])
        token = word.group(1).lower() if word else ""
        if token in _NOT_A_STOP:
            continue  # "etc.", "inc."
        return m.end()
    return end


def parties(text: str, max_parties: int = 6) -> list[Quoted]:
    """The contracting parties named in the preamble: legal names (with their legal form) and
    names introduced with a defined alias (``("Licensor")``), in order of appearance."""
    head = text[:6000]
    start = _PREAMBLE_START.search(head)
    if start is None:
        return []
    end = _PREAMBLE_END.search(head, start.end())
    region_end = end.start() if end else min(len(head), start.end() + 1500)
    region_end = min(region_end, start.end() + 2500, _sentence_end(head, start.end(), region_end))
    offset = start.start()
    region = text[offset:region_end]
    spans: list[tuple[int, int]] = []
    for span in companies(region):
        spans.append(_trim_heading(region, (span.start, span.end)))
    for m in _ALIAS.finditer(region):
        if _NOT_A_PARTY_ALIAS.search(m.group(1)):
            continue
        name = _name_before(region, m.start())
        if name:
            spans.append(name)
    # A filing stamp names the filer ("Source: EXAMPLE CORP, 10-Q, …"), not a party.
    noise = [(s - offset, e - offset) for s, e in noise_spans(text[: offset + len(region)])]
    spans = [
        (s, e)
        for s, e in spans
        if not any(ns <= s < ne for ns, ne in noise)
        and not re.search(r"\s(?:AS|as|DATED)$", region[s:e])
        # a name in brackets is a former name or a register entry ("(formerly known as …)")
        and region.count("(", 0, s) <= region.count(")", 0, s)
        # "X, a division of Y", "as Administrator for Y": Y is related to a party, not one
        and not _RELATED.search(region[max(0, s - 40) : s])
    ]
    found: list[tuple[int, int]] = []
    keys: list[str] = []
    for s, e in sorted(spans, key=lambda span: (span[0], -span[1])):
        key = _key(region[s:e])
        if not key or any(f" {key} " in f" {k} " or f" {k} " in f" {key} " for k in keys):
            continue
        if any(s < fe and fs < e for fs, fe in found):
            continue
        keys.append(key)
        found.append((s, e))
        if len(found) == max_parties:
            break
    return [Quoted.at(text, offset + s, offset + e) for s, e in found]


def title_parties(text: str) -> list[Span]:
    return companies(text[:2500])


# -- dates ---------------------------------------------------------------------------------------
_DEFINED_EFFECTIVE = re.compile(
    r"^\W{0,4}\s*(?:\(\s*)?(?:the\s+|la\s+|en\s+adelante,?\s+(?:la\s+)?)?[\"“']?"
    r"(?:Effective\s+Date|Commencement\s+Date|Fecha\s+de\s+(?:Entrada\s+en\s+Vigor|Efecto))",
    re.I,
)
_AS_OF = re.compile(
    r"(?:effective\s+(?:as\s+of|from|on)|(?:dated|made|entered\s+into|executed)(?:\s+and\s+entered\s+into)?"
    r"\s+(?:effective\s+)?(?:as\s+of|on|this)|dated|commenc\w*\s+(?:on|from)|start(?:s|ing)?\s+on|"
    r"entrar[aá]\s+en\s+vigor\s+el|en\s+vigor\s+(?:desde|el)|a\s+contar\s+desde\s+el|"
    r"con\s+efectos?\s+(?:desde|a\s+partir\s+del?)|effective\s+date\s*[:|]|"
    r"fecha\s+de\s+(?:entrada\s+en\s+vigor|efecto)\s*[:|]?)\s*",
    re.I,
)


# "that certain Purchase Agreement, dated March 1, 2001", "the Supply Agreement dated June 2,
# 2010", "by letter dated …": the date of another deal or paper, not of this contract.
_DATED_HERE = re.compile(r"dated\s+(?:as\s+of\s+)?(?:the\s+)?$", re.I)
_OTHER_DEAL = re.compile(
    r"\bthat\s+certain\b|\bletter\b|\b[A-Z][\w&-]*\s+(?:Agreement|Contract|Amendment)\b[^.;]{0,120}$"
)
_THIS_DEAL = re.compile(
    r"\b(?:This|THIS|this)\s+(?:[\w&-]+\s+){0,5}?(?:Agreement|AGREEMENT|Contract|Amendment)\b"
)


def _another_deals_date(text: str, start: int) -> bool:
    dated = _DATED_HERE.search(text[max(0, start - 25) : start])
    if dated is None:
        return False
    window = text[max(0, start - 25 - 160) : max(0, start - 25) + dated.start()]
    return bool(_OTHER_DEAL.search(window)) and not _THIS_DEAL.search(window)


# "The term of this Agreement will begin on February 1, 2011", "commencing the 1st day of
# March 2019", "comenzará el 1 de marzo de 2025": the day the term starts.
_TERM_STARTS = re.compile(
    r"(?:commenc\w*|begin\w*|start\w*|comenzar[aá]|empezar[aá]|iniciar[aá])\s+(?:on\s+|as\s+of\s+|from\s+|el\s+)?"
    r"(?:the\s+)?$",
    re.I,
)


def _term_start(text: str, dates: list[Found]) -> Found | None:
    from bisect import bisect_right

    units = sentences(text)
    starts = [u.start for u in units]
    for found in dates:
        if not _TERM_STARTS.search(text[max(0, found.start - 40) : found.start]):
            continue
        index = bisect_right(starts, found.start) - 1
        if index >= 0 and _sets_term(text[units[index].start : units[index].end]):
            return found
    return None


def effective_date(text: str, language: str) -> Quoted | None:
    """The date defined as the Effective Date, else the day the term section says the term
    starts on (the contract is in effect from then, whatever day it was signed), else the one the
    preamble says the contract is dated / made / effective as of, else the first date of the
    preamble (stamps excluded)."""
    dates = clean_dates(text, language)
    for found in dates:
        if _DEFINED_EFFECTIVE.match(text[found.end : found.end + 40]):
            return Quoted.at(text, found.start, found.end)
    dates = [d for d in dates if not _another_deals_date(text, d.start)]
    starts = _term_start(text, dates)
    if starts is not None:
        return Quoted.at(text, starts.start, starts.end)
    for found in dates:
        if found.start > 15000:
            break
        before = text[max(0, found.start - 45) : found.start]
        if re.search(_AS_OF.pattern + r"(?:the\s+)?$", before, re.I):
            return Quoted.at(text, found.start, found.end)
    head = [d for d in dates if d.start < 3000]
    return Quoted.at(text, head[0].start, head[0].end) if head else None


_EXPIRATION = re.compile(
    r"(?:expir(?:e|es|ing)|terminat(?:e|es|ing)|end(?:s|ing)?|conclud(?:e|es|ing)|continu(?:e|es|ing)|remain\w*\s+in\s+(?:full\s+)?"
    r"(?:force|effect)(?:\s+and\s+effect)?|through|until|till|finalizar[aá]|vencer[aá]|hasta)"
    r"(?:\s+(?:on|at|as\s+of|midnight|the\s+close\s+of\s+business|el|in\s+effect))*\s*(?:on\s+)?$|"
    r"(?:expiration|end|termination)\s+date\s*(?:[:|]|shall\s+be|is)\s*$|"
    r"fecha\s+de\s+(?:vencimiento|finalizaci[oó]n)\s*[:|]?\s*$",
    re.I,
)


# The sentence that sets this contract's own term has the term (or the contract) as its subject and
# a verb that starts, runs or ends it: "The term of this Agreement shall …", "This Agreement shall
# commence on … and continue …", ""Contract Period" shall mean …" — not "during the term of this
# Agreement" (a licence, a duty), which only refers to it.
_TERM_SUBJECT = re.compile(
    r"(?:\b(?:initial\s+)?(?:term|period|duration)\s+of\s+(?:this|the)\s+(?:\w+\s+){0,2}?(?:agreement|contract|license)|"
    r"\b(?:this|the)\s+(?:\w+\s+){0,2}?(?:agreement|contract|engagement)\b|"
    r"[\"“](?:initial\s+|contract\s+)?(?:term|period)[\"”]|"
    r"\b(?-i:Term|TERM)\b|\binitial\s+(?:term|period)\b|\bterm\s+of\s+this\s+(?-i:[A-Z][\w-]*)|"
    r"\b(?:el|este)\s+(?:presente\s+)?contrato\b|"
    r"\b(?:el\s+)?(?:plazo|duraci[oó]n|vigencia)\s+del?\s+(?:presente\s+)?contrato)(?:\s*\([^)]{0,40}\))?",
    re.I,
)
_REFERS_ONLY = re.compile(
    r"\b(?:during|throughout|within|after|for|of|in|under|upon|to|beyond|by|prior\s+to|durante)\s+(?:the\s+)?$",
    re.I,
)
_TERM_VERB = re.compile(
    r"^[^.;]{0,150}?\b(?:(?:commences|commencing|begins|beginning|continues|remains|expires|terminates|ends|concludes|"
    r"entrar[aá]\s+en\s+vigor|finalizar[aá]|vencer[aá]|expirar[aá]|durar[aá])\b|"
    r"(?:shall|will|is|to|be|does|comes?|ser[aá]|tendr[aá])\s+(?:[\w-]+\s+){0,4}?"
    r"(?:commenc|begin|continu|remain|expir|terminat|end\b|conclud|effective|in\s+effect|take\s+effect|"
    r"into\s+force|have\s+a\s+(?:duration|term)|mean|(?:for\s+)?(?:an?\s+|the\s+)?(?:initial\s+)?"
    r"(?:period|term)?\s*(?:of\s+)?[\w-]+\s+(?:\(\d+\)\s+)?(?:years?|months?)\b|durar|duraci[oó]n|vigencia|vigente|en\s+vigor))",
    re.I,
)


def _sets_term(sentence: str) -> bool:
    for m in _TERM_SUBJECT.finditer(sentence):
        if _REFERS_ONLY.search(sentence[max(0, m.start() - 20) : m.start()]):
            continue
        if _TERM_VERB.match(sentence[m.end() :]):
            return True
    return False


_NOT_THE_TERM = re.compile(
    r"confiden|surviv|royalty\s+term|patent\s+term|warranty\s+period|licen[cs]e\s+term|non-?compet", re.I
)
_STARTS_AND_ENDS = re.compile(
    r"(?:commenc|begin|effective|in\s+effect|into\s+force|term\s+of\s+this\s+\w+\s+(?:shall|will)?\s*(?:be|is)\b|"
    r"[\"“]Initial\s+Term[\"”])[^.;]{0,300}?(?:continu|remain|expir|\bend|terminat|until|through|conclud|years?\b|months?\b)",
    re.I,
)
# A cover page or schedule states it as a label: "Expiration Date: August 31, 2026".
_END_LABEL = re.compile(
    r"^\W{0,3}(?:Expiration|Expiry|Termination|End)\s+Date\s*[:|]|"
    r"^\W{0,3}Fecha\s+de\s+(?:vencimiento|finalizaci[oó]n|terminaci[oó]n)\s*[:|]",
    re.I,
)
_NO_END = re.compile(r"until\s+terminated|perpetu|indefinite|no\s+fixed\s+term|plazo\s+indefinido", re.I)
_LATER_OF = r"(?:(?:the\s+)?(?:later|earlier|sooner)\s+(?:of|to\s+occur\s+of)\s*:?\s*(?:\(\w\)\s*)?)?"


def term_sentences(text: str, units: list[Span]) -> list[Span]:
    """The sentences that set the contract's term, the likeliest first: an expiration label, then
    a sentence that both starts and ends the term ("shall commence on … and continue for …"; a
    lone "this Agreement shall terminate …" is more often a termination right), then the rest. A
    scan of every sentence: the caller makes it once for :func:`expiration_date` and
    :func:`initial_term`."""
    labels = [u for u in units if _END_LABEL.match(text[u.start : u.end])]
    candidates = [
        unit
        for unit in units
        if not _NOT_THE_TERM.search(text[unit.start : unit.end]) and _sets_term(text[unit.start : unit.end])
    ]
    strong = labels + [u for u in candidates if _STARTS_AND_ENDS.search(text[u.start : u.end])]
    return strong + [u for u in candidates if u not in strong]


def initial_term(text: str, term_units: list[Span]) -> Quoted | None:
    """The initial term's stated length, read in the sentences :func:`expiration_date` reads
    (``term_units``, from :func:`term_sentences`), so the term and the expiration it gives agree
    (a non-solicit "for twelve (12) months after the term" is not the term)."""
    for unit in term_units:
        length = term_length(text[unit.start : unit.end])
        if length is None:
            continue
        start, end = unit.start + length.start, unit.start + length.end
        if find_durations(text[start:end]):  # a stated length, not "the third anniversary"
            return Quoted.at(text, start, end)
    return None


def expiration_date(text: str, language: str, term_units: list[Span], effective: str | None) -> Quoted | None:
    """The end of the initial term, read in the sentences that set the contract's term
    (``term_units``, from :func:`term_sentences`): a stated
    date ("shall terminate on June 30, 2010", "through December 31, 2021"), else the effective
    date plus the stated length ("five (5) years following the Effective Date", "the term of this
    Agreement shall be one (1) year", "the third anniversary of the Effective Date"). A term that
    runs "until terminated" has no date; a date elsewhere (a fiscal year "ending December 31") is
    not the term's end."""
    dates = clean_dates(text, language)
    for unit in term_units:
        sentence = text[unit.start : unit.end]
        for found in dates:
            if not unit.start <= found.start < unit.end:
                continue
            before = text[max(unit.start, found.start - 80) : found.start]
            before = re.sub(_LATER_OF + r"$", "", before, flags=re.I)
            if _EXPIRATION.search(before) or re.search(r"later\s+than\s+$", before, re.I):
                return Quoted.at(text, found.start, found.end)
        length = term_length(sentence)
        # Counted from the effective date even when the term runs "from the Launch Date" or ends at
        # "the later of" two events: that is how CUAD's lawyers state the end of such a term.
        computed = add_duration(effective, str(length.value)) if length is not None and effective else None
        if computed is not None:
            return Quoted.at(text, unit.start, unit.end, value=computed)
        # a length without an effective date to count from: a later term sentence may state the date
        if _NO_END.search(sentence) and re.search(r"continu|remain|term", sentence, re.I):
            return None
    return None


# -- renewal -------------------------------------------------------------------------------------
_RENEWAL_CUE = re.compile(
    r"renew|pr[oó]rroga|prorrog|renova|extension|extend|year\s+to\s+year|evergreen|automatic|autom[aá]tica|"
    r"until\s+terminated\s+by\s+(?:either|any|one)\b",
    re.I,
)
_BEFORE_END = re.compile(
    r"^(?:'s|’s)?\s*(?:\(\w+\)\s*)?(?:prior|before|in\s+advance|preceding|antes|de\s+antelaci)", re.I
)
# "renewed for additional one (1) year terms", "for successive twelve month periods": a renewal's length.
_RENEWAL_LENGTH = re.compile(
    r"(?:additional|successive|consecutive|further|subsequent|renewal)\s+(?:\w+\s+)?$", re.I
)
_NOTICE = re.compile(r"notice|notif|prior\s+to|before|in\s+advance|preaviso|antelaci[oó]n|aviso", re.I)


def renewal_clause(text: str, units: list[Span]) -> Quoted | None:
    """The strongest renewal statement: automatic beats a unilateral option beats mutual
    agreement beats "none" (a contract that renews automatically *and* mentions a mutual
    extension still renews automatically)."""
    best: tuple[int, Span, Found] | None = None
    for index in hit_units(text, units, _RENEWAL_CUE):
        unit = units[index]
        found = renewal(text[unit.start : unit.end])
        if found and (best is None or RENEWAL_RANK[str(found.value)] < best[0]):
            best = (RENEWAL_RANK[str(found.value)], unit, found)
    if best is None:
        return None
    _, unit, found = best
    return Quoted.at(text, unit.start, unit.end, value=str(found.value))


_SAYS = re.compile(
    r"notice|notif|written|writing|elect|inform|terminat|cancel|preaviso|aviso|comunica|denuncia|por\s+escrito",
    re.I,
)
INSURANCE = re.compile(r"insur|seguro|p[oó]liza", re.I)


def renewal_notice(text: str, units: list[Span]) -> Quoted | None:
    """Notice needed to stop (or, for an option, to exercise) a renewal: in the sentences about
    renewal or non-renewal, first a period counted back from the end ("at least ninety (90) days
    prior to the expiration"), else the duration next to "notice" ("unless either party gives
    ninety (90) days' notice"). A renewal's own length ("additional one (1) year terms") is not it."""
    cued = hit_units(text, units, _RENEWAL_CUE)
    nearest: Quoted | None = None
    for index in sorted(set(cued) | {i + 1 for i in cued if i + 1 < len(units)}):
        unit = units[index]
        sentence = text[unit.start : unit.end]
        prev = text[units[index - 1].start : units[index - 1].end] if index else ""
        about_renewal = _RENEWAL_CUE.search(sentence) or re.search(
            r"non-renewal|not\s+to\s+renew", sentence, re.I
        )
        follows_renewal = _RENEWAL_CUE.search(prev) and re.search(
            r"unless|provided|notice|notif", sentence[:80], re.I
        )
        if not (about_renewal or follows_renewal):
            continue
        # Someone has to say something: "the renewal fee is due sixty (60) days before the
        # renewal date" is a deadline, not a notice; an insurance policy's "notice of cancellation or
        # non-renewal" is the insurer's, not the contract's.
        if not _SAYS.search(sentence) or INSURANCE.search(sentence):
            continue
        anchors = [(m.start(), m.end()) for m in _NOTICE.finditer(sentence)]
        durations = [
            d
            for d in find_durations(sentence)
            if str(d.value)[-1] in "DWM"
            and not _RENEWAL_LENGTH.search(sentence[max(0, d.start - 30) : d.start])
        ]
        if not anchors or not durations:
            continue
        before_end = [d for d in durations if _BEFORE_END.match(sentence[d.end :])]
        if before_end:
            return Quoted.at(text, unit.start + before_end[0].start, unit.start + before_end[0].end)

        def distance(f: Found, anchors: list[tuple[int, int]] = anchors) -> int:
            return min(min(abs(f.start - e), abs(f.end - s)) for s, e in anchors)

        near = min(durations, key=distance)
        if nearest is None and distance(near) <= 80:
            nearest = Quoted.at(text, unit.start + near.start, unit.start + near.end)
    return nearest
