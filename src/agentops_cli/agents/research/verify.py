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


def note_verifies(note: Note, corpus: CorpusIndex) -> bool:
    """A note verifies when its passage exists and its quote occurs in that passage's document."""
    passage = corpus.passage(note.passage_id)
    if passage is None:
        return False
    document = corpus.document(passage.source)
    return document is not None and quote_in_text(note.quote, document.text)


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
    ok = {n: note for n, note in enumerate(notes, start=1) if note_verifies(note, corpus)}
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
    clean = ResearchDraft(title=draft.title, executive_summary=summary, findings=findings, risks=risks)
    citations = [_citation(new, ok[old]) for old, new in sorted(renumber.items(), key=lambda kv: kv[1])]
    unverified = [_citation(0, bad[n]) for n in sorted(cited_bad)]
    flags = []
    if cited_bad or dangling:
        flags.append(f"unverified_citations:{len(cited_bad) + dangling}")
    if removed:
        flags.append(f"removed_claims:{removed}")
    return Verified(clean, citations, unverified, removed, dangling, flags)


def _citation(n: int, note: Note) -> Citation:
    return Citation(
        n=n, source=note.source, title=note.title, quote=normalise(note.quote), passage_id=note.passage_id
    )


# -- markdown --------------------------------------------------------------------------------------


def _line(statement: Statement) -> str:
    marks = "".join(f"[{n}]" for n in statement.citations)
    return f"- {statement.text.strip()}{' ' + marks if marks else ''}"


def render_markdown(question: str, verified: Verified, *, corpus_label: str, documents: int) -> str:
    """Title, question, executive summary, findings per sub-question, risks/unknowns, sources."""
    draft = verified.draft
    out = [f"# {draft.title.strip()}", "", f"**Question:** {question.strip()}", ""]
    out += ["## Executive summary", ""]
    out += [_line(s) for s in draft.executive_summary] or ["- No verified evidence was found in the corpus."]
    out += ["", "## Findings", ""]
    for i, finding in enumerate(draft.findings, start=1):
        out += [f"### {i}. {finding.subquestion.strip()}", ""]
        out += [_line(s) for s in finding.statements] or ["- No verified evidence found in the corpus."]
        out.append("")
    out += ["## Risks and unknowns", ""]
    out += [_line(s) for s in draft.risks] or ["- None identified in the corpus."]
    if verified.unverified or verified.dangling:
        count = len(verified.unverified) + verified.dangling
        out.append(f"- {count} citation(s) could not be verified against their sources and were removed.")
    out += ["", "### Sources", ""]
    for c in verified.citations:
        out += [f"[{c.n}] {c.title} — `{c.source}` — “{c.quote}”", ""]
    if not verified.citations:
        out += ["No verified sources.", ""]
    out += [
        f"_Corpus: {corpus_label} ({documents} documents). Every quote above was checked against its source._"
    ]
    return "\n".join(out) + "\n"
