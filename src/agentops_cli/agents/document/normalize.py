"""Find and normalise dates, amounts and durations in English and Spanish text.

Every finder returns *spans* (start, end) into the text it was given together with the
normalised value, so a value can always be traced back to the words it came from:
"1 de marzo de 2025" → ``2025-03-01``, "15.000,00 €" → ``15000.0 EUR``,
"twelve (12) months" → ``P12M``. The same finders serve the offline rules and the
check of what an LLM returned (its quote must parse to the value it claims).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date

from agentops_cli.nlp.text import fold as fold_accents

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "ene": 1, "abr": 4, "ago": 8, "dic": 12,
}  # fmt: skip

NUMBER_WORDS: dict[str, int] = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "sixteen": 16,
    "eighteen": 18, "twenty": 20, "twenty-four": 24, "thirty": 30, "forty-five": 45, "sixty": 60,
    "ninety": 90, "one hundred twenty": 120, "one hundred eighty": 180,
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "doce": 12, "quince": 15, "dieciocho": 18, "veinte": 20,
    "veinticuatro": 24, "treinta": 30, "cuarenta y cinco": 45, "sesenta": 60, "noventa": 90,
    "ciento veinte": 120, "ciento ochenta": 180,
}  # fmt: skip

UNITS: dict[str, str] = {
    "day": "D", "days": "D", "día": "D", "días": "D", "dia": "D", "dias": "D",
    "week": "W", "weeks": "W", "semana": "W", "semanas": "W",
    "month": "M", "months": "M", "mes": "M", "meses": "M",
    "year": "Y", "years": "Y", "año": "Y", "años": "Y", "ano": "Y", "anos": "Y",
}  # fmt: skip

DAYS_PER_UNIT = {"D": 1, "W": 7, "M": 30, "Y": 365}

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_PATTERNS = [
    # 2025-03-05 / 2025-3-5
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), "ymd"),
    # January 15, 2025 / Jan. 15 2025 / July 11 , 2006 (EDGAR spacing)
    (re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(\d{{4}})\b", re.I), "mdy_name"),
    # 15th day of June, 2005 / 1st day of July 2019 / día 5 de marzo de 2025
    (
        re.compile(
            rf"\b(\d{{1,2}})(?:s\s?t|n\s?d|r\s?d|t\s?h|º)?\s+(?:day\s+of|d[ií]a\s+de)\s+({_MONTH_RE})\.?\s*,?\s+"
            rf"(?:de\s+|del\s+)?(\d{{4}})\b",
            re.I,
        ),
        "dmy_name",
    ),
    # 15 January 2025 / 1st July 2024 / 1 de marzo de 2025
    (
        re.compile(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th|º)?\s+(?:de\s+)?({_MONTH_RE})\.?,?\s+(?:de\s+|del\s+)?(\d{{4}})\b",
            re.I,
        ),
        "dmy_name",
    ),
    # 12/02/2025, 12.02.2025 or 12-23-2019
    (re.compile(r"\b(\d{1,2})([/.-])(\d{1,2})\2(\d{4})\b"), "numeric"),
]


@dataclass(frozen=True)
class Found:
    """A value found in a text: where it is and what it means."""

    start: int
    end: int
    value: object


def _safe_date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_dates(text: str, language: str = "en") -> list[Found]:
    """Every date in ``text``, as ISO ``YYYY-MM-DD``, in order of position.

    Numeric dates are read day first, except for ``language="en-us"`` (month first),
    unless the numbers only make sense the other way round.
    """
    found: list[Found] = []
    # spans already taken, disjoint and sorted by start (so by end too): an overlap test is
    # two bisections, not a scan — a long text holds thousands of dates
    starts: list[int] = []
    ends: list[int] = []
    for pattern, kind in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            at = bisect.bisect_left(starts, m.end())  # spans starting before this one ends
            if at and ends[at - 1] > m.start():
                continue
            a, b, c = (m.group(1), m.group(3), m.group(4)) if kind == "numeric" else m.groups()[:3]
            if kind == "ymd":
                iso = _safe_date(int(a), int(b), int(c))
            elif kind == "mdy_name":
                iso = _safe_date(int(c), MONTHS[a.lower()], int(b))
            elif kind == "dmy_name":
                iso = _safe_date(int(c), MONTHS[b.lower()], int(a))
            else:
                first, second = int(a), int(b)
                day_first = (language != "en-us" or first > 12) and second <= 12
                iso = _safe_date(int(c), second, first) if day_first else _safe_date(int(c), first, second)
            if iso:
                found.append(Found(m.start(), m.end(), iso))
                starts.insert(at, m.start())
                ends.insert(at, m.end())
    return sorted(found, key=lambda f: f.start)


def parse_date(text: str, language: str = "en") -> str | None:
    dates = find_dates(text, language)
    return str(dates[0].value) if dates else None


# -- money ---------------------------------------------------------------------------------------
_CURRENCY_WORDS: dict[str, str] = {
    "usd": "USD", "us$": "USD", "$": "USD", "us dollars": "USD", "dollars": "USD", "dólares": "USD",
    "eur": "EUR", "€": "EUR", "euros": "EUR", "euro": "EUR",
    "gbp": "GBP", "£": "GBP", "pounds sterling": "GBP", "pounds": "GBP", "libras": "GBP",
    "chf": "CHF", "mxn": "MXN", "nok": "NOK", "sek": "SEK", "jpy": "JPY",
}  # fmt: skip
_CUR_RE = r"US\$|USD|EUR|GBP|CHF|MXN|NOK|SEK|JPY|€|£|\$"
_CUR_AFTER_RE = (
    r"US\$|USD|EUR|GBP|CHF|MXN|NOK|SEK|JPY|€|£|\$|euros?|US dollars|dollars|dólares|pounds sterling|libras"
)
_NUM_RE = r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_MONEY_BEFORE = re.compile(rf"(?P<cur>{_CUR_RE})\s?(?P<num>{_NUM_RE})(?!\d)")
_MONEY_AFTER = re.compile(rf"(?<![\d.,])(?P<num>{_NUM_RE})\s?(?P<cur>{_CUR_AFTER_RE})(?![A-Za-z])", re.I)


def parse_number(raw: str) -> float | None:
    """``15.000,00`` → 15000.0, ``84,000.00`` → 84000.0, ``1.500`` → 1500.0, ``0,5`` → 0.5.

    Money has two decimals at most, so a single separator followed by exactly three
    digits groups thousands in both languages.
    """
    s = raw.replace(" ", "").replace("\u00a0", "")
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        decimal = "" if len(s.rpartition(sep)[2]) == 3 else sep
    else:
        decimal = ""
    for sep in {",", "."} - {decimal}:
        s = s.replace(sep, "")
    if decimal:
        s = s.replace(decimal, ".")
    try:
        return float(s)
    except ValueError:  # pragma: no cover - the regex only lets digits and separators through
        return None


def find_money(text: str) -> list[Found]:
    """Every amount with a currency, value ``{"amount": float, "currency": ISO 4217}``."""
    found: list[Found] = []
    for pattern in (_MONEY_BEFORE, _MONEY_AFTER):
        for m in pattern.finditer(text):
            if any(f.start < m.end() and m.start() < f.end for f in found):
                continue
            currency = _CURRENCY_WORDS.get(m.group("cur").lower())
            amount = parse_number(m.group("num").strip())
            if currency and amount is not None:
                found.append(Found(m.start(), m.end(), {"amount": amount, "currency": currency}))
    return sorted(found, key=lambda f: f.start)


# -- durations -----------------------------------------------------------------------------------
_WORDS_RE = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))
_UNIT_RE = "|".join(sorted(UNITS, key=len, reverse=True))
_DURATION = re.compile(
    rf"\b(?:(?P<word>{_WORDS_RE})\s+\((?P<paren>\d+)\)|(?P<digits>\d+)|(?P<alone>{_WORDS_RE}))"
    rf"[\s-]+(?:full\s+)?(?:working\s+|business\s+|calendar\s+|contract\s+|naturales\s+|hábiles\s+)?"
    rf"(?P<unit>{_UNIT_RE})\b",
    re.I,
)


def find_durations(text: str) -> list[Found]:
    """Every duration, value as ISO 8601 (``P12M``, ``P90D``, ``P1Y``, ``P16W``)."""
    found: list[Found] = []
    for m in _DURATION.finditer(text):
        if m.group("paren"):
            n = int(m.group("paren"))
        elif m.group("digits"):
            n = int(m.group("digits"))
        else:
            n = NUMBER_WORDS[m.group("alone").lower()]
        unit = UNITS[m.group("unit").lower()]
        found.append(Found(m.start(), m.end(), f"P{n}{unit}"))
    return found


def duration_days(iso: str) -> int:
    """Approximate length of an ISO duration in days, to compare notice periods."""
    m = re.fullmatch(r"P(\d+)([DWMY])", iso)
    return int(m.group(1)) * DAYS_PER_UNIT[m.group(2)] if m else 0


# -- free text ----------------------------------------------------------------------------------
def fold(text: str) -> str:
    """Comparison key: ``nlp.text.fold`` (no accents, no case), then no punctuation, single spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold_accents(text)).split())


def clean_value(text: str) -> str:
    """Trim the decoration around a value copied from a document (markdown, quotes, separators)."""
    return text.strip().strip("*_|:;,-–—\"'“”«» \t").strip()
