"""The offline writer for non-market questions: the answer first, in the shape the type asks for.

* fact / synthesis: the strongest note of each sub-question is the direct answer;
* list: the answer names the items (a lead-in, then every item, each cited);
* procedure: the steps, in document order, numbered;
* comparison: one row per compared entity in a table, then the findings per entity;
* gaps: every sub-question or entity without evidence is said to be missing, never hidden.

Headings and connecting words follow the question's language; quotes stay in the source's.
"""

from __future__ import annotations

from agentops_cli.agents.research.question import QuestionAnalysis
from agentops_cli.agents.research.schemas import ComparisonRow, FindingDraft, Note, ResearchDraft, Statement
from agentops_cli.nlp.text import terms

GAP_TEXT = {
    "en": {
        "subquestion": "Not found in the corpus: {what}",
        "entity": "No passage in the corpus was found about “{what}”.",
        "lang": "The sources are in {source}; quotes are given in their original language.",
        "more": "Other relevant passages",
    },
    "es": {
        "subquestion": "No se encontró en el corpus: {what}",
        "entity": "No se encontró ningún pasaje del corpus sobre «{what}».",
        "lang": "Las fuentes están en {source}; las citas se dan en su idioma original.",
        "more": "Otros pasajes relevantes",
    },
}
_LANG_NAMES = {"en": {"en": "English", "es": "Spanish"}, "es": {"en": "inglés", "es": "español"}}
_SUMMARY_ITEMS = 12


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def _statements(notes: list[tuple[int, Note]]) -> list[Statement]:
    return [Statement(text=_sentence(note.claim), citations=[n]) for n, note in notes]


def _list_answer(lead: tuple[int, Note] | None, items: list[tuple[int, Note]]) -> Statement:
    """One statement naming every item: "Lead-in: item; item; item." cited by each item."""
    names = "; ".join(note.claim.rstrip(".;") for _, note in items[:_SUMMARY_ITEMS])
    head = lead[1].claim.rstrip(":. ") + ": " if lead else ""
    cites = ([lead[0]] if lead else []) + [n for n, _ in items[:_SUMMARY_ITEMS]]
    return Statement(text=_sentence(head + names), citations=cites)


def typed_draft(
    analysis: QuestionAnalysis, plan_items: list[str], all_notes: list[Note], gaps: list[str], doc_lang: str
) -> ResearchDraft:
    language = analysis.language if analysis.language in GAP_TEXT else "en"
    words = GAP_TEXT[language]
    numbered = list(enumerate(all_notes, start=1))
    summary: list[Statement] = []
    findings: list[FindingDraft] = []
    best: list[Statement | None] = []  # per sub-question: its best single point (comparison rows)
    for i, subquestion in enumerate(plan_items):
        mine = [(n, note) for n, note in numbered if note.subquestion == i]
        items = [(n, note) for n, note in mine if note.kind in ("item", "step")]
        lead = next(((n, note) for n, note in mine if note.kind == "lead"), None)
        points = [(n, note) for n, note in mine if note.kind == "point"]
        best.append((_statements(points[:1]) or _statements(items[:1]) or [None])[0])
        if items and (analysis.type in ("list", "procedure") or not points):
            summary.append(_list_answer(lead, items))
        elif points:
            summary.append(Statement(text=_sentence(points[0][1].claim), citations=[points[0][0]]))
        ordered = bool(items) and (
            analysis.type == "procedure" or any(note.kind == "step" for _, note in items)
        )
        if ordered:  # the lead-in and the steps, numbered; other passages apart, not numbered
            steps = ([lead] if lead else []) + items
            findings.append(
                FindingDraft(subquestion=subquestion, statements=_statements(steps), ordered=True)
            )
            if points:
                findings.append(FindingDraft(subquestion=words["more"], statements=_statements(points)))
        else:
            findings.append(FindingDraft(subquestion=subquestion, statements=_statements(mine)))
    comparison: list[ComparisonRow] = []
    if analysis.type == "comparison":
        for entity, statement in zip(analysis.entities, best, strict=False):
            if statement is not None:  # the best-scored point of the entity's own sub-question
                comparison.append(ComparisonRow(entity=entity, statement=statement))
    missing = [words["subquestion"].format(what=f.subquestion) for f in findings if not f.statements]
    for entity in analysis.entities:
        keys = set(terms(entity))
        if keys and not any(
            2 * len(keys & set(terms(f"{n.claim} {n.title}"))) >= len(keys) for n in all_notes
        ):
            missing.append(words["entity"].format(what=entity))
    if doc_lang and doc_lang != language and all_notes:
        missing.append(words["lang"].format(source=_LANG_NAMES[language].get(doc_lang, doc_lang)))
    return ResearchDraft(
        title=analysis.question.strip().lstrip("¿¡").rstrip("?"),
        executive_summary=summary,
        findings=findings,
        comparison=comparison,
        gaps=list(dict.fromkeys([*gaps, *missing])),
        language=language,
    )
