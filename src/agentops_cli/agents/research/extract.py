"""Offline notes that keep structure: the answer-bearing units of the gathered passages.

Why: the answer to a list or a procedure is a group (a heading or a "…:" sentence and the
items, steps, rows or sub-headings under it); the answer to a fact is one or two sentences.
Units are scored by idf-weighted overlap with the question's terms (and their translation),
counting the headings above a unit at half weight (heading-aware), so "Date of birth" under
"…medical note must include:" is found although it shares no word with the question. The
best group is kept whole, in document order; then the best single units. Methodology and
boilerplate sentences ("This page provides an overview…") are never notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from agentops_cli.agents.research.corpus import CorpusIndex, Passage
from agentops_cli.agents.research.lexicon import concepts
from agentops_cli.agents.research.offline import _GENERIC, match_keys
from agentops_cli.agents.research.question import NAMED, QuestionAnalysis, strip_template
from agentops_cli.agents.research.schemas import NoteItem, ResearchNotes
from agentops_cli.agents.research.units import Unit, children, document_units, plain

# Sentences about the document rather than the subject: never findings.
BOILERPLATE = re.compile(
    r"^(?:this (?:page|document|guide|section|handbook|note|report|article|chart)\b|"
    r"(?:prices|figures|data|numbers|amounts) (?:are|were) (?:list prices|collected|compiled|taken|based)|"
    r"(?:methodology|disclaimer|source|sources|last updated|see also|note|nota)\b\s*:|"
    r"(?:for more (?:information|details)|learn more|read more|more on that below|questions\?)|"
    r"(?:esta (?:p[aá]gina|gu[ií]a|secci[oó]n)|este (?:documento|art[ií]culo))\b|"
    r"para m[aá]s informaci[oó]n)",
    re.IGNORECASE,
)
_QUESTION_WORDS = {
    k
    for w in [
        "how",
        "what",
        "which",
        "who",
        "when",
        "where",
        "why",
        "whom",
        "whose",
        "many",
        "much",
        "does",
        "do",
        "did",
        "kind",
        "kinds",
        "type",
        "types",
        "example",
        "examples",
        "happen",
        "happens",
        "cual",
        "cuales",
        "que",
        "como",
        "cuando",
        "donde",
        "quien",
        "tipo",
        "tipos",
        "ejemplo",
        "ejemplos",
        "debe",
        "deben",
        "puede",
        "pueden",
        "hacer",
        "tiene",
        "tienen",
        "differ",
        "difference",
        "compare",
        "comparison",
        "diferencia",
        "diferencian",
        "item",
        "items",
        "list",
        "step",
        "steps",
        "order",
        "corpus",
        "apply",
        "applies",
        "give",  # light verbs of the question ("which examples does X give"), not its topic
        "gives",
        "given",
    ]
    for k in match_keys(w)
} | {k for w in _GENERIC for k in match_keys(w)}
GROUP_MAX = 12
# A question about an amount or a duration is answered by a unit holding a figure.
_QUANTITY_CUE = re.compile(
    r"\b(?:how (?:long|many|much|quickly|soon|often)|minimum|maximum|length|duration|limit|deadline|"
    r"cu[aá]nt[oa]s?|plazo|m[ií]nimo|m[aá]ximo|duraci[oó]n|l[ií]mite)\b",
    re.IGNORECASE,
)
_FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|uno|una|dos|tres|cuatro|cinco|diez)\b",
    re.IGNORECASE,
)
# A lead-in that names the list it introduces ("Here are some examples of …:", "Types of …").
LIST_LEAD = re.compile(
    r"\b(?:examples?|types?|kinds?|sorts?|categories|following|include[sd]?|including|"
    r"ejemplos?|tipos?|clases?|categor[ií]as?|siguientes?|incluye\w*)\b",
    re.IGNORECASE,
)
LIST_LEAD_FACTOR = 1.3
NUMBERED_HEADING = re.compile(r"^\d{1,2}[.)]\s")
QUANTITY_BONUS = 2.0
STEPS_FACTOR = 1.5
OTHER_ENTITY_FACTOR = 0.3  # in a comparison, evidence that does not name this side
# A unit that defines a term: "**Term:** …", "Term — …" (bold optional).
_DEFINED = re.compile(r"^\*{0,2}([^*:—–\n]{1,60}?)\*{0,2}\s*[:—–]")
DEFINITION_FACTOR = 1.5
# The question's words outside this sub-question ("… and what happens to their parking permit?"
# while gathering the steps for leaving) are context, not the topic: they must not let the
# other part's evidence crowd out this part's.
OTHER_PART_WEIGHT = 0.5
_MIN_SENTENCE = 25


@dataclass(frozen=True)
class Scored:
    unit: Unit
    source: str
    score: float


class UnitScorer:
    """Relevance of a unit to a sub-question: its own words, then its headings' at half weight."""

    def __init__(self, corpus: CorpusIndex, analysis: QuestionAnalysis, subquestion: str) -> None:
        self.corpus = corpus
        own = strip_template(subquestion)
        focus = {phrase for phrase, _ in concepts(own, analysis.language)}
        self.concepts: list[tuple[frozenset[str], float]] = []  # (keys of one idea, weight)
        generic = {k for w in _GENERIC for k in match_keys(w)}
        lead_concepts: list[tuple[frozenset[str], float]] = []
        seen: set[str] = set()
        for phrase, other in concepts(f"{own} {analysis.question}", analysis.language):
            if phrase in seen:
                continue
            seen.add(phrase)
            keys = frozenset(match_keys(f"{phrase} {other}"))
            weight = 2.0 if phrase in focus else OTHER_PART_WEIGHT
            if keys - _QUESTION_WORDS:
                self.concepts.append((frozenset(keys - _QUESTION_WORDS), weight))
            if keys - generic:  # "types", "examples" name the list itself
                lead_concepts.append((frozenset(keys - generic), weight))
        self.lead_concepts = lead_concepts
        named = [n for n in NAMED.findall(subquestion) if n in analysis.question]
        self.scope = [s.lower() for s in (named or analysis.scope)]
        self.quantity = bool(_QUANTITY_CUE.search(f"{own} {analysis.question}"))
        # A comparison's sub-question is about one entity: what sets it apart from the others.
        entity = next((e for e in analysis.entities if subquestion.startswith(e)), "")
        others = {k for e in analysis.entities if e != entity for k in match_keys(e)}
        self.entity_keys = match_keys(entity) - others if entity else set()

    def _score(self, keys: set[str], table: list[tuple[frozenset[str], float]]) -> float:
        idf = self.corpus.idf_prefix
        return sum(w * max(idf(k) for k in hit) for group, w in table if (hit := group & keys))

    def text_score(self, text: str) -> float:
        return self._score(match_keys(text), self.concepts)

    def lead_score(self, text: str) -> float:
        """How well a heading or "…:" sentence announces the list asked for."""
        return self._score(match_keys(text), self.lead_concepts)

    def in_scope(self, source: str) -> bool:
        """A question naming organisations ("PostHog") prefers documents that mention one of them."""
        if not self.scope:
            return True
        doc = self.corpus.document(source)
        haystack = f"{source} {doc.title if doc else ''} {doc.text[:20000] if doc else ''}".lower()
        return any(name in haystack for name in self.scope)

    def score(self, units: tuple[Unit, ...], unit: Unit, passage_score: float) -> float:
        text = unit.quote
        if BOILERPLATE.match(plain(text)) or text.endswith("?"):
            return 0.0
        if unit.kind == "sentence" and len(text) < _MIN_SENTENCE:
            return 0.0
        own = self.text_score(plain(text))  # the words a reader sees: link targets are not text
        context = self.text_score(" ".join(unit.path))
        if unit.lead >= 0 and units[unit.lead].kind != "heading":
            context += self.text_score(units[unit.lead].quote)
        value = own + 0.5 * context + 0.1 * passage_score
        if self.entity_keys and not self.entity_keys & match_keys(" ".join((*unit.path, text))):
            value *= OTHER_ENTITY_FACTOR
        elif self.entity_keys and (term := _DEFINED.match(text)) and self.entity_keys & match_keys(term[1]):
            value *= DEFINITION_FACTOR  # "**Starter:** one seat …": the side's own definition
        if self.quantity and own > 0 and _FIGURE.search(text):
            value += QUANTITY_BONUS
        if len(text) > 400:
            value -= 1.0
        return value if own > 0 or unit.kind in ("item", "step", "row", "heading") else 0.25 * value


def _passage_of(corpus: CorpusIndex, source: str, unit: Unit) -> str | None:
    """The id of the passage holding ``unit`` (passage ids run ``source#1``, ``source#2``, …)."""
    n = 1
    while (passage := corpus.passage(f"{source}#{n}")) is not None:
        if passage.start <= unit.start and unit.end <= passage.end:
            return passage.id
        n += 1
    return None


NEIGHBOUR_FACTOR = 0.7


def with_neighbours(
    corpus: CorpusIndex, passages: Iterable[tuple[Passage, float]]
) -> list[tuple[Passage, float]]:
    """The gathered passages, then the passage right after each one (at a lower score).

    Why: passages are cut at about 900 characters and at headings, so the answer often sits
    just past the passage that matched — a page's introduction matches "sensitive
    information", and the list of examples starts in the next passage, under a heading that
    shares none of the question's words. Reading one passage further (sentence-window
    retrieval) lets the unit scorer find that list; it still has to win on its own score.
    """
    given = list(passages)
    seen = {p.id for p, _ in given}
    extra: list[tuple[Passage, float]] = []
    for passage, score in given:
        source, _, number = passage.id.rpartition("#")
        following = corpus.passage(f"{source}#{int(number) + 1}") if number.isdigit() else None
        if following is not None and following.id not in seen:
            seen.add(following.id)
            extra.append((following, NEIGHBOUR_FACTOR * score))
    return given + extra


def _numbered(members: list[Unit]) -> bool:
    """Numbered steps, or sub-headings numbered as steps ("### 1. Fill out the form")."""
    return members[0].kind == "step" or all(NUMBERED_HEADING.match(m.quote) for m in members[:2])


def _group_fits(kind: str, members: list[Unit]) -> bool:
    """Sub-headings as members answer "which types…" (a list) or, when numbered, a procedure;
    never a fact (a page's table of contents is not an answer)."""
    if members[0].kind != "heading":
        return True
    return kind == "list" or (kind == "procedure" and _numbered(members))


def typed_notes(
    corpus: CorpusIndex,
    analysis: QuestionAnalysis,
    subquestion: str,
    passages: Iterable[tuple[Passage, float]],
    *,
    used: set[str],
    singles: int = 4,
) -> ResearchNotes:
    """The best group (kept whole, in order) and the best single units, as notes."""
    scorer = UnitScorer(corpus, analysis, subquestion)
    ranked: list[Scored] = []
    groups: list[tuple[float, str, Unit, list[Unit]]] = []
    seen: set[tuple[str, int]] = set()
    for passage, passage_score in with_neighbours(corpus, passages):
        document = corpus.document(passage.source)
        if document is None:
            continue
        factor = 1.0 if scorer.in_scope(passage.source) else 0.4
        units = document_units(document.text)
        for unit in units:
            if not (passage.start <= unit.start < passage.end) or (passage.source, unit.index) in seen:
                continue
            seen.add((passage.source, unit.index))
            value = factor * scorer.score(units, unit, passage_score)
            if value > 0:
                ranked.append(Scored(unit, passage.source, value))
            if unit.kind == "heading" or unit.quote.endswith(":"):
                members = children(units, unit)
                if len(members) >= 2 and _group_fits(analysis.type, members):
                    lead_text = " ".join((*unit.path, unit.quote))
                    inner = sorted((scorer.text_score(m.quote) for m in members), reverse=True)
                    own = scorer.lead_score(unit.quote)
                    value = scorer.lead_score(lead_text) + own + 0.5 * sum(inner[:3]) / 3
                    value = factor * (value + 0.1 * passage_score)
                    if scorer.entity_keys and not scorer.entity_keys & match_keys(lead_text):
                        value *= OTHER_ENTITY_FACTOR
                    if analysis.type == "list" and LIST_LEAD.search(unit.quote):
                        value *= LIST_LEAD_FACTOR  # "Here are some examples of …:" announces the list
                    if analysis.type == "procedure" and members[0].kind == "step":
                        value *= STEPS_FACTOR  # a procedure is answered by numbered steps first
                    groups.append((value, passage.source, unit, members))
    ranked.sort(key=lambda s: -s.score)
    groups.sort(key=lambda g: -g[0])
    best_single = ranked[0].score if ranked else 0.0
    notes: list[NoteItem] = []

    def add(source: str, unit: Unit, kind: str) -> None:
        pid = _passage_of(corpus, source, unit)
        if pid is None or unit.quote in used:
            return
        used.add(unit.quote)
        notes.append(NoteItem(claim=plain(unit.quote), quote=unit.quote, passage_id=pid, kind=kind))

    wants_group = analysis.type == "list"  # a procedure's steps must still beat the best sentence
    if groups and (groups[0][0] >= (0.5 if wants_group else 1.0) * best_single):
        _, source, lead, members = groups[0]
        add(source, lead, "lead")
        kind = "step" if analysis.type == "procedure" or members[0].kind == "step" else "item"
        for member in members[:GROUP_MAX]:
            add(source, member, kind)
    per_passage: dict[str, int] = {}
    taken = 0
    for item in ranked:
        if taken >= singles or item.score < 0.35 * best_single:
            break
        pid = _passage_of(corpus, item.source, item.unit)
        if (
            pid is None
            or per_passage.get(pid, 0) >= 2
            or item.unit.quote in used
            or item.unit.kind == "heading"
            or item.unit.quote.endswith(":")
        ):
            continue  # a heading or a "…:" lead-in alone says nothing; it only leads its group
        per_passage[pid] = per_passage.get(pid, 0) + 1
        before = len(notes)
        add(item.source, item.unit, "point")
        taken += len(notes) - before
    gap = "" if notes else "no passage matched"
    return ResearchNotes(notes=notes, gap=gap)
