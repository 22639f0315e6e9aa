"""Clauses and risks by rule: the offline twin of the clauses-and-risks step, plus the
document-level checks that need the grounded fields (auto-renewal, liability cap, notice
length, governing law, signature block).

Pattern risks quote the sentence that shows them; "missing" risks (no liability cap, no
signature block) quote the place where the reader would expect the clause, so every risk
still has a span a reviewer can jump to.
"""

from __future__ import annotations

import re

from agentops_cli.agents.document import clause_model
from agentops_cli.agents.document.configuration import (
    EXCLUSIVITY_BOILERPLATE,
    LONG_NOTICE_DAYS,
    NON_COMPETE_NOT_A_PROMISE,
    RISK_SEVERITY,
    UNUSUAL_JURISDICTIONS,
)
from agentops_cli.agents.document.normalize import duration_days
from agentops_cli.agents.document.schemas import (
    ClauseQuote,
    ClausesRisksAnswer,
    FieldValue,
    Risk,
    RiskQuote,
)
from agentops_cli.agents.document.segment import enclosing_sentence, hit_units, sections, sentences

_CLAUSE_CUES: dict[str, str] = {
    "term": r"\bterm\b|duration|duraci[oó]n|vigencia|commencement",
    "renewal": r"renew|pr[oó]rroga|renovaci",
    "payment": r"payment|fees\b|invoice|precio|pago|factura|prices",
    "liability": r"liabilit|responsabilidad|indemn",
    "termination": r"terminat|resoluci[oó]n|resolver|denuncia",
    "governing_law": r"governing\s+law|governed\s+by|ley\s+aplicable|legislaci[oó]n|se\s+rige|jurisdic",
    "confidentiality": r"confidential|confidencial",
    # exclusivity and non_compete clauses come from the learned clause model (and the pattern
    # risks below): the word "exclusive" alone is mostly "non-exclusive" or "sole and exclusive remedy".
    "penalties": r"penalt|penaliz|liquidated\s+damages",
    "intellectual_property": r"intellectual\s+property|propiedad\s+intelectual",
    "data_protection": r"data\s+protection|protecci[oó]n\s+de\s+datos|personal\s+data",
    "warranty": r"warrant|garant[ií]a",
    "scope": r"\bscope\b|[aá]mbito|objeto|services\b|appointment",
}

_PATTERN_RISKS: dict[str, tuple[str, str | None, str]] = {
    # type: (pattern, exclusion in the same sentence, explanation)
    "penalties": (
        r"penalt|penaliz|liquidated\s+damages|late\s+fee|bear\s+interest|intereses\s+de\s+demora|recargo",
        None,
        "financial penalty or late-payment charge",
    ),
    # An exclusivity *commitment* names what is exclusive (a licence, a distributor, a territory,
    # all requirements bought from one supplier); the bare word is mostly boilerplate ("complete and
    # exclusive statement", "exclusive remedy", "inure exclusively to"), a negation ("no right to
    # any exclusive territory", "nothing … an exclusive arrangement") or a recital about another deal.
    "exclusivity": (
        r"exclusiv\w*\s+(?:and\s+\w+\s+)?(?:licen[cs]|distribut|resell|dealer|agen(?:t|cy)|suppl|provider|"
        r"partner|relationship|basis|arrangement|marketing|sales?\b|seller|representat|manufactur|purchas|"
        r"customer|vendor|sponsor|endorse|dealing|territor|right\w*\s+(?:to|in|under|for|of)\s+(?!terminat|"
        r"control|prosecut|enforc|defend|bring|institut|sue|take|pursue|settle|file|seek|maintain|own))|"
        r"(?:purchas|buy|sell|sold|order|obtain|source|distribut|market|suppl|licen[cs])\w*[^.;]{0,60}?"
        r"exclusively\s+(?:from|to|through|with|by)\b|"
        r"sole\s+(?:and\s+exclusive\s+)?(?:supplier|distributor|source|provider|reseller|licensee)|"
        r"(?:purchase|buy|obtain|procure)\s+(?:all|one\s+hundred|100)\s*(?:%|percent|\(100%\))?\s*(?:of\s+)?"
        r"(?:its|their|the)\s+(?:\w+\s+){0,3}requirements|"
        r"exclusivity|en\s+exclusiva|exclusividad|(?:distribuidor|proveedor|licencia|agente|representante)\w*\s+exclusiv",
        EXCLUSIVITY_BOILERPLATE,
        "exclusivity commitment restricts who you can work with",
    ),
    # A promise not to compete ("shall not compete", "shall not manufacture or sell … products that
    # compete", "no podrá fabricar ni comercializar … productos que compitan"); not "competitive" as in
    # price ("cannot provide competitive terms") nor a description that leaves both open ("products
    # that may or may not compete with X").
    "non_compete": (
        r"non-compete|non\s+compete|not\s+(?:to\s+)?compete|"
        r"not\s+(?:[\w-]+\s+(?:or|nor|and)\s+)?(?:sell|provide|manufacture|market|distribute|offer|develop)"
        r"[^.]{0,80}compet|"
        r"no\s+competencia|no\s+competir|no\s+podr[aá][^.;]{0,100}comp[ei]t|abstendr[aá]n?\s+de\s+competir",
        NON_COMPETE_NOT_A_PROMISE,
        "non-compete restriction",
    ),
    "one_sided_termination": (
        r"(?:may|podr[aá])\s+(?:terminate|resolver|rescindir)[^.]{0,80}(?:at\s+any\s+time|for\s+any\s+reason|"
        r"for\s+convenience|en\s+cualquier\s+momento|sin\s+causa)|may\s+only\s+terminate",
        r"either\s+party|each\s+party|both\s+parties|cualquiera\s+de\s+las\s+partes|ambas\s+partes",
        "only one party can terminate at will",
    ),
}
# Words every match of a long pattern contains: the sentences to try are found with these (one
# cheap pass over the text), and the full pattern runs on those sentences only. The exclusivity
# pattern scanned over a whole contract cost ~40 ms; every alternative of it says "exclusiv",
# "sole" or "requirements".
_TRIGGERS: dict[str, str] = {"exclusivity": r"exclusiv|sole|requirements"}
_SIGNATURE = re.compile(
    r"in\s+witness\s+whereof|signature|signed\s+(?:by|for)|\bby:\s*_{3,}|_{5,}|\bfdo\.|\bfirmado|"
    r"\bfirman\b|\bfirmas\b|en\s+prueba\s+de\s+conformidad",
    re.I,
)


def clauses_and_risks(text: str, doc_type: str) -> ClausesRisksAnswer:
    """Offline twin: classify the sections into clause types and find pattern risks."""
    clauses: list[ClauseQuote] = []
    for block in sections(text):
        if block.start == 0:
            continue  # title and preamble: parties, not a clause
        body = text[block.start : block.end]
        head = re.split(r"\n|(?<=[a-záéíóúñ])\.\s", body, maxsplit=1)[0][:100]
        kind = _clause_type(head) or (_clause_type(body) if len(body) < 600 else None)
        if kind and len(body) >= 30:
            clause = ClauseQuote(type=kind, quote=body)
            clause._start = block.start
            clauses.append(clause)
    units = sentences(text)
    if doc_type in ("contract", "terms"):
        for kind, start, end, _ in clause_model.find_clauses(text, [(u.start, u.end) for u in units]):
            learned = ClauseQuote(type=kind, quote=text[start:end])
            learned._start = start
            clauses.append(learned)
    risks: list[RiskQuote] = []
    for kind, (pattern, avoid, explanation) in _PATTERN_RISKS.items():
        trigger = _TRIGGERS.get(kind, pattern)
        for index in hit_units(text, units, re.compile(trigger, re.I)):
            unit = units[index]
            sentence = text[unit.start : unit.end]
            if len(sentence) < 30:
                continue  # a heading ("CUARTA.- Penalizaciones.") announces, the sentence after it shows
            said = clause_model.said_here(kind, sentence)  # references to other clauses blanked out
            if re.search(pattern, said, re.I) and not (avoid and re.search(avoid, said, re.I)):
                risk = RiskQuote(
                    type=kind, severity=RISK_SEVERITY[kind], quote=sentence, explanation=explanation
                )
                risk._start = unit.start
                risks.append(risk)
    return ClausesRisksAnswer(clauses=clauses, risks=risks)


def _clause_type(text: str) -> str | None:
    for kind, cue in _CLAUSE_CUES.items():
        if re.search(cue, text, re.I):
            return kind
    return None


def field_risks(text: str, doc_type: str, fields: dict[str, FieldValue]) -> list[Risk]:
    """Risks that follow from the grounded fields and from what the document lacks."""
    if doc_type not in ("contract", "terms"):
        return []
    units = sentences(text)
    out: list[Risk] = []

    def add(kind: str, start: int, end: int, explanation: str, severity: str | None = None) -> None:
        out.append(
            Risk(
                type=kind,
                severity=severity or RISK_SEVERITY[kind],  # type: ignore[arg-type]
                evidence=text[start:end],
                start=start,
                end=end,
                explanation=explanation,
            )
        )

    def sentence_of(field: FieldValue) -> tuple[int, int]:
        unit = enclosing_sentence(text, field.start, field.end, units)
        return unit.start, unit.end

    if doc_type == "terms":
        _terms_risks(fields, add, sentence_of)
        return out
    renewal = fields.get("renewal")
    if renewal and renewal.value == "automatic":
        add("auto_renewal", *sentence_of(renewal), "renews automatically unless notice is given in time")
    cap = fields.get("liability_cap")
    if cap and cap.value == "unlimited":
        add("unlimited_liability", *sentence_of(cap), "liability is not capped")
    elif cap is None:
        start, end = _title_span(text)
        add("missing_liability_cap", start, end, "no limitation of liability clause found")
    notice = fields.get("termination_notice")
    if notice and isinstance(notice.value, str):
        days = duration_days(notice.value)
        if days >= LONG_NOTICE_DAYS:
            severity = "high" if days >= 2 * LONG_NOTICE_DAYS else "medium"
            add("long_notice_period", *sentence_of(notice), f"notice period of about {days} days", severity)
    law = fields.get("governing_law")
    if law and law.value in UNUSUAL_JURISDICTIONS:
        add("unusual_governing_law", *sentence_of(law), f"governed by the law of {law.value}")
    tail = text[-max(800, len(text) // 4) :]  # a signature block closes the document
    if not _SIGNATURE.search(tail):
        start, end = _last_line_span(text)
        add("missing_signature_block", start, end, "no signature block found at the end of the document")
    return out


def _terms_risks(fields: dict[str, FieldValue], add, sentence_of) -> None:
    """Terms of service are written by one side: flag what it may do to the user on its own."""
    if "auto_renewal" in fields:
        add("auto_renewal", *sentence_of(fields["auto_renewal"]), "the plan renews automatically")
    if "unilateral_changes" in fields:
        add(
            "unilateral_changes",
            *sentence_of(fields["unilateral_changes"]),
            "the provider may change the terms on its own",
        )
    if "termination_at_will" in fields:
        add(
            "one_sided_termination",
            *sentence_of(fields["termination_at_will"]),
            "the provider may suspend or end the service at any time",
        )
    cap = fields.get("liability_cap")
    if cap and cap.value == "unlimited":
        add("unlimited_liability", *sentence_of(cap), "liability is not capped")


def _title_span(text: str) -> tuple[int, int]:
    m = re.search(r"\S[^\n]*", text)
    return (m.start(), m.end()) if m else (0, 0)


def _last_line_span(text: str) -> tuple[int, int]:
    stripped = text.rstrip()
    start = stripped.rfind("\n") + 1
    return start, len(stripped)


def merge_risks(risks: list[Risk]) -> list[Risk]:
    """One risk per type and place: overlapping evidence of the same type is the same risk.

    Sorted by severity (high first), then by position.
    """
    kept: list[Risk] = []
    reach: dict[str, int] = {}  # per type, the furthest end kept so far (linear, not n² on long texts)
    for risk in sorted(risks, key=lambda r: (r.start, -(r.end - r.start))):
        # every kept risk starts at or before this one, so it overlaps one iff the furthest
        # end of its type passes this start (an empty span overlaps nothing it starts with)
        end = reach.get(risk.type, -1)
        if end > risk.start and risk.end > risk.start:
            continue
        kept.append(risk)
        reach[risk.type] = max(end, risk.end)
    return _by_severity(kept)


def merge_adjacent(risks: list[Risk], text: str) -> list[Risk]:
    """Same-type risks in consecutive sentences are one finding: join their evidence."""
    out: list[Risk] = []
    last: dict[str, int] = {}  # per type, the index in ``out`` of its latest risk
    for risk in sorted(risks, key=lambda r: r.start):
        index = last.get(risk.type)
        prev = out[index] if index is not None else None
        if (
            prev is not None
            and index is not None
            and 0 <= risk.start - prev.end <= 3
            and not text[prev.end : risk.start].count("\n\n")
        ):
            end = max(prev.end, risk.end)
            out[index] = prev.model_copy(update={"end": end, "evidence": text[prev.start : end]})
            continue
        last[risk.type] = len(out)
        out.append(risk)
    return _by_severity(out)


def _by_severity(kept: list[Risk]) -> list[Risk]:
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(kept, key=lambda r: (order[r.severity], r.start))
