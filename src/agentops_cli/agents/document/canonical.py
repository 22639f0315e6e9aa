"""Canonical values of contract terms, read from the words that state them.

Each function takes a quote (a sentence) and returns the canonical value with the span of
the deciding words, or ``None``. Grounding runs the same function on whatever quote a rule
or an LLM offers, so a canonical value is always what its quote says:

* renewal — ``automatic`` ("renews automatically", "will automatically extend", "with
  automatic annual renewals", "se renovará automáticamente"), ``option`` (one party may
  extend or renew), ``mutual agreement`` or ``none``;
* governing law — the place after "laws of …" (any US state, province or country; Spanish
  "leyes de …", "legislación española"), never one named in a negation ("and not the law
  of Switzerland", "without regard to the conflict of laws of …");
* liability cap — an amount, ``N months of fees`` ("one (1) month's fees"), ``fees paid``
  ("the price paid for the Services", "LIMITED TO THE AMOUNT OF FEES PAID"),
  ``total contract value`` or ``unlimited``;
* payment terms — ``net N``.
"""

from __future__ import annotations

import re
from datetime import date

from agentops_cli.agents.document.configuration import JURISDICTIONS, PLACES
from agentops_cli.agents.document.normalize import (
    NUMBER_WORDS,
    Found,
    duration_days,
    find_durations,
    find_money,
)

_NEGATION = re.compile(r"\b(?:sin|no|not|never|nunca|neither)\b[^.;]{0,30}$", re.I)

# -- renewal -------------------------------------------------------------------------------------
_AUTO_RENEWAL = re.compile(
    r"renew(?:s|ed)?\s+automatically|extend(?:s|ed)?\s+automatically|"
    r"automatic(?:ally)?\s+(?:be\s+)?(?:renew|extend)\w*|auto-renew\w*|"
    r"automatic\s+(?:annual\s+|yearly\s+|monthly\s+|successive\s+)?(?:renewals?|extensions?)|"
    r"(?:renew|extend|continue)\w*\s+(?:thereafter\s+)?(?:for|on)\s+(?:(?:one|two|three|\d+|an?)\s+)?"
    r"(?:\(\d+\)\s+)?(?:successive|additional|consecutive|further|subsequent)[^.]{0,140}?\bunless\b|"
    r"\bunless\b[^.]{0,200}?(?:shall|will)\s+(?:be\s+|automatically\s+)*(?:renewed|extended)\s+for\s+"
    r"(?:an?\s+)?(?:additional|successive|consecutive)|"
    # "continue from year to year", not "the fee increases from year to year"; "evergreen", not a
    # place called "Evergreen"
    r"(?:continu|renew|extend|remain)\w*[^.;]{0,60}?from\s+year\s+to\s+year|year-to-year|month-to-month|"
    r"(?-i:evergreen)|evergreen\s+(?:basis|term|renewal|clause|provision)|continue\w*\s+automatically|"
    r"continue\s+in\s+(?:full\s+)?(?:force|effect)(?:\s+and\s+effect)?\s+thereafter\s+until\s+terminated|"
    # evergreen: "shall remain in effect until terminated by either Party upon thirty (30) days' notice"
    r"(?:continue|remain)\w*\s+(?:in\s+(?:full\s+)?(?:force|effect)(?:\s+and\s+effect)?\s+)?(?:thereafter\s+)?"
    r"until\s+terminated\s+by\s+(?:either|any|one)\s+(?:party|of\s+the\s+parties)\s+(?:upon|by|on|with|giving)"
    r"[^.;]{0,60}?notice|"
    r"tacitly\s+renew\w*|pr[oó]rroga\w*\s+t[aá]cita\w*|prorrogar[aá]\s+t[aá]citamente|"
    r"(?:renovar|prorrogar)[aá]n?\s+autom[aá]ticamente|renovaci[oó]n(?:es)?\s+autom[aá]tica|"
    r"se\s+renovar[aá]|t[aá]citamente",
    re.I,
)
_MUTUAL_RENEWAL = re.compile(
    r"(?:extension|extended|extend|renewal|renewed|renew|pr[oó]rroga|prorroga\w*|renovaci[oó]n)[^.]{0,80}?"
    r"(?:mutual(?:ly)?(?:\s+written)?\s+agree\w*|agreed\s+(?:upon\s+)?in\s+writing|written\s+agreement|"
    r"both\s+parties|acuerdo\s+expreso|mutuo\s+acuerdo|ambas\s+partes)",
    re.I,
)
_OPTION_RENEWAL = re.compile(
    r"option\s+to\s+(?:renew|extend)|(?:at|in)\s+(?:its|their|the)?\s*[\w.'’]*\s*(?:sole\s+)?option[^.]{0,80}?"
    r"(?:renew|extend)|(?:renew|extend)\w*[^.]{0,80}?at\s+(?:its|the|their)\s+(?:sole\s+)?option|"
    r"may\s+(?:renew|extend)\s+(?:this|the)\s+(?:agreement|term)|right\s+to\s+(?:\w+\s+)?(?:renew|extend)|"
    r"may\s+be\s+(?:renewed|extended)[^.]{0,120}?(?:by|upon)\s+(?:giving\s+)?(?:prior\s+)?(?:written\s+)?notice|"
    # "renewable for / upon / at …" or "this Agreement is renewable", not "renewable energy"
    r"(?<!non-)\brenewable\s+(?:for|upon|on|at|by|in)\b|(?:agreement|term|contract|licen[cs]e)\s+(?:shall\s+be|is)\s+renewable|"
    r"opci[oó]n\s+de\s+(?:renovar|prorrogar)",
    re.I,
)
_NO_RENEWAL = re.compile(r"shall\s+not\s+(?:be\s+)?renew\w*|non-renewable|no\s+ser[aá]\s+prorrogable", re.I)


# An extension by the length of a delay is tolling, not a renewal: obligations suspended by force
# majeure "shall be automatically extended … for a period equal to the delay".
_TOLLING = re.compile(r"^[^.;]{0,120}?\bequal\s+to\b", re.I)
# Something extended automatically is the contract only when the contract or its term is the subject
# ("this Agreement will automatically extend"), not "the Standstill Period" or "the time to perform".
_CONTRACT_SUBJECT = re.compile(
    r"\b(?:agreement|term|contract|licen[cs]e|subscription|plan|contrato|plazo|vigencia|suscripci[oó]n)\b[^.;]{0,40}$",
    re.I,
)


def _automatic_renewal(text: str, m: re.Match[str]) -> bool:
    if _NEGATION.search(text[max(0, m.start() - 40) : m.start()]) or _TOLLING.match(text[m.end() :]):
        return False
    # (Spanish "se prorrogará (tácitamente / automáticamente)" is said of the contract itself.)
    if re.search(r"extend", m.group(0), re.I):
        return bool(_CONTRACT_SUBJECT.search(text[max(0, m.start() - 120) : m.start()]))
    return True


def renewal(text: str) -> Found | None:
    """``automatic`` | ``mutual agreement`` | ``option`` | ``none``, pointing at the deciding words."""
    for m in _AUTO_RENEWAL.finditer(text):
        if _automatic_renewal(text, m):
            return Found(m.start(), m.end(), "automatic")
    for pattern, value in ((_MUTUAL_RENEWAL, "mutual agreement"), (_OPTION_RENEWAL, "option")):
        m = pattern.search(text)
        if m:
            return Found(m.start(), m.end(), value)
    m = _NO_RENEWAL.search(text)
    return Found(m.start(), m.end(), "none") if m else None


RENEWAL_RANK = {"automatic": 0, "option": 1, "mutual agreement": 2, "none": 3}


# -- payment terms -------------------------------------------------------------------------------
def payment_terms(text: str) -> Found | None:
    """``net N`` (days to pay an invoice): "Net 45", "within thirty (30) days", "a 30 días"."""
    m = re.search(r"\bnet\s*(\d{1,3})\b", text, re.I)
    if m:
        return Found(m.start(), m.end(), f"net {int(m.group(1))}")
    for found in find_durations(text):
        days = duration_days(str(found.value))
        if days:
            return Found(found.start, found.end, f"net {days}")
    return None


# -- governing law -------------------------------------------------------------------------------
_CAPITAL = r"[A-ZÁÉÍÓÚÑ][\w'’.\-]*"
# words of a place name, also across the line break of a wrapped paragraph ("Nueva\nYork")
_GAP = r"(?:[ \t]+|[ \t]*\n[ \t]*)"
_NAME = rf"{_CAPITAL}(?:{_GAP}(?:of{_GAP}|de{_GAP}|del{_GAP}|and{_GAP}|y{_GAP})?{_CAPITAL}){{0,4}}"
_LAW_OF = re.compile(
    # "THE LAWS, OTHER THAN CHOICE OF LAW RULES, OF THE STATE OF …": an aside between "laws" and "of"
    r"\b(?i:laws?|leyes|legislaci[oó]n|derecho)(?:,[^,.;]{1,40},)?\s+(?i:and\s+decisions\s+)?"
    r"(?i:(?:in\s+force\s+)?(?:of|in|de|del|vigentes?\s+en))"
    r"\s+(?i:the\s+|la\s+|el\s+)?"
    # federal law and a state's: "the laws of the United States and (of) the State of Ohio" → Ohio
    r"(?i:United\s+States(?:\s+of\s+America)?\s+and,?\s+(?:[^.;]{0,60}?\s)?(?:of\s+|by\s+the\s+laws\s+of\s+)?"
    r"(?:the\s+)?(?=(?:State|Commonwealth)\s+of))?"
    r"(?:(?i:State|Commonwealth|Province|Kingdom|Canton|Estado|Provincia|Reino|Rep[uú]blica)\s+(?i:of|de)\s+"
    r"(?i:the\s+)?)?"
    rf"(?P<name>{_NAME})"
)
_LAW_NEGATION = re.compile(
    r"(?:\bnot\b|\bno\b|other\s+than|excluding|except|without\s+(?:regard|reference|giving\s+effect)|"
    r"conflicts?\s+of|choice\s+of|y\s+no|salvo|excepto|sin\s+(?:atender|considerar))[^.;]{0,60}$",
    re.I,
)
_TRAILING = re.compile(
    r"(?:\s+(?:Without|Applicable|In|And|Including|Excluding|As|Which|That|For|To|Sin|Y))+$|"
    # a name in capitals runs on into the sentence: "VIRGINIA WITHOUT GIVING EFFECT"
    r"\s+(?:WITHOUT|APPLICABLE|IN|INCLUDING|EXCLUDING|AS|WHICH|THAT|FOR|TO|EXCEPT|OTHER)\b(?s:.*)$"
)
_FOLDED_PLACES = {k.lower(): v for k, v in PLACES.items()}


def _clean(name: str) -> str:
    """The place name alone: not the next sentence ("Oregon.\nIN WITNESS") nor trailing words."""
    name = re.split(r"\.\s", name, maxsplit=1)[0]
    return _TRAILING.sub("", name.strip(" .,;")).strip(" .,;")


def _place(name: str) -> str | None:
    name = _clean(name)
    words = name.split()
    for n in range(len(words), 0, -1):  # longest known prefix: "New York City" → New York
        known = _FOLDED_PLACES.get(" ".join(words[:n]).lower())
        if known:
            return known
    if name.isupper() and len(words) <= 3:
        return name.title()
    return None


def governing_law(text: str) -> Found | None:
    """The jurisdiction whose law governs, from a governing-law sentence."""
    for m in _LAW_OF.finditer(text):
        if _LAW_NEGATION.search(text[max(0, m.start() - 80) : m.start()]):
            continue
        place = _place(m.group("name"))
        if place:
            return Found(m.start("name"), m.start("name") + len(_clean(m.group("name"))), place)
    best: Found | None = None
    for canonical, patterns in JURISDICTIONS.items():
        for pattern in patterns:
            for m in re.finditer(pattern.replace(" ", r"\s+"), text, re.I):
                if _LAW_NEGATION.search(text[max(0, m.start() - 80) : m.start()]):
                    continue
                if best is None or m.start() < best.start:
                    best = Found(m.start(), m.end(), canonical)
                break
    return best


# -- liability cap -------------------------------------------------------------------------------
# "Unlimited" that is no liability term: a company form ("unlimited liability company", "unlimited
# company" — an entity type in a definition of "person") and the list connector "including,
# without limitation," ("incluyendo, sin limitación"), which introduces examples, not an amount.
_UNLIMITED = re.compile(
    r"\bunlimited\b(?!\s+(?:liability\s+)?(?:compan(?:y|ies)|corporation|partnership)\b)|\bilimitada\b|"
    r"(?<!including\s)(?<!including,\s)(?<!including\s\()(?<!incluyendo\s)(?<!incluyendo,\s)"
    r"\b(?:without\s+limit(?:ation)?|sin\s+l[ií]mite)\b",
    re.I,
)
_CONTRACT_VALUE = re.compile(
    r"importe\s+total\s+del\s+contrato|precio\s+total\s+del\s+contrato|total\s+contract\s+(?:value|price)|"
    r"contract\s+price|total\s+(?:fees|amount)\s+payable\s+under\s+this\s+agreement",
    re.I,
)
_FEES_PAID = re.compile(
    r"(?:fees|amounts?|price|prices|charges|sums?|compensation|consideration|royalties)\s+"
    r"(?:actually\s+)?(?:paid|payable|received)|"
    r"(?:importes?|cantidades|precio|tarifas?|cuotas?|honorarios)\s+(?:efectivamente\s+)?"
    r"(?:pagad|abonad|satisfech|cobrad)\w*",
    re.I,
)
_PRECEDING = re.compile(r"preceding|prior|previous|before|anteriores|precedentes|antes|last", re.I)
_OF_FEES = re.compile(
    r"^\s*(?:'s|’s|of)?\s*(?:\w+\s+){0,2}(?:fees|charges|payments|subscription|cuotas)", re.I
)


def liability_cap(text: str) -> Found | None:
    """An amount, ``N months of fees``, ``fees paid``, ``total contract value`` or ``unlimited``."""
    m = _UNLIMITED.search(text)
    if m:
        return Found(m.start(), m.end(), "unlimited")
    for found in find_durations(text):
        value = str(found.value)
        window = text[max(0, found.start - 40) : found.end + 40]
        if value.endswith(("M", "Y")) and (_PRECEDING.search(window) or _OF_FEES.match(text[found.end :])):
            months = int(value[1:-1]) * (12 if value.endswith("Y") else 1)
            return Found(found.start, found.end, f"{months} months of fees")
    m = _CONTRACT_VALUE.search(text)
    if m:
        return Found(m.start(), m.end(), "total contract value")
    money = find_money(text)
    if money:
        return money[0]
    m = _FEES_PAID.search(text)
    return Found(m.start(), m.end(), "fees paid") if m else None


# -- dates computed from a term ------------------------------------------------------------------
def add_duration(iso_date: str, iso_duration: str) -> str | None:
    """``2014-02-10`` + ``P5Y`` → ``2019-02-10`` (the day a term of N years from that date ends,
    as CUAD's lawyers compute it); months and days likewise. ``None`` when not computable."""
    m = re.fullmatch(r"P(\d+)([DWMY])", iso_duration)
    try:
        start = date.fromisoformat(iso_date)
    except ValueError:
        return None
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    if unit in "DW":
        from datetime import timedelta

        return (start + timedelta(days=n * (7 if unit == "W" else 1))).isoformat()
    months = n * (12 if unit == "Y" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    day = start.day
    while day > 28:
        try:
            return date(start.year + year, month + 1, day).isoformat()
        except ValueError:
            day -= 1
    return date(start.year + year, month + 1, day).isoformat()


# -- the length of a contract's term ------------------------------------------------------------
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "twenty-fifth": 25, "thirtieth": 30,
}  # fmt: skip
_NTH = rf"(?:{'|'.join(_ORDINALS)}|\d{{1,2}}(?:st|nd|rd|th))"
# "the fifth anniversary of the Effective Date", "the second (2nd) anniversary", "the four-year
# anniversary", "the end of the fifteenth (15th) Contract Year": the term ends N years in.
_ANNIVERSARY = re.compile(
    rf"\b(?P<nth>{_NTH})\s*(?:\(\s*\d{{1,2}}(?:st|nd|rd|th)?\s*\)\s*)?(?:anniversary|contract\s+year)\b|"
    rf"\b(?P<n>\w+)(?:\s+\(\d+\))?[\s-]+years?\s+anniversary\b",
    re.I,
)
# A duration is the term's length when the words before it say so ("continue for a period of",
# "term of this Agreement shall be", "for an initial term of") …
_TERM_LENGTH_BEFORE = re.compile(
    r"(?:(?:continue|remain|extend|last|run|be\s+in\s+effect|be\s+effective)\w*\s+(?:thereafter\s+|initially\s+)?"
    r"(?:in\s+(?:full\s+)?(?:force|effect)(?:\s+and\s+effect)?\s+|valid\s+|effective\s+)?(?:initially\s+)?(?:for|during)\s+|"
    r"(?:(?:initial\s+)?(?:term|period|duration)\s+of\s+(?:this\s+\w+\s+)?(?:(?:shall|will)\s+be|is)\s+(?:for\s+)?)|"
    r"(?:an?|the)\s+(?:initial\s+)?(?:period|term|duration)\s+of\s+|(?:be|is)\s+for\s+(?:an?\s+(?:initial\s+)?"
    r"(?:period|term)\s+of\s+)?|shall\s+have\s+a\s+(?:duration|term)\s+of\s+|durante\s+(?:un\s+(?:periodo|plazo)\s+de\s+)?|"
    r"(?:plazo|duraci[oó]n|vigencia)\s+(?:ser[aá]\s+)?de\s+)"
    r"(?:an?\s+|the\s+)?(?:initial\s+)?(?:period|term)?\s*(?:of\s+)?$",
    re.I,
)
# … or the words after it ("five (5) years from the Effective Date", "three years thereafter").
_TERM_LENGTH_AFTER = re.compile(
    r"^\s*(?:period\s+|term\s+)?(?:\(\s*the\s+[\"“][^\"”]{1,30}[\"”]\s*\)\s*)?"
    r"(?:from|after|following|commencing|beginning|thereafter|starting|a\s+contar|desde|a\s+partir)\b",
    re.I,
)
# Durations that are not the initial term: renewals, notices, cure periods.
_NOT_TERM_LENGTH = re.compile(
    r"(?:renew\w*|successive|additional|extension|extended|further|subsequent|notice|prior|within|cure|"
    r"after\s+the\s+(?:initial\s+)?term)\W+(?:\w+\W+){0,3}$",
    re.I,
)


def term_length(sentence: str) -> Found | None:
    """The length of the initial term a sentence states, as an ISO duration in months or years
    (an anniversary or the end of the Nth contract year counts as N years)."""
    for found in find_durations(sentence):
        if str(found.value)[-1] not in "MY":
            continue
        before = sentence[max(0, found.start - 70) : found.start]
        if _NOT_TERM_LENGTH.search(before):
            continue
        if _TERM_LENGTH_BEFORE.search(before) or _TERM_LENGTH_AFTER.match(sentence[found.end :]):
            return found
    for m in _ANNIVERSARY.finditer(sentence):
        if re.search(r"(?:following|after|before|prior\s+to)\s+(?:the\s+)?$", sentence[: m.start()], re.I):
            continue  # "at any time following the 7th anniversary": a right within the term, not its end
        raw = (m.group("nth") or m.group("n") or "").lower()
        n = _ORDINALS.get(raw) or NUMBER_WORDS.get(raw) or int(re.sub(r"\D", "", raw) or 0)
        if n:
            return Found(m.start(), m.end(), f"P{n}Y")
    return None


# -- terms of service ----------------------------------------------------------------------------
_AT_WILL = re.compile(
    r"(?:may|can|reserves?\s+the\s+right\s+to|podemos|podremos|podr[aá]|se\s+reserva\s+el\s+derecho\s+(?:a|de))\s+"
    r"(?:\w+\s+){0,2}(?:suspend|terminat|cancel|discontinu|clos|disabl|suspender|cancelar|rescindir|"
    r"resolver|cerrar|dar\s+de\s+baja|interrumpir)\w*[^.;]{0,100}?"
    r"(?:at\s+any\s+time|for\s+any\s+(?:or\s+no\s+)?reason|without\s+(?:cause|notice|reason|prior\s+notice)|"
    r"in\s+(?:our|its)\s+sole\s+discretion|en\s+cualquier\s+momento|sin\s+(?:causa|previo\s+aviso|motivo|preaviso))",
    re.I,
)
_UNILATERAL = re.compile(
    r"(?:may|reserves?\s+the\s+right\s+to|can)\s+(?:\w+\s+){0,2}(?:modify|change|amend|update|revise)\w*"
    r"[^.;]{0,100}?(?:at\s+any\s+time|from\s+time\s+to\s+time|sole\s+discretion|without\s+(?:prior\s+)?notice)|"
    r"(?:nos\s+reservamos|se\s+reserva)\s+el\s+derecho\s+(?:a|de)\s+(?:modificar|cambiar|actualizar)|"
    r"(?:podemos|podremos|podr[aá])\s+(?:\w+\s+){0,2}(?:modificar|cambiar|actualizar)[^.;]{0,100}?"
    r"(?:en\s+cualquier\s+momento|sin\s+(?:previo\s+)?aviso|unilateralmente)",
    re.I,
)


def termination_at_will(text: str) -> Found | None:
    m = _AT_WILL.search(text)
    return Found(m.start(), m.end(), "at any time") if m else None


def unilateral_changes(text: str) -> Found | None:
    m = _UNILATERAL.search(text)
    return Found(m.start(), m.end(), "yes") if m else None


def auto_renewal(text: str) -> Found | None:
    found = renewal(text)
    return found if found and found.value == "automatic" else None


CANONICAL = {
    "auto_renewal": auto_renewal,
    "termination_at_will": termination_at_will,
    "unilateral_changes": unilateral_changes,
    "renewal": renewal,
    "payment_terms": payment_terms,
    "governing_law": governing_law,
    "liability_cap": liability_cap,
}
