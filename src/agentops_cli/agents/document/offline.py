"""The offline twins: rules and patterns that answer every step without a model.

They return exactly the schemas the LLM is asked for (``DetectAnswer``, ``*Fields``,
``SummaryAnswer``), with quotes taken from the text, so grounding treats both sides the
same way. Each field rule looks for the *label or phrasing* that states the value in
English or Spanish ("commences on", "entrará en vigor el", "Bill to", "Fecha de
vencimiento") and only then parses the value next to it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from itertools import islice

from agentops_cli.agents.document import contract_rules
from agentops_cli.agents.document.canonical import CANONICAL
from agentops_cli.agents.document.normalize import (
    Found,
    clean_value,
    find_dates,
    find_durations,
    find_money,
)
from agentops_cli.agents.document.schemas import (
    FIELDS_SCHEMA,
    DetectAnswer,
    Quoted,
    SummaryAnswer,
)
from agentops_cli.agents.document.segment import Span, companies, sentences
from agentops_cli.nlp.language import detect_language as nlp_language

# -- type and language ---------------------------------------------------------------------------
_TYPE_CUES: dict[str, tuple[str, ...]] = {
    "contract": (
        r"\bagreement\b", r"\bcontrato\b", r"\bcontract\b", r"\bby and between\b", r"\bthe parties\b",
        r"\blas partes\b", r"\bwhereas\b", r"\bin witness whereof\b", r"\bcl[aá]usulas?\b",
        r"\bgoverned by\b",
        r"\bley aplicable\b", r"\breunidos\b", r"\bshall\b",
    ),
    "terms": (
        r"\bterms\s+of\s+(?:service|use)\b", r"\bterms\s+and\s+conditions\b", r"\bby\s+(?:using|accessing)\b",
        r"\byour\s+account\b", r"\bt[eé]rminos\s+(?:y\s+condiciones|de\s+(?:servicio|uso))\b",
        r"\bcondiciones\s+(?:generales|de\s+uso)\b", r"\bal\s+(?:utilizar|usar|acceder)\b",
        r"\b(?:su|tu)\s+cuenta\b", r"\bthe\s+service\b", r"\bel\s+servicio\b", r"\busuario\b", r"\buser\b",
    ),
    "proposal": (
        r"\bproposal\b", r"\bpropuesta\b", r"\bprepared for\b", r"\bsubmitted to\b", r"\bdirigida a\b",
        r"\boferta\b", r"\bquotation\b", r"\bpresupuesto\b", r"\bstatement of work\b", r"\bvalid until\b",
        r"\bv[aá]lida hasta\b", r"\bour approach\b",
    ),
    "policy": (
        r"\bpolicy\b", r"\bpol[ií]tica\b", r"\bapplies to all\b", r"\bpolicy owner\b",
        r"\bde aplicaci[oó]n\b",
        r"\bprocedure\b", r"\bcompliance\b", r"\bnext review\b", r"\bpr[oó]xima revisi[oó]n\b",
    ),
    "invoice": (
        r"\binvoice\b", r"\bfactura\b", r"\bbill(?:ed)? to\b", r"\bdue date\b", r"\bvencimiento\b",
        r"\bvat\b", r"\biva\b", r"\bsubtotal\b", r"\bbase imponible\b", r"\bamount due\b", r"\btotal due\b",
    ),
}  # fmt: skip
_TITLE_WORDS: dict[str, str] = {
    "contract": r"agreement|contrato|contract|acuerdo|convenio",
    "terms": r"terms\s+of\s+(?:service|use)|terms\s+and\s+conditions|t[eé]rminos\s+(?:y\s+condiciones|de\s+"
    r"(?:servicio|uso))|condiciones\s+(?:generales|de\s+uso|del\s+servicio)|user\s+agreement",
    "proposal": r"proposal|propuesta|oferta|quotation|presupuesto|statement of work",
    "policy": r"policy|pol[ií]tica|procedure|procedimiento",
    "invoice": r"invoice|factura",
}


def detect_language(text: str) -> str:
    """The shared English/Spanish detector (``nlp.language``) on the document's opening."""
    return nlp_language(text[:6000], default="en")


def date_locale(text: str, language: str) -> str:
    """How to read numeric dates: ``en-us`` (month first) for documents priced in dollars only,
    otherwise day first (Spanish, British and European documents)."""
    if language == "en" and re.search(r"\$|\bUSD\b", text) and not re.search(r"£|€|\bEUR\b|\bGBP\b", text):
        return "en-us"
    return language


def _literal_prefix(cue: str) -> str:
    """The words a cue must start with ("by and between" for ``\\bby and between\\b``), or ""
    when it has none (an alternation, a class first)."""
    if re.search(r"(?<!\\)\|", re.sub(r"\([^()]*\)", "", cue)):
        return ""  # a top-level alternation: no word is required
    m = re.match(r"(?:\\b)?([a-z ]+)([?*{]?)", cue)
    if not m:
        return ""
    return m.group(1)[:-1] if m.group(2) else m.group(1)


# Each cue scans the whole text (about 2 ms on 30k characters, 57 cues); most never occur in a
# given document, and a substring test of the words they start with rules them out in microseconds.
_CUE_SCANS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    doc_type: [(_literal_prefix(cue), re.compile(cue, re.I)) for cue in cues]
    for doc_type, cues in _TYPE_CUES.items()
}


def detect_type(text: str) -> DetectAnswer:
    """Title words weigh most; body cues (capped) break ties; too little evidence → ``other``."""
    head = "\n".join([line for line in text[:800].splitlines() if line.strip()][:4])
    scores: dict[str, float] = {}
    lowered = text.lower()
    for doc_type, scans in _CUE_SCANS.items():
        # at most 3 hits count: stop scanning at the third instead of listing every match
        body = sum(
            len(list(islice(pattern.finditer(text), 3)))
            for prefix, pattern in scans
            if not prefix or prefix in lowered
        )
        title = (10 if doc_type == "terms" else 6) if re.search(_TITLE_WORDS[doc_type], head, re.I) else 0
        scores[doc_type] = title + body
    best = max(scores, key=lambda k: scores[k])
    total = sum(scores.values())
    if scores[best] < 6:
        return DetectAnswer(doc_type="other", confidence=0.5, language=detect_language(text))
    confidence = round(min(0.99, scores[best] / total if total else 0.0), 2)
    return DetectAnswer(doc_type=best, confidence=confidence, language=detect_language(text))  # type: ignore[arg-type]


# -- helpers -------------------------------------------------------------------------------------
Finder = Callable[[str], list[Found]]


def _after_label(text: str, labels: str, finder: Finder, window: int = 60) -> Quoted | None:
    """The first value ``finder`` sees within ``window`` characters after a label."""
    for m in re.finditer(labels, text, re.I):
        segment = text[m.end() : m.end() + window]
        hits = finder(segment)
        if hits:
            hit = hits[0]
            return Quoted.at(text, m.end() + hit.start, m.end() + hit.end)
    return None


def _first_label(text: str, label_list: list[str], finder: Finder, window: int = 60) -> Quoted | None:
    for labels in label_list:
        quoted = _after_label(text, labels, finder, window)
        if quoted:
            return quoted
    return None


def _in_sentences(
    text: str, units: list[Span], want: str, avoid: str | None, finder: Finder
) -> tuple[Span, Found] | None:
    """The first value ``finder`` finds in a sentence matching ``want`` and not ``avoid``.

    ``want`` runs once over the whole text and each hit is mapped to its sentence: one regex
    pass instead of one per sentence (a 30-page contract has a thousand sentences)."""
    starts = [u.start for u in units]
    seen: set[int] = set()
    for m in re.finditer(want, text, re.I):
        index = bisect_right(starts, m.start()) - 1
        if index < 0 or index in seen or m.start() >= units[index].end:
            continue
        seen.add(index)
        unit = units[index]
        sentence = text[unit.start : unit.end]
        if avoid and re.search(avoid, sentence, re.I):
            continue
        hits = finder(sentence)
        if hits:
            return unit, hits[0]
    return None


def _quote(text: str, unit: Span, found: Found) -> Quoted:
    return Quoted.at(text, unit.start + found.start, unit.start + found.end)


def _sentence_quote(text: str, unit: Span, found: Found) -> Quoted:
    """Canonical terms need their context ("twelve months" + "preceding"): quote the sentence."""
    return Quoted.at(text, unit.start, unit.end, value=str(found.value))


def _rest_of_line(text: str, labels: str, stop: str = r"[|\n]") -> Quoted | None:
    """The value written after ``Label:`` (or in the next table cell / on the next line)."""
    for m in re.finditer(rf"(?:{labels})[ \t*_]*[:|][ \t*_|]*\n?[ \t]*", text, re.I):
        end = re.search(stop, text[m.end() :])
        raw_end = m.end() + (end.start() if end else len(text) - m.end())
        raw = text[m.end() : raw_end]
        value = clean_value(raw)
        if value:
            start = m.end() + raw.find(value)
            return Quoted.at(text, start, start + len(value))
    return None


def _company_or_line(text: str, labels: str) -> Quoted | None:
    """A company named after a label: its legal name when it has one, else the line up to a comma."""
    line = _rest_of_line(text, labels)
    if line is None or line.start_hint is None:
        return None
    names = companies(line.quote)
    if names:
        return Quoted.at(text, line.start_hint + names[0].start, line.start_hint + names[0].end)
    head = re.split(r",| - | – | · ", line.quote)[0]
    value = clean_value(head)
    start = line.start_hint + line.quote.find(value)
    return Quoted.at(text, start, start + len(value))


def _dates(language: str) -> Finder:
    return lambda segment: find_dates(segment, language)


def _canonical(name: str) -> Finder:
    def finder(segment: str) -> list[Found]:
        found = CANONICAL[name](segment)
        return [found] if found else []

    return finder


# -- contract ------------------------------------------------------------------------------------
_EFFECTIVE = (
    r"effective\s+(?:as\s+of|from|on)|(?:entered\s+into|made)\s+(?:effective\s+)?as\s+of|commenc\w*\s+(?:on|from)|"
    r"start(?:s|ing)?\s+on|entrar[aá]\s+en\s+vigor\s+el|en\s+vigor\s+(?:desde|el)|a\s+contar\s+desde\s+el|"
    r"con\s+efectos?\s+(?:desde|a\s+partir\s+del?)|effective\s+date\s*[:|]|"
    r"fecha\s+de\s+(?:entrada\s+en\s+vigor|efecto)\s*[:|]?"
)
_EXPIRATION = (
    r"expir(?:e|es|ing)\s+on|end(?:s|ing)\s+on|terminat(?:e|es)\s+on|finalizar[aá]\s+el|hasta\s+el|"
    r"vencer[aá]\s+el|expiration\s+date\s*[:|]|end\s+date\s*[:|]|fecha\s+de\s+(?:vencimiento|finalizaci[oó]n)\s*[:|]?"
)
_TERM_BEFORE = re.compile(r"(?:\bterm|\bperiod|duraci[oó]n|vigencia)\b[^.;\n]{0,30}$", re.I)
_TERM_AVOID = re.compile(
    r"notice|renew|pr[oó]rroga|prorroga|warrant|garant[ií]a|confiden|secreto|compet|preaviso|antelaci[oó]n|"
    r"invoice|factura|pay|pago|siguientes|after\s+it\s+ends",
    re.I,
)
_VALUE_KEYS = (
    r"total\s+annual\s+subscription\s+fee|precio\s+total|importe\s+total|importe\s+anual|valor\s+total|"
    r"total\s+(?:contract\s+)?value|contract\s+value|aggregate\s+(?:contract\s+)?value|fixed\s+fee|"
    r"total\s+(?:price|fees?)|asciende\s+a|(?:annual\s+)?fee\s+of|price\s+of"
)
_VALUE_AVOID = r"liabilit|responsabilidad|insurance|seguro|penalt|penaliz|late|interest|per\s+(?:day|hour)"


def _parties(text: str) -> list[Quoted]:
    region_end = min(len(text), 2500)
    names: list[Quoted] = []
    seen: set[str] = set()
    for span in companies(text[:region_end]):
        key = re.sub(r"\W", "", text[span.start : span.end]).lower()
        if key not in seen:
            seen.add(key)
            names.append(Quoted.at(text, span.start, span.end))
        if len(names) == 2:
            break
    if len(names) < 2:
        m = re.search(
            r"\b(?:between|entre)\s+(.{3,80}?)\s+(?:and|y)\s+(.{3,80}?)(?=\s*[,(.;\n])", text[:region_end]
        )
        # "by and between Consultant and Company": defined terms (("Consultant")) are roles, not names
        if m and not any(re.search(rf"[\"“]{re.escape(m.group(k))}[\"”]", text) for k in (1, 2)):
            names = [Quoted.at(text, m.start(1), m.end(1)), Quoted.at(text, m.start(2), m.end(2))]
    return names


def _money_after(text: str, keys: str, avoid: str, window: int = 80) -> Quoted | None:
    units = sentences(text)
    for m in re.finditer(keys, text, re.I):
        unit = next((u for u in units if u.start <= m.start() < u.end), None)
        if unit and re.search(avoid, text[unit.start : unit.end], re.I):
            continue
        for hit in find_money(text[m.end() : m.end() + window]):
            tail = text[m.end() + hit.end : m.end() + hit.end + 12]
            if re.match(r"\s*(?:per|por|/)\s*(?:day|hour|día|hora|d[ií]a)", tail, re.I):
                continue
            return Quoted.at(text, m.end() + hit.start, m.end() + hit.end)
    return None


def _term(text: str, units: list[Span]) -> Quoted | None:
    starts = [u.start for u in units]
    for found in find_durations(text):
        before = text[max(0, found.start - 45) : found.start]
        index = bisect_right(starts, found.start) - 1
        unit = units[index] if index >= 0 and found.start < units[index].end else None
        sentence = text[unit.start : unit.end] if unit else before
        if _TERM_BEFORE.search(before) and not _TERM_AVOID.search(sentence):
            return Quoted.at(text, found.start, found.end)
    return None


def _notice(text: str, units: list[Span]) -> Quoted | None:
    for index, unit in enumerate(units):
        sentence = text[unit.start : unit.end]
        # "X may terminate at will; Y only with six months' notice": the verb may sit in the
        # previous part of the same line.
        prev = units[index - 1] if index else None
        context = (
            text[prev.start : unit.end] if prev and "\n" not in text[prev.end : unit.start] else sentence
        )
        if not re.search(r"terminat|non-renewal|resol|denuncia|cancel", context, re.I):
            continue
        if not re.search(r"notice|preaviso|antelaci[oó]n|aviso", sentence, re.I):
            continue
        if re.search(r"\bcured?\b|subsan|remed", sentence, re.I) or contract_rules.INSURANCE.search(sentence):
            continue  # a cure period, or an insurer's notice of cancellation
        durations = find_durations(sentence)
        if not durations:
            continue
        anchor = re.search(r"notice|preaviso|antelaci[oó]n|aviso", sentence, re.I)
        assert anchor is not None
        best = min(durations, key=lambda f: min(abs(f.start - anchor.end()), abs(f.end - anchor.start())))
        return _quote(text, unit, best)
    return None


def _contract(text: str, language: str) -> dict[str, object]:
    units = sentences(text)
    fields: dict[str, object] = {"parties": contract_rules.parties(text) or _parties(text)}
    effective = contract_rules.effective_date(text, language)
    fields["effective_date"] = effective
    effective_iso = find_dates(effective.quote, language)[0].value if effective else None
    term_units = contract_rules.term_sentences(text, units)
    fields["expiration_date"] = contract_rules.expiration_date(
        text, language, term_units, str(effective_iso) if effective_iso else None
    )
    fields["term"] = contract_rules.initial_term(text, term_units) or _term(text, units)
    renewal = contract_rules.renewal_clause(text, units)
    fields["renewal"] = renewal
    # Notice about a renewal only means something when the contract renews by itself (notice to
    # stop it) or at a party's option (notice to exercise or decline it).
    renews = renewal is not None and renewal.value in ("automatic", "option")
    fields["renewal_notice"] = contract_rules.renewal_notice(text, units) if renews else None
    fields["total_value"] = _money_after(text, _VALUE_KEYS, _VALUE_AVOID)
    payment = _in_sentences(
        text,
        units,
        r"invoice|factura|payment|payable|\bpay\b|pago|abonar",
        r"liabilit|terminat|\blate\b|interest|overdue|demora|resolver|fails\s+to\s+pay|undisputed",
        _canonical("payment_terms"),
    )
    fields["payment_terms"] = _sentence_quote(text, *payment) if payment else None
    fields["termination_notice"] = _notice(text, units)
    fields.update(_contract_like(text, units))
    return fields


_LAW_CHOICE = (
    r"\bgovern(?:ed|s|ing)?\b|\bconstrued\b|\binterpreted\b|\bcontrolled\s+by\b|"
    r"\bin\s+accordance\s+with\s+the\s+(?:\w+\s+)?laws?\b|"
    r"se\s+regir[aá]|se\s+rige|ley\s+aplicable|legislaci[oó]n\s+aplicable|interpretar[aá]|"
    r"conforme\s+a\s+(?:las\s+leyes|la\s+legislaci[oó]n|el\s+derecho)"
)
_LAWS = re.compile(r"\b(?:laws?|leyes|legislaci[oó]n|derecho)\b", re.I)


def _canonical_with_law(sentence: str) -> list[Found]:
    return _canonical("governing_law")(sentence) if _LAWS.search(sentence) else []


def _contract_like(text: str, units: list[Span]) -> dict[str, object]:
    """Governing law and liability cap: read the same way in contracts and terms of service."""
    fields: dict[str, object] = {}
    # A sentence that says the contract is governed / construed / interpreted by laws first
    # ("is to be construed under the laws of the State of Idaho" has no "govern"),
    # then any other mention: "to the extent required by applicable law … the General Business Law
    # of the State of New York" or a "Governance Committee" is not the choice of law.
    avoid = r"organi[sz]ed\s+under|incorporated|existing\s+under"
    law = _in_sentences(text, units, _LAW_CHOICE, avoid, _canonical_with_law) or _in_sentences(
        text,
        units,
        r"govern|ley\s+aplicable|legislaci[oó]n|se\s+regir[aá]|se\s+rige|applicable\s+law|\bley\b",
        avoid,
        _canonical("governing_law"),
    )
    fields["governing_law"] = _sentence_quote(text, *law) if law else None
    cap = _in_sentences(
        text,
        units,
        r"liabilit|responsabilidad|damages|da[ñn]os",
        r"insurance|seguro",
        lambda s: _cap_finder(s),
    )
    fields["liability_cap"] = _sentence_quote(text, *cap) if cap else None
    return fields


def _cap_finder(sentence: str) -> list[Found]:
    if not re.search(
        r"exceed|limited\s+to|\bcap\b|exceder|superar|limitad|m[aá]ximo|unlimited|ilimitad|in\s+no\s+event",
        sentence,
        re.I,
    ):
        return []
    found = CANONICAL["liability_cap"](sentence)
    return [found] if found else []


# -- terms of service ----------------------------------------------------------------------------
def _terms(text: str, language: str) -> dict[str, object]:
    """Terms of service: the provider writes them, so the fields are what it may do to the user."""
    units = sentences(text)
    shared = _contract_like(text, units)
    provider = _company_or_line(
        text, r"(?:operated|provided|offered)\s+by|prestado\s+por|titular|provider|proveedor"
    )
    if provider is None:
        names = companies(text[:4000])
        provider = Quoted.at(text, names[0].start, names[0].end) if names else None
    retention = _in_sentences(
        text,
        units,
        r"retain|retention|keep|store|delete|conserv|almacen|elimin|suprim",
        r"notice|preaviso|refund|reembolso|renew|renov",
        find_durations,
    )
    auto = _in_sentences(text, units, r"renew|renov|prorrog", None, _canonical("auto_renewal"))
    at_will = _in_sentences(
        text,
        units,
        r"suspend|terminat|cancel|discontinu|clos|disabl|rescind|resolver|cerrar|baja|interrump",
        None,
        _canonical("termination_at_will"),
    )
    changes = _in_sentences(
        text,
        units,
        r"modif|change|amend|update|revis|cambiar|actualizar",
        None,
        _canonical("unilateral_changes"),
    )
    return {
        "provider": provider,
        "governing_law": shared["governing_law"],
        "liability_cap": shared["liability_cap"],
        "auto_renewal": _sentence_quote(text, *auto) if auto else None,
        "termination_at_will": _sentence_quote(text, *at_will) if at_will else None,
        "unilateral_changes": _sentence_quote(text, *changes) if changes else None,
        "data_retention": _quote(text, *retention) if retention else None,
    }


# -- proposal, policy, invoice -------------------------------------------------------------------
def _proposal(text: str, language: str) -> dict[str, object]:
    units = sentences(text)
    date = _after_label(text, r"(?:^|\n)[ \t*_]*(?:date|fecha)[ \t*_]*[:|]", _dates(language), 40)
    if date is None:
        first = find_dates(text, language)
        date = Quoted.at(text, first[0].start, first[0].end) if first else None
    timeline = _in_sentences(
        text,
        units,
        r"timeline|plazo|complete|engagement|duration|duraci[oó]n|schedule|ejecutar|deliver|entrega",
        r"valid|v[aá]lida|validez|working\s+days|d[ií]as\s+h[aá]biles",
        find_durations,
    )
    return {
        "vendor": _company_or_line(
            text,
            r"(?:prepared|submitted|presented)\s+by|presentada\s+por|elaborada\s+por|preparada\s+por|vendor|proveedor",
        ),
        "client": _company_or_line(
            text,
            r"(?:prepared|submitted|presented)\s+(?:for|to)|dirigida\s+a|presentada\s+a|preparada\s+para|client|cliente",
        ),
        "proposal_date": date,
        "price": _money_after(
            text,
            r"total\s+fixed\s+price|fixed\s+price|importe\s+total|precio\s+total|total\s+price|all-inclusive\s+fee|"
            r"total\s+(?:cost|investment)|investment|price|precio|fee",
            r"per\s+(?:day|hour)|por\s+d[ií]a|expenses|gastos",
        ),
        "timeline": _quote(text, *timeline) if timeline else None,
        "valid_until": _after_label(
            text,
            r"valid\s+(?:until|through|till)|v[aá]lid[ao]\s+hasta(?:\s+el)?|vigente\s+hasta",
            _dates(language),
            30,
        ),
    }


def _policy(text: str, language: str) -> dict[str, object]:
    first_line = next((m for m in re.finditer(r"[^\n]+", text) if m.group(0).strip(" #*")), None)
    title = None
    if first_line and re.search(_TITLE_WORDS["policy"], first_line.group(0), re.I):
        value = clean_value(first_line.group(0).lstrip("# "))
        start = first_line.start() + first_line.group(0).find(value)
        title = Quoted.at(text, start, start + len(value))
    scope = None
    m = re.search(
        r"(?:applies\s+to|will\s+apply\s+to|ser[aá]\s+de\s+aplicaci[oó]n\s+a|se\s+aplica\s+a|"
        r"es\s+de\s+aplicaci[oó]n\s+a|scope\s*:)\s*([^\n]+?)\.(?:\s|$)",
        text,
        re.I,
    )
    if m:
        scope = Quoted.at(text, m.start(1), m.end(1))
    version = None
    v = re.search(r"\b(?:versi[oó]n|rev\.?)\b[ \t*_]*[:|]?[ \t*_|]*v?(\d+(?:\.\d+)*)", text, re.I)
    if v:
        version = Quoted.at(text, v.start(1), v.end(1))
    return {
        "title": title,
        "owner": _rest_of_line(
            text, r"policy\s+owner|owned\s+by|responsable\s+de\s+la\s+pol[ií]tica|propietario|\bowner"
        ),
        "scope": scope,
        "effective_date": _after_label(
            text,
            r"effective\s+(?:date|from)|fecha\s+de\s+entrada\s+en\s+vigor|en\s+vigor\s+desde|fecha\s+de\s+efecto",
            _dates(language),
            40,
        ),
        "review_date": _after_label(
            text,
            r"next\s+review|review\s+date|pr[oó]xima\s+revisi[oó]n|fecha\s+de\s+revisi[oó]n|reviewed\s+(?:on|by)",
            _dates(language),
            40,
        ),
        "version": version,
    }


_INVOICE_NUMBER = re.compile(
    r"(?:invoice\s*(?:no\.?|number|num\.?|#|n[ºo°]\.?)|factura\s*(?:n\.?[ºo°]\.?|n[uú]mero|num\.?)|"
    r"n[ºo°]\s*de\s*factura|n[uú]mero\s+de\s+factura)\s*[:#]?\s*([A-Z0-9][A-Z0-9/\-_.]*\d[A-Z0-9]*)",
    re.I,
)


def _invoice(text: str, language: str) -> dict[str, object]:
    number = _INVOICE_NUMBER.search(text)
    bill_to = re.search(r"bill(?:ed)?\s+to|invoice\s+to|sold\s+to|cliente|customer", text, re.I)
    head = text[: bill_to.start()] if bill_to else text
    issuer_spans = companies(head)
    issuer = _company_or_line(text, r"\bfrom|issuer|emisor|proveedor|supplier")
    if issuer is None and issuer_spans:
        issuer = Quoted.at(text, issuer_spans[0].start, issuer_spans[0].end)
    return {
        "invoice_number": Quoted.at(text, number.start(1), number.end(1)) if number else None,
        "issuer": issuer,
        "customer": _company_or_line(
            text, r"bill(?:ed)?\s+to|invoice\s+to|sold\s+to|customer|cliente|facturar\s+a"
        ),
        "issue_date": _first_label(
            text,
            [
                r"invoice\s+date|date\s+of\s+issue|issue\s+date|fecha\s+de\s+(?:emisi[oó]n|factura|expedici[oó]n)",
                r"(?<![\w ])date\s*:|(?<![\w ])fecha\s*:",
            ],
            _dates(language),
            30,
        ),
        "due_date": _after_label(
            text,
            r"due\s+date|payment\s+due|due\s+on|fecha\s+de\s+vencimiento|vencimiento|pagadera\s+el",
            _dates(language),
            30,
        ),
        "total": _first_label(
            text,
            [
                r"total\s+due|amount\s+due|balance\s+due|total\s+factura|total\s+a\s+pagar|grand\s+total",
                r"importe\s+total|total\s+amount|(?<!sub)total",
            ],
            find_money,
            40,
        ),
    }


_EXTRACTORS: dict[str, Callable[[str, str], dict[str, object]]] = {
    "contract": _contract,
    "terms": _terms,
    "proposal": _proposal,
    "policy": _policy,
    "invoice": _invoice,
}


def extract_fields(doc_type: str, text: str, language: str):  # -> the doc type's *Fields model
    """Offline twin of the extraction step for one chunk of text."""
    schema = FIELDS_SCHEMA.get(doc_type, FIELDS_SCHEMA["other"])
    extractor = _EXTRACTORS.get(doc_type)
    if extractor is None:
        return schema()
    values = {k: v for k, v in extractor(text, language).items() if v not in (None, [])}
    answer = schema.model_validate({k: v for k, v in values.items()})
    # model_validate copies models; keep the position hints the rules found.
    for name, value in values.items():
        target = getattr(answer, name)
        if isinstance(value, list):
            for src, dst in zip(value, target, strict=False):
                dst._start = src.start_hint
        elif isinstance(value, Quoted):
            target._start = value.start_hint
    return answer


# -- summary -------------------------------------------------------------------------------------
_KEY_SENTENCE = re.compile(
    r"objet|purpose|finalidad|engage|services|servicios|proposal|propuesta|policy|pol[ií]tica|appoint|"
    r"supply|suministr|mantenimiento|objective|objetivo|asked\s+us|desea|quiere",
    re.I,
)


def summarize(text: str, doc_type: str, facts: str) -> SummaryAnswer:
    """Extractive: a line of grounded facts, then the two sentences that best say what the
    document is about (purpose words, early position, prose rather than headings)."""
    scored: list[tuple[float, int, str]] = []
    for rank, unit in enumerate(sentences(text)):
        sentence = " ".join(text[unit.start : unit.end].split())
        if len(sentence) < 50 or sentence.count("|") > 1 or sentence.isupper():  # headings are not prose
            continue
        score = (2.0 if _KEY_SENTENCE.search(sentence) else 0.0) + 1.0 / (1 + rank * 0.2)
        scored.append((score, unit.start, sentence))
    best = sorted(sorted(scored, reverse=True)[:2], key=lambda item: item[1])
    parts = [facts] if facts else []
    parts += [s for _, _, s in best]
    return SummaryAnswer(summary=" ".join(parts).strip() or f"{doc_type.capitalize()} document.")
