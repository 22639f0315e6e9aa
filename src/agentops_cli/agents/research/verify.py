"""Citation verification and report rendering.

Why render after verifying: the writer (model or offline) produces a structured draft
that cites note numbers. Only notes whose quote is found in their source document
survive; statements left without a verified citation are dropped (summary, findings)
and the surviving citations are renumbered in order of first use. The markdown is then
rendered from what survived, so the report can never show a citation that did not check.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from agentops_cli.agents.research.corpus import CorpusIndex
from agentops_cli.agents.research.schemas import Citation, Note, ResearchDraft, Statement

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "\u00a0": " "})


def normalise(text: str) -> str:
    """NFKC, straight quotes, single spaces: formatting noise must not fail a true quote."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def quote_in_text(quote: str, text: str) -> bool:
    """True when the (normalised) quote occurs in the (normalised) text; empty quotes never do."""
    needle = normalise(quote)
    return bool(needle) and needle in normalise(text)


_QUOTE_CLASS = {"'": "['‘’‚′]", '"': '["“”„″«»]'}


def locate(quote: str, text: str) -> str | None:
    """The exact original span of ``text`` that ``quote`` stands for, or None.

    Why: a citation must show the source's own characters (curly quotes, non-breaking
    spaces), byte for byte. An exact occurrence is returned as is; a quote that only differs
    in quote marks or whitespace (a model straightening ’ to ') is mapped back to the
    original span, so the report shows what the file says, not the model's copy.
    """
    if not quote.strip():
        return None
    if quote in text:
        return quote
    needle = normalise(quote)
    parts = []
    for ch in needle:
        if ch == " ":
            parts.append(r"\s+")
        else:
            parts.append(_QUOTE_CLASS.get(ch, re.escape(ch)))
    match = re.search("".join(parts), text)
    return match.group(0) if match else None


def exact_note(note: Note, corpus: CorpusIndex) -> Note | None:
    """The note with its quote replaced by the document's original span; None if not found."""
    passage = corpus.passage(note.passage_id)
    if passage is None:
        return None
    document = corpus.document(passage.source)
    found = locate(note.quote, document.text) if document is not None else None
    return note.model_copy(update={"quote": found}) if found is not None else None


def note_verifies(note: Note, corpus: CorpusIndex) -> bool:
    """A note verifies when its passage exists and its quote occurs in that passage's document."""
    return exact_note(note, corpus) is not None


@dataclass
class Verified:
    """The outcome: the draft with only verified citations, renumbered, and what was removed."""

    draft: ResearchDraft
    citations: list[Citation]
    unverified: list[Citation]
    removed_claims: int = 0
    dangling: int = 0
    flags: list[str] = field(default_factory=list)


def verify(draft: ResearchDraft, notes: list[Note], corpus: CorpusIndex) -> Verified:
    """Keep statements backed by verified notes; renumber citations [1..k] by first use."""
    exact = {n: exact_note(note, corpus) for n, note in enumerate(notes, start=1)}
    ok = {n: note for n, note in exact.items() if note is not None}
    bad = {n: note for n, note in enumerate(notes, start=1) if n not in ok}
    renumber: dict[int, int] = {}
    cited_bad: set[int] = set()
    dangling = 0
    removed = 0

    def keep(statements: list[Statement], *, need_citation: bool) -> list[Statement]:
        nonlocal dangling, removed
        kept = []
        for statement in statements:
            good = []
            for n in dict.fromkeys(statement.citations):
                if n in ok:
                    good.append(renumber.setdefault(n, len(renumber) + 1))
                elif n in bad:
                    cited_bad.add(n)
                else:
                    dangling += 1
            if good or (not need_citation and not statement.citations):
                kept.append(Statement(text=statement.text, citations=good))
            else:
                removed += 1
        return kept

    summary = keep(draft.executive_summary, need_citation=True)
    findings = [
        f.model_copy(update={"statements": keep(f.statements, need_citation=True)}) for f in draft.findings
    ]
    risks = keep(draft.risks, need_citation=False)
    rows = [
        row.model_copy(update={"statement": kept[0]})
        for row in draft.comparison
        if (kept := keep([row.statement], need_citation=True))
    ]
    clean = draft.model_copy(
        update={"executive_summary": summary, "findings": findings, "risks": risks, "comparison": rows}
    )
    citations = [_citation(new, ok[old]) for old, new in sorted(renumber.items(), key=lambda kv: kv[1])]
    unverified = [_citation(0, bad[n]) for n in sorted(cited_bad)]
    flags = []
    if cited_bad or dangling:
        flags.append(f"unverified_citations:{len(cited_bad) + dangling}")
    if removed:
        flags.append(f"removed_claims:{removed}")
    return Verified(clean, citations, unverified, removed, dangling, flags)


def _citation(n: int, note: Note) -> Citation:
    return Citation(n=n, source=note.source, title=note.title, quote=note.quote, passage_id=note.passage_id)


# -- markdown --------------------------------------------------------------------------------------


LABELS = {
    "en": {
        "question": "Question",
        "answer": "Answer",
        "summary": "Executive summary",
        "findings": "Findings",
        "comparison": "Comparison",
        "what": "What the sources say",
        "gaps": "Gaps and limits",
        "risks": "Risks and unknowns",
        "sources": "Sources",
        "no_answer": "No verified evidence was found in the corpus.",
        "no_finding": "No verified evidence found in the corpus.",
        "no_gap": "Every sub-question has cited evidence; only the quoted passages were checked.",
        "no_risk": "No risk-related passage was found in the cited sources (this is not evidence "
        "that there are none).",
        "removed": "{count} citation(s) could not be verified against their sources and were removed.",
        "no_sources": "No verified sources.",
        "footer": "Corpus: {label} ({documents} documents). "
        "Every quote above was checked against its source.",
    },
    "es": {
        "question": "Pregunta",
        "answer": "Respuesta",
        "summary": "Resumen",
        "findings": "Hallazgos",
        "comparison": "Comparación",
        "what": "Lo que dicen las fuentes",
        "gaps": "Lagunas y límites",
        "risks": "Riesgos e incógnitas",
        "sources": "Fuentes",
        "no_answer": "No se encontró evidencia verificada en el corpus.",
        "no_finding": "No se encontró evidencia verificada en el corpus.",
        "no_gap": "Cada subpregunta tiene evidencia citada; solo se comprobaron los pasajes citados.",
        "no_risk": "No se encontró ningún pasaje sobre riesgos en las fuentes citadas (lo que no "
        "prueba que no los haya).",
        "removed": "{count} cita(s) no se pudieron verificar en sus fuentes y se eliminaron.",
        "no_sources": "No hay fuentes verificadas.",
        "footer": "Corpus: {label} ({documents} documentos). Cada cita se comprobó en su fuente.",
    },
}


def _marks(statement: Statement) -> str:
    return "".join(f"[{n}]" for n in statement.citations)


def _line(statement: Statement, bullet: str = "-") -> str:
    marks = _marks(statement)
    return f"{bullet} {statement.text.strip()}{' ' + marks if marks else ''}"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def render_markdown(question: str, verified: Verified, *, corpus_label: str, documents: int) -> str:
    """Title, question, answer (or executive summary), comparison table, findings, gaps, sources.

    A typed draft (``kind`` fact, list, comparison, procedure or synthesis) leads with "Answer"
    and ends with "Gaps and limits"; the market-research draft keeps "Executive summary" and
    "Risks and unknowns". Labels follow ``draft.language``.
    """
    draft = verified.draft
    words = LABELS.get(draft.language, LABELS["en"])
    typed = draft.kind not in ("", "market")
    out = [f"# {draft.title.strip()}", "", f"**{words['question']}:** {question.strip()}", ""]
    out += [f"## {words['answer'] if typed else words['summary']}", ""]
    out += [_line(s) for s in draft.executive_summary] or [f"- {words['no_answer']}"]
    if draft.comparison:
        out += ["", f"## {words['comparison']}", "", f"| | {words['what']} |", "|---|---|"]
        out += [
            f"| {_cell(r.entity)} | {_cell(r.statement.text)} {_marks(r.statement)} |"
            for r in draft.comparison
        ]
    out += ["", f"## {words['findings']}", ""]
    for i, finding in enumerate(draft.findings, start=1):
        out += [f"### {i}. {finding.subquestion.strip()}", ""]
        if finding.ordered:  # a lead-in ("…:") stays a bullet; the steps are numbered
            step = 0
            for s in finding.statements:
                step += not s.text.rstrip().endswith(":")
                out.append(_line(s, "-" if s.text.rstrip().endswith(":") else f"{step}."))
        else:
            out += [_line(s) for s in finding.statements]
        if not finding.statements:
            out.append(f"- {words['no_finding']}")
        out.append("")
    if typed:
        out += [f"## {words['gaps']}", ""]
        out += [f"- {gap}" for gap in draft.gaps] + [_line(s) for s in draft.risks]
        if not draft.gaps and not draft.risks:
            out.append(f"- {words['no_gap']}")
    else:
        out += [f"## {words['risks']}", ""]
        out += [_line(s) for s in draft.risks] or [f"- {words['no_risk']}"]
    if verified.unverified or verified.dangling:
        count = len(verified.unverified) + verified.dangling
        out.append(f"- {words['removed'].format(count=count)}")
    out += ["", f"### {words['sources']}", ""]
    for c in verified.citations:
        out += [f"[{c.n}] {c.title} — `{c.source}` — “{c.quote}”", ""]
    if not verified.citations:
        out += [words["no_sources"], ""]
    out += [f"_{words['footer'].format(label=corpus_label, documents=documents)}_"]
    return "\n".join(out) + "\n"
