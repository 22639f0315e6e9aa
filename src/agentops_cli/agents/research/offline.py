"""The offline engine: the research agent's deterministic twin of every LLM step.

* plan: facet templates (market, competitors, pricing, technology, …) chosen by trigger
  words in the question, filled with the question's key phrases;
* notes: extractive — the best sentences of the gathered passages, scored by overlap with
  the question and the facet (weighted by idf), with a bonus for concrete figures;
* write: a report assembled from those sentences, each cited by its note number.

Every quote is an exact span of its source document, so offline reports always verify.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from agentops_cli.agents.research.corpus import CorpusIndex, Passage, is_heading
from agentops_cli.agents.research.schemas import (
    FindingDraft,
    Note,
    NoteItem,
    ResearchDraft,
    ResearchNotes,
    ResearchPlan,
    Statement,
)
from agentops_cli.nlp.text import STOPWORDS, terms


@dataclass(frozen=True)
class Facet:
    """One angle of a business question: when it applies, how to ask it, what to search for.

    ``signal`` matches the kind of fact that answers the facet whatever the topic (a company
    name doing something, a price, a market size), so a sub-question's notes prefer its own
    kind of evidence over facts that merely share the question's words.
    """

    name: str
    triggers: frozenset[str]
    template: str
    query: str
    signal: re.Pattern[str] | None = None


def _stems(words: str) -> frozenset[str]:
    return frozenset(terms(words))


_MONEY = (
    r"(?:[€$£]\s?\d[\d.,]*(?!\d)|\b\d[\d.,]*\s?(?:€|EUR|USD|euros?|dollars?))"  # (?!\d): no "€5" of "€50"
)
_BIG_MONEY = _MONEY + r"\s*(?:million|billion|bn|m)\b"
# A named company (not a pronoun or article) followed by what companies do.
_COMPANY_ACTS = re.compile(
    r"\b(?!(?:It|Its|This|These|They|Their|The|That|Those|We|Our|In|At|By|For|Only)\b)"
    r"[A-Z][\w&-]*(?:\s[A-Z][\w&-]*)*\s+(?:is|was|has|had|holds|sells|reports|entered|charges|offers|"
    r"targets|raised|acquired|competes|leads|grew|won|serves|launched|focuses)\b"
)
_SIGNALS = {
    "market": re.compile(
        _BIG_MONEY + r"|\bCAGR\b|\d\s?%\s+(?:a|per)\s+year|\bmarket\s+(?:size|reached|grew|is)"
    ),
    "competitors": _COMPANY_ACTS,
    "financials": re.compile(_BIG_MONEY + r"|\b(?:ARR|EBITDA|margin|churn|retention)\b"),
    "pricing": re.compile(
        _MONEY + r"(?!\s*(?:million|billion|bn|m)\b)|\bper\s+(?:invoice|user|seat|month|year)\b|"
        r"\bdiscount|\blist\s+price|\bsubscription",
        re.IGNORECASE,
    ),
    "risks": re.compile(
        r"\b(?:risks?|threats?|uncertain\w*|depend\w*|litigation|investigation|fines?|breach\w*|"
        r"exposure|weakness\w*)\b",
        re.IGNORECASE,
    ),
}


FACETS: tuple[Facet, ...] = (
    Facet(
        "market",
        _stems("market markets size large growth grow growing demand tam cagr adoption mercado"),
        "How large is the market for {topic} and how fast is it growing?",
        "market size growth CAGR forecast demand adoption segment",
    ),
    Facet(
        "competitors",
        _stems(
            "competitor competitors competition compete competes competing rival vendor vendors player "
            "landscape compare comparison versus share leader"
        ),
        "Who are the main competitors of {topic} and how do they compare?",
        "competitor market share ARR growth customers strengths weaknesses",
    ),
    Facet(
        "financials",
        _stems(
            "revenue arr margin margins funding raised burn runway profit profitable "
            "financial financials retention churn"
        ),
        "What are the key financial figures for {topic}?",
        "revenue ARR growth margin retention churn funding burn runway",
    ),
    Facet(
        "deal",
        _stems("acquire acquisition acquiring deal valuation offer target buy merger diligence"),
        "What valuation and deal terms are reasonable for {topic}?",
        "valuation asking price offer earn-out synergies recommendation ARR multiple",
    ),
    Facet(
        "pricing",
        _stems("price prices pricing priced cost costs fee fees pay cheap expensive"),
        "How is {topic} priced and what does it cost?",
        "price pricing per invoice fee discount cost list price",
    ),
    Facet(
        "technology",
        _stems(
            "technology technical tech llm ai ocr extraction model models accuracy "
            "architecture platform accurate"
        ),
        "How mature is the technology behind {topic} and how well does it perform?",
        "technology accuracy benchmark latency cost model extraction pipeline",
    ),
    Facet(
        "customers",
        _stems(
            "customer customers cfo cfos buyer buyers barrier barriers budget budgets "
            "survey adopt adopting needs"
        ),
        "What do buyers of {topic} need, and what holds them back?",
        "customers survey respondents barriers budget selection criteria",
    ),
    Facet(
        "regulation",
        _stems("regulation regulations mandate mandates law ley compliance legal regulatory tax einvoicing"),
        "Which regulations affect {topic} and when do they apply?",
        "regulation mandate law deadline compliance obligation fines",
    ),
    Facet(
        "channels",
        _stems("channel channels reseller resellers partner partners sales distribution sell selling"),
        "How is {topic} sold, and which channels matter?",
        "channel resellers partners sales cycle commission direct sales",
    ),
    Facet(
        "trends",
        _stems("trend trends future outlook forecast evolve evolving next shape shaping emerging"),
        "Which trends will shape {topic} in the coming years?",
        "trend outlook forecast future adoption expect",
    ),
    Facet(
        "risks",
        _stems("risk risks threat threats issue issues concern concerns downside exposure"),
        "What are the main risks and open questions for {topic}?",
        "risk risks uncertainty open questions investigation litigation dependency",
    ),
)
FACETS = tuple(replace(f, signal=_SIGNALS.get(f.name)) for f in FACETS)
FACET_BY_NAME = {f.name: f for f in FACETS}
DEFAULT_FACETS = ("market", "competitors", "trends", "risks")

_GENERIC = frozenset(
    [
        "large",
        "fast",
        "main",
        "key",
        "expected",
        "much",
        "many",
        "reasonable",
        "important",
        "enough",
        "cheap",
        "how",
        "what",
        "which",
        "who",
        "whose",
        "there",
        "their",
        "our",
        "we",
        "us",
        "should",
        "could",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "affect",
        "affects",
        "need",
        "needs",
        "see",
        "have",
        "has",
        "do",
        "does",
        "did",
        "get",
        "make",
        "makes",
        "big",
        "biggest",
        "best",
        "good",
        "well",
        "expect",
    ]
)
_WORD_RE = re.compile(r"[\w€$%.,/-]+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9€$\"“(])")
_METADATA = re.compile(
    r"^(Prepared by|Date:|Last updated|To:|From:|Author|Fieldwork|Sample:|Sources?:|Status:)", re.IGNORECASE
)
_DANGLING = re.compile(r"^(It|Its|This|These|They|Their|That|Those)\b")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


# -- plan ----------------------------------------------------------------------------------------


def key_phrases(question: str) -> list[str]:
    """Runs of content words in the question, in order ("accounts payable automation", "Spain")."""
    phrases: list[str] = []
    current: list[str] = []
    for raw in _WORD_RE.findall(re.sub(r"['’]s\b", "", question)):
        word = raw.strip(".,/")
        lowered = word.lower()
        facet_word = any(terms(lowered) and terms(lowered)[0] in f.triggers for f in FACETS)
        if not word or lowered in STOPWORDS or lowered in _GENERIC or (facet_word and not word[0].isupper()):
            if current:
                phrases.append(" ".join(current))
                current = []
            continue
        current.append(word)
        if raw.endswith((",", ".")):
            phrases.append(" ".join(current))
            current = []
    if current:
        phrases.append(" ".join(current))
    seen: set[str] = set()
    unique = []
    for phrase in phrases:
        if phrase.lower() not in seen:
            seen.add(phrase.lower())
            unique.append(phrase)
    return unique


def topic_of(question: str) -> str:
    """The main key phrase, with up to two more in brackets: "AP automation (Spain, Portugal)".

    Lone lower-case words ("structure", "rate") are dropped when better phrases exist.
    """
    phrases = key_phrases(question)
    strong = [p for p in phrases if " " in p or p[:1].isupper()]
    phrases = (strong or phrases)[:3]
    if not phrases:
        return question.strip().rstrip("?")
    head, rest = phrases[0], phrases[1:]
    return f"{head} ({', '.join(rest)})" if rest else head


def facets_for(question: str) -> list[Facet]:
    """Facets whose trigger words occur in the question, strongest (most hits) first."""
    stems = terms(question.replace("-", " ")) + terms(question)
    scored = []
    for order, facet in enumerate(FACETS):
        hits = sum(1 for s in stems if s in facet.triggers)
        if hits:
            first = min(i for i, s in enumerate(stems) if s in facet.triggers)
            scored.append((-hits, first, order, facet))
    return [f for *_, f in sorted(scored, key=lambda t: t[:3])]


def plan_facets(question: str, max_subquestions: int) -> list[Facet]:
    """The matched facets, filled up with the general ones to at least three (at most the budget)."""
    chosen = facets_for(question)
    target = min(max_subquestions, max(3, len(chosen)))
    for name in DEFAULT_FACETS:
        if len(chosen) >= target:
            break
        if FACET_BY_NAME[name] not in chosen:
            chosen.append(FACET_BY_NAME[name])
    return chosen[:target]


def plan(question: str, max_subquestions: int) -> ResearchPlan:
    topic = topic_of(question)
    return ResearchPlan(
        subquestions=[f.template.format(topic=topic) for f in plan_facets(question, max_subquestions)]
    )


def facet_of(subquestion: str) -> Facet | None:
    """Which facet a sub-question belongs to (also for LLM-written sub-questions, by trigger words)."""
    for facet in FACETS:
        if subquestion.startswith(facet.template.split("{topic}")[0]):
            return facet
    matched = facets_for(subquestion)
    return matched[0] if matched else None


def search_query(question: str, subquestion: str) -> str:
    """What a gather branch searches: the sub-question, the question's words and the facet's terms."""
    facet = facet_of(subquestion)
    return " ".join(part for part in (subquestion, question, facet.query if facet else "") if part)


def entity_queries(question: str, subquestion: str, limit: int = 4) -> list[tuple[str, str]]:
    """(entity, facet query) per named entity of the question ("FacturAI", "NordPay Suite").

    Why: a question comparing three companies must get evidence on each of them, while one
    long query lets the best-covered company crowd out the others.
    """
    facet = facet_of(subquestion)
    names = [p for p in key_phrases(question) if p[:1].isupper()][:limit]
    return [(name, facet.query if facet else subquestion) for name in names]


# -- notes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """A candidate quote: an exact span of a passage's document."""

    passage: Passage
    text: str


def sentences(passage: Passage) -> list[Sentence]:
    """Sentences of a passage, skipping headings; list markers are left out of the span."""
    out: list[Sentence] = []
    for block in re.split(r"\n[ \t]*\n", passage.text):
        if not block.strip() or is_heading(block):
            continue
        for line in block.split("\n"):
            line = _BULLET.sub("", line).strip()
            if not line:
                continue
            out.extend(Sentence(passage, s.strip()) for s in _SENTENCE_END.split(line) if s.strip())
    return out


_ALIASES = {"growth": "grow", "growing": "grow", "grew": "grow", "priced": "price", "pricing": "price"}


def match_keys(text: str) -> set[str]:
    """Matching keys for sentence scoring: stems cut to 5 characters, so "accurate" meets
    "accuracy" and "competitors" meets "competition", which the light stemmer keeps apart."""
    return {_ALIASES.get(t, t)[:5] for t in terms(text)}


def _facet_keys(facet: Facet) -> set[str]:
    return match_keys(" ".join(sorted(facet.triggers))) | match_keys(facet.query)


class SentenceScorer:
    """idf-weighted overlap with the question's topic and with the sub-question's facet, plus figures.

    A sentence must share at least one key with the question itself: facet words alone
    ("growth", "price") would pull in facts about the wrong company or market. The
    question's words of *other* facets do not count, so in "competitors … and how do they
    price?" a price is evidence for the pricing sub-question, not for the competitors one.
    A sentence with neither a facet word nor the facet's signal is kept as a last resort.
    """

    def __init__(self, corpus: CorpusIndex, question: str, subquestion: str) -> None:
        self.corpus = corpus
        generic = {k for w in _GENERIC for k in match_keys(w)}
        every_facet = set().union(*(_facet_keys(f) for f in FACETS))
        self.facet = facet_of(subquestion)
        own: set[str] = set()
        if self.facet:  # its words, less those that trigger another facet ("market", "growth")
            others = (match_keys(" ".join(sorted(f.triggers))) for f in FACETS if f is not self.facet)
            own = _facet_keys(self.facet) - set().union(*others)
        other = every_facet - own  # facet words of the question that this sub-question is not about
        question_keys = match_keys(question) - generic
        self.question_keys = question_keys - other
        self.aside_keys = question_keys & other  # the question's words about other facets
        self.facet_keys = (own | match_keys(subquestion)) - self.question_keys - generic - other

    def score(self, sentence: Sentence, passage_score: float) -> float:
        text = sentence.text
        if text.endswith("?") or len(text) < 45 or _METADATA.match(text):
            return 0.0  # questions, fragments and bylines ("Prepared by …") are not evidence
        keys = match_keys(text)
        weight = self.corpus.idf_prefix
        overlap = sum(weight(k) for k in keys & self.question_keys)
        overlap += _ASIDE * sum(weight(k) for k in keys & self.aside_keys)
        if overlap == 0:
            return 0.0
        facet = sum(weight(k) for k in keys & self.facet_keys)
        signal = bool(self.facet and self.facet.signal and self.facet.signal.search(text))
        value = overlap + 0.5 * facet + 0.15 * passage_score
        if re.search(r"\d", text):
            value += 1.0
        if signal:
            value += 1.5
        elif facet == 0 and self.facet:  # off-facet: ranked below the facet's own evidence
            value *= _OFF_FACET
        if _DANGLING.match(text):  # "It holds 7% share": true, but unclear out of context
            value -= 1.5
        if len(text) > 350:
            value -= 1.0
        return value


_OFF_FACET = 0.5  # score kept by a sentence with no word or signal of its facet
_ASIDE = 0.25  # weight of a question word that belongs to another facet


def notes(
    corpus: CorpusIndex,
    question: str,
    subquestion: str,
    index: int,
    passages: Iterable[tuple[Passage, float]],
    *,
    used: set[str],
    per_subquestion: int | None = None,
    per_passage: int = 2,
) -> ResearchNotes:
    """The best sentences of the gathered passages as notes (claim = the sentence itself)."""
    per_subquestion = per_subquestion or (4 if index == 0 else 3)  # the lead facet gets one more
    scorer = SentenceScorer(corpus, question, subquestion)
    candidates: list[tuple[float, int, Sentence]] = []
    for order, (passage, score) in enumerate(passages):
        for sentence in sentences(passage):
            value = scorer.score(sentence, score)
            if value > 0 and sentence.text not in used:
                candidates.append((value, -order, sentence))
    candidates.sort(key=lambda c: (-c[0], -c[1]))
    chosen: list[NoteItem] = []
    taken: dict[str, int] = {}
    for _, _, sentence in candidates:
        pid = sentence.passage.id
        if taken.get(pid, 0) >= per_passage:
            continue
        chosen.append(NoteItem(claim=sentence.text, quote=sentence.text, passage_id=pid))
        taken[pid] = taken.get(pid, 0) + 1
        used.add(sentence.text)
        if len(chosen) >= per_subquestion:
            break
    return ResearchNotes(notes=chosen)


# -- write ---------------------------------------------------------------------------------------

_RISK_WORDS = _stems(
    "risk risks uncertainty uncertain unknown open question questions dependency litigation "
    "investigation fine fines breach hallucination lose losing weakness weaknesses pressure"
)


def draft(question: str, plan_items: list[str], all_notes: list[Note]) -> ResearchDraft:
    """A report from the notes: summary = the strongest note of each sub-question, findings per
    sub-question, risks = risk-flavoured notes plus the sub-questions the corpus did not answer."""
    numbered = list(enumerate(all_notes, start=1))
    findings: list[FindingDraft] = []
    summary: list[Statement] = []
    for i, subquestion in enumerate(plan_items):
        mine = [(n, note) for n, note in numbered if note.subquestion == i]
        statements = [Statement(text=_sentence(note.claim), citations=[n]) for n, note in mine]
        findings.append(FindingDraft(subquestion=subquestion, statements=statements))
        if mine and len(summary) < 4 and all(mine[0][0] not in s.citations for s in summary):
            n, note = mine[0]
            summary.append(Statement(text=_sentence(note.claim), citations=[n]))
    risks: list[Statement] = []
    for n, note in numbered:
        if set(terms(note.claim)) & _RISK_WORDS and len(risks) < 5:
            risks.append(Statement(text=_sentence(note.claim), citations=[n]))
    for finding in findings:
        if not finding.statements:
            risks.append(Statement(text=f"Unknown: the corpus holds no evidence for “{finding.subquestion}”"))
    return ResearchDraft(
        title=f"Research report: {question.strip().rstrip('?')}",
        executive_summary=summary,
        findings=findings,
        risks=risks,
    )


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def idf_table(passages: Iterable[Passage]) -> dict[str, float]:
    """Inverse document frequency of every matching key over the passages (sentence scoring)."""
    df: dict[str, int] = {}
    count = 0
    for passage in passages:
        count += 1
        for term in match_keys(passage.text):
            df[term] = df.get(term, 0) + 1
    return {t: math.log(1.0 + (count - d + 0.5) / (d + 0.5)) for t, d in df.items()}
