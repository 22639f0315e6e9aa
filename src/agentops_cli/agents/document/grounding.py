"""Grounding: keep only what can be pointed at in the loaded text.

Legal and finance users would rather see no value than a made-up one, so every field,
clause and risk — from the rules or from an LLM — must come with a quote that is found
in the text, and a typed value (date, amount, duration, canonical term) must be *what
that quote says*. Whatever fails is dropped and counted (``ungrounded_dropped:N``).
The span of a value points at the document's original words ("1 de marzo de 2025"),
while the value itself is normalised (``2025-03-01``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agentops_cli.agents.document.canonical import CANONICAL, add_duration, term_length
from agentops_cli.agents.document.configuration import RISK_SEVERITY, FieldSpec
from agentops_cli.agents.document.normalize import (
    Found,
    clean_value,
    find_dates,
    find_durations,
    find_money,
    fold,
    parse_date,
)
from agentops_cli.agents.document.schemas import (
    Clause,
    ClauseQuote,
    FieldValue,
    Money,
    Quoted,
    Risk,
    RiskQuote,
)

_TOKEN = re.compile(r"\w+|[^\w\s]")
# Words that anchor a term to the effective date (English and Spanish).
COMPUTED_FROM = re.compile(
    r"(?:from|after|following|of|commenc\w*\s+(?:on|as\s+of|upon)|effective\s+(?:as\s+of|on)|begin\w*\s+(?:on|as\s+of)|"
    r"take\s+effect\s+(?:from|on)|desde|a\s+partir\s+de|contados?\s+desde)\s+"
    r"(?:the\s+|la\s+|el\s+)?(?:Effective\s+Date|date\s+(?:of\s+this\s+Agreement|hereof|of\s+execution|above)|"
    r"date\s+first\s+(?:above\s+written|written\s+above|set\s+forth\s+above)|"
    r"execution|Commencement\s+Date|fecha\s+de\s+(?:entrada\s+en\s+vigor|efecto|firma)|firma)",
    re.I,
)


def locate(text: str, needle: str, hint: int | None = None) -> tuple[int, int] | None:
    """Where ``needle`` occurs in ``text``: exactly, else ignoring case and whitespace runs.

    With several occurrences the one nearest ``hint`` wins, so a value found by a rule
    keeps the place the rule found it.
    """
    needle = needle.strip()
    if not needle:
        return None
    if hint is not None and text.startswith(needle, hint):
        return hint, hint + len(needle)
    tokens = _TOKEN.findall(needle)
    parts: list[str] = []
    for i, token in enumerate(tokens):
        if i:
            both_words = tokens[i - 1][-1].isalnum() and token[0].isalnum()
            parts.append(r"\s+" if both_words else r"[\s*_]*")
        parts.append(re.escape(token))
    pattern = re.compile("".join(parts), re.I)
    matches = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if not matches:
        return None
    if hint is None:
        return matches[0]
    return min(matches, key=lambda span: abs(span[0] - hint))


@dataclass
class Grounder:
    """Grounds answers against one text and counts what it had to drop."""

    text: str
    language: str = "en"
    dropped: int = 0
    dropped_names: list[str] = field(default_factory=list)
    # Dates already grounded (effective_date): an expiration "five (5) years following the
    # Effective Date" is grounded on those words plus this anchor, never on nothing.
    anchors: dict[str, str] = field(default_factory=dict)

    def _drop(self, name: str) -> None:
        self.dropped += 1
        self.dropped_names.append(name)

    # -- fields ----------------------------------------------------------------------------------
    def field(self, spec: FieldSpec, answer: Quoted | list[Quoted] | None) -> FieldValue | None:
        if answer is None or answer == []:
            return None
        if spec.kind == "parties":
            return self._parties(spec.name, answer if isinstance(answer, list) else [answer])
        assert isinstance(answer, Quoted)
        span = locate(self.text, answer.quote, answer.start_hint)
        if span is None:
            # The quote is not in the text; a plain value (a name, a number) still may be.
            span = locate(self.text, answer.value, answer.start_hint) if spec.kind == "text" else None
            if span is None:
                self._drop(spec.name)
                return None
        grounded = self._typed(spec, answer.value, span)
        if grounded is None:
            self._drop(spec.name)
        return grounded

    def _typed(self, spec: FieldSpec, claimed: str, span: tuple[int, int]) -> FieldValue | None:
        start, end = span
        quote = self.text[start:end]
        found: Found | None
        if spec.kind == "date":
            found = _pick(find_dates(quote, self.language), parse_date(claimed, self.language))
            if found is None:
                found = self._computed_date(quote, parse_date(claimed, self.language))
        elif spec.kind == "money":
            found = _pick(find_money(quote), _money_value(claimed))
        elif spec.kind == "duration":
            found = _pick(find_durations(quote), _duration_value(claimed))
        elif spec.kind == "canonical":
            found = CANONICAL[spec.name](quote)
        else:
            found = self._text_value(claimed, quote)
        if found is None:
            return None
        abs_start, abs_end = start + found.start, start + found.end
        value = Money(**found.value) if isinstance(found.value, dict) else found.value
        return FieldValue(value=value, start=abs_start, end=abs_end, text=self.text[abs_start:abs_end])

    def _computed_date(self, quote: str, claimed: str | None) -> Found | None:
        """A date the quote states as a term from the effective date; the claim must equal it."""
        effective = self.anchors.get("effective_date")
        if not effective or not claimed:
            return None
        if COMPUTED_FROM.search(quote):
            for found in find_durations(quote):
                if add_duration(effective, str(found.value)) == claimed:
                    return Found(found.start, found.end, claimed)
        # A sentence that sets the term's length ("The term of this Agreement shall be one (1) year",
        # "… end on the fifth anniversary of the Effective Date") runs from the effective date.
        length = term_length(quote)
        if length is not None and add_duration(effective, str(length.value)) == claimed:
            return Found(length.start, length.end, claimed)
        return None

    def _text_value(self, claimed: str, quote: str) -> Found | None:
        """A text value must be words of the quote; the value reported is those words, trimmed."""
        inner = locate(quote, claimed) if fold(claimed) != fold(quote) else (0, len(quote))
        if inner is None:
            return None
        raw = quote[inner[0] : inner[1]]
        cleaned = clean_value(raw)
        if not cleaned:
            return None
        offset = inner[0] + raw.find(cleaned)
        return Found(offset, offset + len(cleaned), cleaned)

    def _parties(self, name: str, answers: list[Quoted]) -> FieldValue | None:
        names: list[str] = []
        spans: list[tuple[int, int]] = []
        seen: set[str] = set()
        for answer in answers:
            span = locate(self.text, answer.quote, answer.start_hint) or locate(
                self.text, answer.value, answer.start_hint
            )
            found = self._text_value(answer.value, self.text[span[0] : span[1]]) if span else None
            if span is None or found is None:
                self._drop(name)
                continue
            key = fold(str(found.value))
            if key in seen:
                continue
            seen.add(key)
            names.append(str(found.value))
            spans.append((span[0] + found.start, span[0] + found.end))
        if not names:
            return None
        start, end = spans[0][0], spans[-1][1]
        if end < start:
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
        return FieldValue(value=names, start=start, end=end, text=self.text[start:end], spans=spans)

    # -- clauses and risks -----------------------------------------------------------------------
    def clause(self, answer: ClauseQuote) -> Clause | None:
        span = locate(self.text, answer.quote, answer._start)
        if span is None:
            self._drop(f"clause:{answer.type}")
            return None
        return Clause(type=_slug(answer.type), text=self.text[span[0] : span[1]], start=span[0], end=span[1])

    def risk(self, answer: RiskQuote) -> Risk | None:
        span = locate(self.text, answer.quote, answer._start)
        if span is None:
            self._drop(f"risk:{answer.type}")
            return None
        kind = _slug(answer.type)
        return Risk(
            type=kind,
            severity=answer.severity or RISK_SEVERITY.get(kind, "medium"),
            evidence=self.text[span[0] : span[1]],
            start=span[0],
            end=span[1],
            explanation=answer.explanation,
        )


def _pick(candidates: list[Found], claimed: object | None) -> Found | None:
    """The candidate equal to the claimed value; the first one when nothing was claimed.

    A claim that the quote contradicts (quote says 2025, value says 2031) is refused.
    """
    if not candidates:
        return None
    if claimed is None:
        return candidates[0]
    for candidate in candidates:
        if _same(candidate.value, claimed):
            return candidate
    return None


def _same(a: object, b: object) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return abs(float(a["amount"]) - float(b["amount"])) < 0.005 and (
            not b.get("currency") or a["currency"] == b["currency"]
        )
    return a == b


def _money_value(claimed: str) -> dict | None:
    found = find_money(claimed)
    if found:
        return found[0].value  # type: ignore[return-value]
    m = re.fullmatch(r"\s*([\d.,]+)\s*([A-Za-z]{3})?\s*", claimed)
    if not m:
        return None
    from agentops_cli.agents.document.normalize import parse_number

    amount = parse_number(m.group(1))
    if amount is None:
        return None
    return {"amount": amount, "currency": (m.group(2) or "").upper()}


def _duration_value(claimed: str) -> str | None:
    iso = re.fullmatch(r"\s*(P\d+[DWMY])\s*", claimed, re.I)
    if iso:
        return iso.group(1).upper()
    found = find_durations(claimed)
    return str(found[0].value) if found else None


def _slug(kind: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", kind.strip().lower()).strip("_") or "other"
