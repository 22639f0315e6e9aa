"""Normalisation used by scorers, so "1 March 2024" and "2024-03-01" count as the same date.

Field scoring is only fair when formatting differences are not counted as errors:
dates go to ISO ``YYYY-MM-DD``, amounts to ``(amount, CURRENCY)``, names lose case,
accents, punctuation and company suffixes, free text loses case and spacing.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from agentops_cli.agents.document.normalize import parse_date, parse_number

_CURRENCY_SYMBOLS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_COMPANY_SUFFIXES = {
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
    "gmbh", "sa", "sl", "sas", "srl", "plc", "ag", "bv", "nv", "lp", "llp", "pty",
}  # fmt: skip


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def norm_text(text: Any) -> str:
    """Case, accents, punctuation and spacing do not matter."""
    text = strip_accents(str(text)).casefold()
    text = re.sub(r"[^\w\s%.$€£-]", " ", text)
    text = re.sub(r"(?<!\d)[.-]|[.-](?!\d)", " ", text)
    return " ".join(text.split())


def norm_name(text: Any) -> str:
    """A party name without legal-form suffixes: "ACME Corp." == "Acme Corporation" == "acme"."""
    text = strip_accents(str(text)).casefold().replace(".", "")
    words = re.sub(r"[^\w\s]", " ", text).split()
    while words and words[-1] in _COMPANY_SUFFIXES:
        words.pop()
    words = [w for w in words if w not in ("the",)]
    return " ".join(words)


def norm_date(value: Any) -> str | None:
    """ISO ``YYYY-MM-DD`` from ISO, ``D Month YYYY``, ``Month D, YYYY``, ``DD/MM/YYYY`` (day first
    unless only month-first makes sense): the document agent's own date reader, so the scorer
    and the extractor can never disagree on what a date says."""
    return parse_date(str(value))


def norm_amount(value: Any) -> tuple[float, str] | None:
    """``(amount, CURRENCY)`` from ``{"amount", "currency"}``, ``"$120,000"``, ``"EUR 1.500,00"``."""
    if isinstance(value, dict):
        amount = value.get("amount")
        if amount is None:
            return None
        parsed = norm_amount(str(amount))
        currency = str(value.get("currency") or (parsed[1] if parsed else "")).upper()
        return (parsed[0], currency) if parsed else None
    if isinstance(value, int | float):
        return float(value), ""
    text = str(value).strip()
    currency = ""
    for symbol, code in _CURRENCY_SYMBOLS.items():
        if symbol in text.casefold():
            currency = code
    m = re.search(r"\b([A-Z]{3})\b", text)
    if m:
        currency = m[1]
    m = re.search(r"\d[\d.,\s]*", text)
    if not m:
        return None
    amount = parse_number(m[0].strip().rstrip(".,"))  # "1.500,00", "84,000.00", "15.000" alike
    if amount is None:
        return None
    scale = {"k": 1e3, "m": 1e6, "million": 1e6, "millones": 1e6, "mil": 1e3}
    tail = text[m.end() :].strip().casefold().split(" ")[0] if m.end() < len(text) else ""
    if tail in scale:
        amount *= scale[tail]
    return amount, currency


def value_text(value: Any) -> Any:
    """An extracted field is ``{"value", "start", "end"}``; the scorer compares the value."""
    if isinstance(value, dict) and "value" in value and {"start", "end"} <= set(value):
        return value["value"]
    return value


def field_items(name: str, value: Any) -> list[str]:
    """A field as comparable items: a list field (parties) gives one item per element."""
    value = value_text(value)
    if value is None or value == "" or value == []:
        return []
    if name == "parties" or isinstance(value, list):
        values = value if isinstance(value, list) else [value]
        return sorted({norm_name(value_text(v)) for v in values if norm_name(value_text(v))})
    if name.endswith("_date") or name in ("date", "effective", "expiration"):
        iso = norm_date(value)
        if iso:
            return [iso]
    if name in ("total_value", "liability_cap", "amount", "price") or isinstance(value, dict):
        amount = norm_amount(value)
        if amount:
            return [f"{amount[0]:.2f} {amount[1]}".strip()]
    return [norm_text(value)]


def items_match(name: str, expected: str, predicted: str) -> bool:
    """Equal after normalisation; amounts ignore a missing currency; names/text allow containment."""
    if expected == predicted:
        return True
    if name == "parties" or " " in expected or " " in predicted:
        if name in ("total_value", "liability_cap", "amount", "price"):
            return expected.split(" ")[0] == predicted.split(" ")[0] and (
                len(expected.split(" ")) == 1 or len(predicted.split(" ")) == 1
            )
        if len(expected) >= 3 and len(predicted) >= 3:
            return expected in predicted or predicted in expected
    return False
