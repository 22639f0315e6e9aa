"""The graph's nodes: small functions over :class:`DocumentState`.

Every model step goes through ``llm.structured(...)`` with its offline twin, and every
answer — whichever side produced it — is grounded before it enters the state. Long
documents are processed chunk by chunk (offsets shifted back to the whole text) and
merged: the first grounded value of a field wins, clauses and risks are de-duplicated.
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from agentops_cli.agents.document import offline, risks
from agentops_cli.agents.document.configuration import (
    CLAUSE_TYPES,
    RISK_TYPES,
    DocumentContext,
    field_specs,
)
from agentops_cli.agents.document.grounding import Grounder
from agentops_cli.agents.document.loaders import ExtractBudget, load_document
from agentops_cli.agents.document.schemas import (
    FIELDS_SCHEMA,
    Clause,
    ClausesRisksAnswer,
    DetectAnswer,
    FieldValue,
    Money,
    Risk,
    SummaryAnswer,
)
from agentops_cli.agents.document.segment import chunks as split_chunks
from agentops_cli.agents.document.state import DocumentState


def load(state: DocumentState, runtime: Runtime[DocumentContext]) -> DocumentState:
    ctx = runtime.context
    settings = ctx.settings.document
    doc = load_document(
        state["path"],
        ctx.root,
        max_bytes=settings.max_bytes,
        max_pages=settings.max_pages,
        allow_hard_links=settings.allow_hard_links,
        budget=ExtractBudget(
            max_pages=settings.max_pages,
            max_unpacked_bytes=settings.max_unpacked_bytes,
            max_text_chars=settings.max_bytes,
            max_seconds=settings.max_extract_s,
        ),
    )
    parts = split_chunks(doc.text, settings.chunk_chars, settings.chunk_overlap)
    flags = [f"chunks:{len(parts)}"] if len(parts) > 1 else []
    return {
        "resolved_path": doc.path,
        "format": doc.format,
        "text": doc.text,
        "pages": doc.pages,
        "chunks": parts,
        "flags": flags,
        "ungrounded_dropped": 0,
    }


def detect_type(state: DocumentState, runtime: Runtime[DocumentContext]) -> DocumentState:
    ctx = runtime.context
    text = state["text"]
    if ctx.requested_type != "auto":
        return {
            "doc_type": ctx.requested_type,
            "type_confidence": 1.0,
            "language": offline.detect_language(text),
            "flags": [*state.get("flags", []), "type_forced"],
        }
    answer = ctx.llm.structured(
        DetectAnswer,
        prompt="document/detect",
        variables={"text": text[:4000]},
        offline=lambda: offline.detect_type(text),
        complexity="simple",
    )
    language = answer.language if answer.language != "other" else offline.detect_language(text)
    return {"doc_type": answer.doc_type, "type_confidence": answer.confidence, "language": language}


def extract_fields(state: DocumentState, runtime: Runtime[DocumentContext]) -> DocumentState:
    ctx = runtime.context
    doc_type, language = state["doc_type"], state["language"]
    specs = field_specs(doc_type)
    if not specs:
        return {"fields": {}}
    schema = FIELDS_SCHEMA[doc_type]
    described = "\n".join(f"- {s.name}: {s.description}" for s in specs.values())
    # Offline rules read the whole text at once: a contract's parties sit in the preamble and
    # its governing law near the end, and rules cost nothing per character a model would.
    parts = state["chunks"] if ctx.llm.provider != "offline" else [(0, state["text"])]
    locale = offline.date_locale(state["text"], language)
    merged: dict[str, FieldValue] = {}
    dropped = 0
    for index, (offset, chunk) in enumerate(parts):
        answer = ctx.llm.structured(
            schema,
            prompt="document/extract",
            variables={
                "doc_type": doc_type,
                "fields": described,
                "chunk": index + 1,
                "chunks": len(parts),
                "text": chunk,
            },
            offline=lambda chunk=chunk: offline.extract_fields(doc_type, chunk, locale),
            complexity="complex",
        )
        grounder = Grounder(chunk, locale)
        if "effective_date" in merged:
            grounder.anchors["effective_date"] = str(merged["effective_date"].value)
        for name, spec in specs.items():
            value = grounder.field(spec, getattr(answer, name, None))
            if value is not None and name not in merged:
                merged[name] = _shift_field(value, offset)
                if name == "effective_date":
                    grounder.anchors[name] = str(value.value)
        dropped += grounder.dropped
        _progress(ctx, index + 1, len(parts) * 2)
    return {"fields": merged, "ungrounded_dropped": state.get("ungrounded_dropped", 0) + dropped}


def clauses_and_risks(state: DocumentState, runtime: Runtime[DocumentContext]) -> DocumentState:
    ctx = runtime.context
    doc_type, language, text = state["doc_type"], state["language"], state["text"]
    parts = state["chunks"] if ctx.llm.provider != "offline" else [(0, text)]
    clauses: list[Clause] = []
    found: list[Risk] = []
    dropped = 0
    for index, (offset, chunk) in enumerate(parts):
        answer = ctx.llm.structured(
            ClausesRisksAnswer,
            prompt="document/clauses_risks",
            variables={
                "doc_type": doc_type,
                "clause_types": ", ".join(CLAUSE_TYPES),
                "risk_types": ", ".join(RISK_TYPES),
                "chunk": index + 1,
                "chunks": len(parts),
                "text": chunk,
            },
            offline=lambda chunk=chunk: risks.clauses_and_risks(chunk, doc_type),
            complexity="complex",
        )
        grounder = Grounder(chunk, language)
        for quote in answer.clauses:
            clause = grounder.clause(quote)
            if clause is not None:
                clauses.append(
                    clause.model_copy(update={"start": clause.start + offset, "end": clause.end + offset})
                )
        for quote in answer.risks:
            risk = grounder.risk(quote)
            if risk is not None:
                found.append(risk.model_copy(update={"start": risk.start + offset, "end": risk.end + offset}))
        dropped += grounder.dropped
        _progress(ctx, len(parts) + index + 1, len(parts) * 2)
    found += risks.field_risks(text, doc_type, state.get("fields", {}))
    return {
        "clauses": _dedupe_clauses(clauses),
        "risks": risks.merge_adjacent(risks.merge_risks(found), text),
        "ungrounded_dropped": state.get("ungrounded_dropped", 0) + dropped,
    }


def summarize(state: DocumentState, runtime: Runtime[DocumentContext]) -> DocumentState:
    ctx = runtime.context
    doc_type, text = state["doc_type"], state["text"]
    fields = state.get("fields", {})
    found = state.get("risks", [])
    facts = facts_line(doc_type, fields, found)
    answer = ctx.llm.structured(
        SummaryAnswer,
        prompt="document/summary",
        variables={
            "doc_type": doc_type,
            "language": state["language"],
            "fields": "\n".join(f"- {k}: {_show(v.value)}" for k, v in fields.items()) or "(none)",
            "risks": "\n".join(f"- {r.type} ({r.severity}): {r.evidence[:160]}" for r in found) or "(none)",
            "text": text[:3000],
        },
        offline=lambda: offline.summarize(text, doc_type, facts),
        complexity="simple",
    )
    flags = list(state.get("flags", []))
    dropped = state.get("ungrounded_dropped", 0)
    if dropped:
        flags.append(f"ungrounded_dropped:{dropped}")
    return {"summary": answer.summary.strip(), "flags": flags}


# -- helpers -------------------------------------------------------------------------------------
def facts_line(doc_type: str, fields: dict[str, FieldValue], found: list[Risk]) -> str:
    """One sentence of grounded facts, the first line of the offline summary."""
    parts: list[str] = []
    parties = fields.get("parties") or fields.get("vendor")
    if isinstance(parties, FieldValue):
        names = parties.value if isinstance(parties.value, list) else [str(parties.value)]
        parts.append("between " + " and ".join(names) if doc_type == "contract" else f"from {names[0]}")
    labels = {
        "client": "for", "customer": "billed to", "effective_date": "effective", "proposal_date": "dated",
        "issue_date": "issued", "expiration_date": "expires", "term": "term", "total_value": "value",
        "price": "price", "total": "total", "due_date": "due", "governing_law": "governed by the law of",
        "owner": "owned by", "valid_until": "valid until",
    }  # fmt: skip
    for name, label in labels.items():
        if name in fields:
            parts.append(f"{label} {_show(fields[name].value)}")
    sentence = f"{doc_type.capitalize()} " + ", ".join(parts) + "." if parts else ""
    if found:
        kinds = ", ".join(dict.fromkeys(f"{r.type.replace('_', ' ')} ({r.severity})" for r in found))
        sentence += f" Risks: {kinds}."
    return sentence.strip()


def _show(value: object) -> str:
    if isinstance(value, Money):
        return f"{value.amount:,.2f} {value.currency}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _shift_field(value: FieldValue, offset: int) -> FieldValue:
    if not offset:
        return value
    spans = [(s + offset, e + offset) for s, e in value.spans] if value.spans else value.spans
    return value.model_copy(update={"start": value.start + offset, "end": value.end + offset, "spans": spans})


def _dedupe_clauses(clauses: list[Clause]) -> list[Clause]:
    """Drop a clause inside an earlier one of its type. Linear: kept clauses all start at or
    before this one, so one contains it iff the furthest end of its type reaches its end."""
    kept: list[Clause] = []
    reach: dict[str, int] = {}
    for clause in sorted(clauses, key=lambda c: (c.start, -(c.end - c.start))):
        if reach.get(clause.type, -1) >= clause.end:
            continue
        kept.append(clause)
        reach[clause.type] = max(reach.get(clause.type, -1), clause.end)
    return kept


def _progress(ctx: DocumentContext, done: int, total: int) -> None:
    if ctx.progress is not None:
        ctx.progress(done, total)
