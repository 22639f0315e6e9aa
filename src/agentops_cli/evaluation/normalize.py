"""Normalisation used by scorers, so "1 March 2024" and "2024-03-01" count as the same date.

Field scoring is only fair when formatting differences are not counted as errors:
dates go to ISO ``YYYY-MM-DD``, amounts to ``(amount, CURRENCY)``, names lose case,
accents, punctuation and company suffixes, free text loses case and spacing.
"""

from __future__ import annotations

import re
from typing import Any

from agentops_cli.agents.document.normalize import parse_date, parse_number
from agentops_cli.nlp.text import fold

_CURRENCY_SYMBOLS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_COMPANY_SUFFIXES = {
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
    "gmbh", "sa", "sl", "sas", "srl", "plc", "ag", "bv", "nv", "lp", "llp", "pty",
}  # fmt: skip


def norm_text(text: Any) -> str:
    """Case, accents, punctuation and spacing do not matter."""
    text = fold(str(text))
    text = re.sub(r"[^\w\s%.$€£-]", " ", text)
    text = re.sub(r"(?<!\d)[.-]|[.-](?!\d)", " ", text)
    return " ".join(text.split())


def norm_name(text: Any) -> str:
    """A party name without legal-form suffixes: "ACME Corp." == "Acme Corporation" == "acme"."""
    text = fold(str(text)).replace(".", "")
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
    keys = set(value) if isinstance(value, dict) else set()
    if "value" in keys and ({"start", "end"} <= keys or keys <= {"value", "start", "end", "text", "spans"}):
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


AMOUNT_FIELDS = ("total_value", "liability_cap", "amount", "price")


def items_match(name: str, expected: str, predicted: str) -> bool:
    """Equal after normalisation, with narrow allowances.

    - amounts: the same number matches when one side has no currency;
    - names (``parties``): whole-word containment ("Acme Iberia" ~ "Acme Iberia Services"),
      because legal names are written with or without their suffixes;
    - other text: whole-word containment of at least two words ("New York" ~ "the laws of the
      State of New York"), unless the longer side adds a negation ("no automatic renewal").
    So "net 3" is not "net 30", "York" is not "New York" and "automatic" is not
    "no automatic renewal".
    """
    if expected == predicted:
        return True
    if name in AMOUNT_FIELDS:
        gold, pred = expected.split(" "), predicted.split(" ")
        return gold[0] == pred[0] and (len(gold) == 1 or len(pred) == 1)
    shorter, longer = sorted((expected.split(), predicted.split()), key=len)
    if name != "parties" and (len(shorter) < 2 or _NEGATIONS & (set(longer) - set(shorter))):
        return False
    return _contains_words(longer, shorter)


_NEGATIONS = {"no", "not", "none", "without", "non", "sin", "ningun", "ninguna", "nunca", "never"}


def _contains_words(outer: list[str], inner: list[str]) -> bool:
    """``inner`` occurs in ``outer`` as a run of whole words (and is not a lone short word)."""
    size = len(inner)
    if not size or (size == 1 and len(inner[0]) < 4):
        return False
    return any(outer[i : i + size] == inner for i in range(len(outer) - size + 1))
