"""The learned clause finder: which sentences of a contract are a CUAD clause category.

Rules are brittle for clause categories (exclusivity, change of control, audit rights …):
lawyers write them in too many ways. A linear model over TF-IDF word uni- and bigrams,
one-vs-rest per category, scores every sentence; a category is present when its best
sentence passes the category's threshold, and those sentences become ``clauses`` entries
with their spans.

Rare categories (liquidated damages, most favoured nation: a handful of contracts each) give
the n-grams too few examples to learn from, so each category also has a *cue* feature: 1 when
the sentence holds one of a short list of general legal phrases for it ("liquidated damages",
"most favored", "no less favorable", "non compete" …, English and Spanish — :data:`CUE_PHRASES`,
written from legal vocabulary, not from contracts). The model learns how much to trust each cue.

The shipped file (``models/clauses.npz``, made by ``bench/train_clause_model.py`` from the
CUAD dev split) holds numbers and a vocabulary of n-grams only — no contract text. Inference
is plain numpy/scipy, so no scikit-learn import at run time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import numpy as np

from agentops_cli.agents.document.configuration import (
    CHANGE_OF_CONTROL_NO_SAY,
    EXCLUSIVITY_BOILERPLATE,
    EXCLUSIVITY_REFERENCES,
    MOST_FAVOURED_TERMS,
    NON_COMPETE_FREEDOM,
    NON_COMPETE_NOT_A_PROMISE,
    NON_COMPETE_SUBJECT,
    UNCAPPED_CARVE_OUT,
    UNCAPPED_NOT_A_CARVE_OUT,
)

MODEL_PATH = Path(__file__).resolve().parent / "models" / "clauses.npz"
# Sentences shorter than this are headings: they name a clause, they are not one.
MIN_SENTENCE_CHARS = 40
# At most this many sentences per category become clauses (the reviewer wants the place, not a list).
MAX_CLAUSES_PER_TYPE = 3
# The lowest decision threshold training may choose; sentences scoring below it never count.
MIN_THRESHOLD = 0.30

_TOKEN = re.compile(r"[a-z]+|\d+")
# Spanish letters fold to ASCII so "cláusula" is one word, not "cl" + "usula".
_FOLD = str.maketrans("áéíóúüñàèìòùç", "aeiouunaeiouc")


def tokens(text: str) -> list[str]:
    """Lower-case words and bigrams; digits collapse to ``0`` so amounts and dates generalise."""
    words = ["0" if t[0].isdigit() else t for t in _TOKEN.findall(text.lower().translate(_FOLD))]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


# Per category, phrases that say it in general legal language (a sentence containing one gets the
# category's cue feature). Matched as the phrase's first word pair (or its word) among the sentence's
# n-grams, so a cue costs a set look-up, not a regex scan. Order = the training script's categories.
CUE_PHRASES: dict[str, tuple[str, ...]] = {
    "Exclusivity": (
        "exclusivity", "exclusive license", "exclusive licence", "exclusive distributor", "exclusive right",
        "exclusive rights", "exclusive basis", "exclusive supplier", "exclusive territory",
        "exclusively from", "exclusively to", "exclusively through", "sole supplier", "sole source",
        "requirements from", "exclusividad", "en exclusiva", "distribuidor exclusivo",
    ),
    "Non-Compete": (
        "non compete", "noncompete", "not compete", "to compete", "competing products",
        "competing product", "competitive products", "compete with", "competing business",
        "competitive business", "no competencia", "no competir", "compitan con", "compita con",
    ),
    "Uncapped Liability": (
        "unlimited liability", "shall not apply", "gross negligence", "willful misconduct",
        "wilful misconduct", "responsabilidad ilimitada", "culpa grave", "no será de aplicación",
        "no serán de aplicación",
    ),
    "Cap On Liability": (
        "not exceed", "limited to", "aggregate liability", "total liability", "maximum liability",
        "cumulative liability", "liability cap", "no exceder", "responsabilidad limitada",
    ),
    "Termination For Convenience": (
        "for convenience", "without cause", "any reason", "no reason", "at any time", "sin causa",
        "cualquier momento",
    ),
    "Liquidated Damages": (
        "liquidated damages", "termination fee", "termination payment", "break fee", "breakup fee",
        "not a penalty", "not as a penalty", "pre estimate", "cláusula penal", "pena convencional",
    ),
    "Change Of Control": (
        "change of control", "change in control", "change of ownership", "merger", "acquisition",
        "acquired", "consolidation", "substantially all", "beneficial owner", "voting securities",
        "voting stock", "cambio de control", "cambio en el control", "toma de control",
    ),
    "Anti-Assignment": (
        "not assign", "assign this", "assign or", "may not assign", "prior written consent", "ceder",
        "cesión",
    ),
    "Audit Rights": ("audit", "audits", "inspect", "books and records", "records", "auditoría"),
    "Most Favored Nation": (
        "most favored", "most favoured", "less favorable", "less favourable", "as favorable",
        "as favourable", "more favorable", "more favourable", "lowest price", "lowest prices",
        "higher fee", "higher price", "favorable terms", "favorable pricing", "más favorecido",
        "más favorables", "menos favorables",
    ),
    "Minimum Commitment": (
        "minimum purchase", "minimum order", "minimum quantity", "minimum quantities", "minimum volume",
        "minimum annual", "minimum royalty", "minimum commitment", "minimum fee", "minimum payment",
        "minimum sales", "take or pay", "compra mínima", "pedido mínimo",
    ),
    "Ip Ownership Assignment": (
        "hereby assigns", "hereby assign", "property of", "title and", "work for hire", "made for hire",
        "shall own", "solely own", "derechos de", "propiedad de",
    ),
}  # fmt: skip


Cue = tuple[str, ...]  # a phrase as the n-grams that must all be in the sentence


def cue_grams(phrase: str) -> Cue:
    """A phrase as n-grams: its word, its word pair, or every consecutive pair of a longer one."""
    words = [t for t in tokens(phrase) if " " not in t]
    return (" ".join(words),) if len(words) <= 2 else tuple(f"{a} {b}" for a, b in pairwise(words))


def shipped_cues() -> tuple[tuple[Cue, ...], ...]:
    """:data:`CUE_PHRASES` as n-grams, one tuple per category (the training script's order)."""
    return tuple(tuple(cue_grams(p) for p in phrases) for phrases in CUE_PHRASES.values())


def cue_columns(grams: set[str], index: dict[str, list[tuple[int, Cue]]]) -> set[int]:
    """The categories whose cue the sentence's n-grams hold (``index``: first n-gram → cues)."""
    return {c for g in grams for c, cue in index.get(g, ()) if all(p in grams for p in cue[1:])}


@cache
def cue_index(cues: tuple[tuple[Cue, ...], ...]) -> dict[str, list[tuple[int, Cue]]]:
    """First n-gram of each cue → (category, cue): a sentence looks up its own n-grams only."""
    index: dict[str, list[tuple[int, Cue]]] = {}
    for c, phrases in enumerate(cues):
        for cue in phrases:
            index.setdefault(cue[0], []).append((c, cue))
    return index


@dataclass(frozen=True)
class ClauseModel:
    categories: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (V,)
    coef: np.ndarray  # (C, V + K): the n-gram weights, then one weight per cue feature
    intercept: np.ndarray  # (C,)
    thresholds: np.ndarray  # (C,)
    # How the file was made (JSON: the training script's SHA-256, its parameters, the split's size),
    # so a cheap test can tell whether the shipped file still comes from the script as it is now.
    provenance: str = ""
    # The cue phrases (as n-grams) the weights were trained with, one tuple per cue feature; saved in
    # the file, so editing CUE_PHRASES cannot silently change what a shipped weight means.
    cues: tuple[tuple[Cue, ...], ...] = ()
    # Per category, whether a sentence with the category's cue counts on its own (score 1.0): chosen
    # in training, on held-out inner folds, where the cue alone beats the model (rare categories).
    cue_alone: np.ndarray | None = None  # (C,) bool

    def features(self, texts: Sequence[str]):
        """(sentences × (V + K)) sparse matrix: TF-IDF (sublinear tf, l2) as in training, then cues."""
        from scipy.sparse import csr_matrix

        index, width = cue_index(self.cues), len(self.idf)
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        cue_rows: list[int] = []
        cue_cols: list[int] = []
        for i, text in enumerate(texts):
            grams = tokens(text)
            found = Counter(j for t in grams if (j := self.vocabulary.get(t)) is not None)
            rows.extend([i] * len(found))
            cols.extend(found.keys())
            counts.extend(found.values())
            for c in cue_columns(set(grams), index) if index else ():
                cue_rows.append(i)
                cue_cols.append(width + c)
        # One numpy pass for all sentences (per-sentence numpy calls cost more than the arithmetic).
        row_ids = np.asarray(rows, dtype=np.int64)
        col_ids = np.asarray(cols, dtype=np.int64)
        weights = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * self.idf[col_ids]
        norms = np.sqrt(np.bincount(row_ids, weights=weights * weights, minlength=len(texts)))
        weights /= norms[row_ids] if len(row_ids) else 1.0
        rows, cols = [*rows, *cue_rows], [*cols, *cue_cols]
        vals = np.concatenate([weights, np.ones(len(cue_rows))])
        return csr_matrix((vals, (rows, cols)), shape=(len(texts), width + len(self.cues)))

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Probability per (sentence, category); 1.0 where the category's cue counts on its own."""
        matrix = self.features(texts)
        probs = 1.0 / (1.0 + np.exp(-(matrix @ self.coef.T.astype(np.float64) + self.intercept)))
        if self.cue_alone is not None and self.cue_alone.any():
            hits = matrix[:, len(self.idf) :].toarray() > 0
            for c in np.flatnonzero(self.cue_alone):
                probs[hits[:, c], c] = 1.0
        return probs

    def admissible_scores(self, texts: Sequence[str]) -> np.ndarray:
        """:meth:`scores`, with 0 where a sentence that could pass (≥ :data:`MIN_THRESHOLD`) does not
        say its category in words (:func:`admissible`). The one decision the agent, the threshold
        search and the cross-validation all use, so they measure the same thing."""
        probs = self.scores(texts)
        for c, category in enumerate(self.categories):
            kind = slug(category)
            if kind in _MUST_SAY:
                for i in np.flatnonzero(probs[:, c] >= MIN_THRESHOLD):
                    if not admissible(kind, texts[i]):
                        probs[i, c] = 0.0
        return probs

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        vocab = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        cues = [f"{c}\t{'|'.join(cue)}" for c, phrases in enumerate(self.cues) for cue in phrases]
        np.savez_compressed(
            path,
            categories=np.array("\n".join(self.categories)),
            vocabulary=np.array("\n".join(vocab)),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            provenance=np.array(self.provenance),
            cues=np.array("\n".join(cues)),
            cue_count=np.array(len(self.cues)),
            cue_alone=np.zeros(len(self.categories), bool) if self.cue_alone is None else self.cue_alone,
        )

    @classmethod
    def load(cls, path: Path) -> ClauseModel:
        with np.load(path, allow_pickle=False) as data:
            vocab = str(data["vocabulary"]).split("\n")
            cues: list[list[Cue]] = [
                [] for _ in range(int(data["cue_count"]) if "cue_count" in data.files else 0)
            ]
            for line in filter(None, str(data["cues"]).split("\n") if "cues" in data.files else []):
                c, grams = line.split("\t")
                cues[int(c)].append(tuple(grams.split("|")))
            return cls(
                categories=tuple(str(data["categories"]).split("\n")),
                vocabulary={term: i for i, term in enumerate(vocab)},
                idf=data["idf"].astype(np.float64),
                coef=data["coef"].astype(np.float32),
                intercept=data["intercept"].astype(np.float64),
                thresholds=data["thresholds"].astype(np.float64),
                provenance=str(data["provenance"]) if "provenance" in data.files else "",
                cues=tuple(tuple(phrases) for phrases in cues),
                cue_alone=data["cue_alone"].astype(bool) if "cue_alone" in data.files else None,
            )


_override: list[ClauseModel] = []


@cache
def _shipped() -> ClauseModel | None:
    return ClauseModel.load(MODEL_PATH) if MODEL_PATH.is_file() else None


def active() -> ClauseModel | None:
    """The model in use: one set by :func:`using` (cross-validation), else the shipped one."""
    return _override[-1] if _override else _shipped()


@contextmanager
def using(model: ClauseModel) -> Iterator[None]:
    """Run the agent with another model (the benchmark's folds score unseen contracts)."""
    _override.append(model)
    try:
        yield
    finally:
        _override.pop()


def slug(category: str) -> str:
    """``"Ip Ownership Assignment"`` → ``ip_ownership_assignment``: the clause type reported."""
    return re.sub(r"[^a-z0-9]+", "_", category.lower()).strip("_")


# A learned category must also be *said* in the sentence. The classifier scores words it saw near
# real clauses, so other wording with the same words passes it. Per category (English and Spanish,
# general legal structure, not contract text): what the sentence must say (``needed``), wording that
# shows it is something else (``blocked``), and, where a sentence can hold both, wording that settles
# it for the category all the same (``settled``).
class MustSay(NamedTuple):
    needed: re.Pattern[str] | None
    blocked: re.Pattern[str] | None = None
    settled: re.Pattern[str] | None = None


# Exclusivity: boilerplate with the word ("sole and exclusive remedy", "non-exclusive licence",
# "exclusively governed by the laws of", "exclusive jurisdiction"; EXCLUSIVITY_BOILERPLATE). "Sole" /
# "only" count when they name a counterparty ("purchase solely from", "its sole distributor", "use
# only the Company's clubs"), not when they scope a use or a discretion ("solely in connection with",
# "solely in the Territory", "solely to promote the Products", "in its sole discretion", "at its
# sole cost").
_SCOPE_AFTER_SOLE = (
    r"(?:and\s+absolute\s+)?(?:discretion|cost|expense|option|judgment|judgement|risk|responsibilit|election|"
    r"remed|benefit|purpose|property|owner|right\s+and\s+option)|in\s+connection|in\s+the\s+territory|"
    r"for\b|as\b|to\s+the\s+extent|in\s+accordance|within\b|during\b|"
    r"to\s+(?:market|promote|use|perform|exercise|practice|make|provide|operate|enable|support|evaluate)\b"
)
_EXCLUSIVITY_WORDS = (
    rf"exclusiv|\bsole(?:ly)?\b(?!\s+(?:{_SCOPE_AFTER_SOLE}))|\bonly\b(?!\s+(?:{_SCOPE_AFTER_SOLE}|if\b|"
    r"upon\b|after\b|when\b|be\b|with\s+the\s+prior))|\ball\s+(?:of\s+)?(?:its|their)\s+requirements"
)
# Termination for convenience: ending the contract without having to show a reason. A sentence that
# ends it *for a cause* (breach, insolvency, force majeure, a failed milestone, the parties' mutual
# agreement, "in the event of" a listed contingency) is termination for cause; one that only leads
# into a list ("may terminate as follows:") or points to another clause ("in accordance with Section
# 9") leaves the reason to the list or the clause, which are read on their own; notice to stop a
# renewal ("prior to the end of the then current term") ends no running term; cancelling an order
# is not ending the contract. Unless the sentence also gives the reason-free right ("for any reason
# or no reason", "without cause", "at its option", "sin causa"). A sentence that denies the right
# ("may not be terminated for its own convenience") or says what outlives an ending ("termination for
# any reason shall not release …", "survive") grants none, whatever reason it names.
_TERMINATION_WORDS = (
    r"^(?![\s\S]*(?:(?:may|shall|can|will)\s+not\s+(?:be\s+)?terminat|no\s+podr[aá]n?\s+(?:ser\s+)?(?:resolver|"
    r"rescindir|terminar)))"
    # what outlives an ending vetoes the sentence unless it also grants the right ("may terminate …
    # for convenience …; Sections 5 and 9 shall survive")
    r"(?:(?=[\s\S]*\b(?:may|can|podr[aá]n?)\s+(?:\w+\s+){0,3}?(?:terminat|cancel|resolver|rescindir))|"
    r"(?![\s\S]*(?:surviv|subsist|shall\s+not\s+(?:release|relieve)|(?:termination|expiration)\s+or\s+"
    r"(?:termination|expiration))))[\s\S]*?"
    r"(?:terminat|cancel|withdraw|revo[kc]|rescind|resolver|resoluci|desist|denunci|\bend\s+(?:this|the)\b|"
    r"finaliz|extinc|dar\s+por\s+terminad)"
)
_FOR_CAUSE = (
    r"breach|default|insolven|bankrupt|receiver|liquidat|force\s+majeure|fail(?:s|ure)?\s+to|"
    r"in\s+the\s+event\s+(?:of|that)|upon\s+the\s+occurrence|contingenc|mutual|written\s+agreement|"
    r"for\s+cause|with\s+cause|just\s+cause|good\s+reason|\bif\b|in\s+case\s+(?:of|that|the)\b|"
    r"(?:after|upon)\s+the\s+occurrence|persists|continues\s+for|\bsi\s+(?:el|la|los|las|alguna|cualquier)|"
    r"incumpl|concurso|quiebra|fuerza\s+mayor|mutuo\s+acuerdo|justa\s+causa|causa\s+justificada|en\s+caso\s+de|"
    r"(?:as\s+follows|the\s+following(?:\s+[\w-]+){0,3}|lo\s+siguiente|los\s+siguientes\s+casos)\W*$|"
    r"(?:pursuant\s+to|in\s+accordance\s+with|under)\s+(?:the\s+)?(?:section|clause|article|paragraph|"
    r"termination\s+provisions)|conforme\s+a\s+la\s+cl[aá]usula|"
    r"prior\s+to\s+the\s+(?:end|expiration|expiry)\s+of|renew|renovaci|pr[oó]rroga|"
    r"purchase\s+orders?|on\s+order|cancel\w*\s+(?:any|all|an?|the)\s+(?:[\w-]+\s+){0,3}orders?\b"
)
_WITHOUT_CAUSE = (
    r"for\s+convenience|without\s+cause|(?:any|no)\s+(?:other\s+)?reason|at\s+will|at\s+any\s+other\s+time|"
    r"at\s+(?:its|their|his|her)\s+(?:sole\s+)?(?:option|discretion|election|convenience)|"
    r"sin\s+(?:justa\s+)?causa|sin\s+necesidad\s+de\s+(?:alegar|justificar|invocar)|por\s+conveniencia|"
    r"(?:cualquier|ning[uú]n)\s+motivo"
)
# Minimum commitment: a floor on what one side buys, sells or pays ("minimum purchase", "at least
# 1,000 units", "shall not be less than", "take or pay", "compra mínima"). "Minimum" that floors
# something else is not one: a notice or retention period ("a minimum of sixty (60) days", "for at
# least three years"), insurance cover and limits, standards, care, a capital or ownership level.
_COMMITMENT_WORDS = (
    r"minim|at\s+least|less\s+than|fewer\s+than|below|guarant|commit|shortfall|take[\s-]+or[\s-]+pay|quota|"
    r"targets?\b|m[ií]nim|al\s+menos|inferior|garantiz|compromet|objetivo"
)
_OTHER_FLOORS = (
    r"(?:minimum|at\s+least|(?:not|no)\s+(?:be\s+)?less\s+than|al\s+menos|no\s+inferior\s+a|m[ií]nimo\s+de)\s+"
    r"(?:of\s+|de\s+)?(?:\w+\s+)?(?:\(\d+\)\s+)?(?:business\s+|calendar\s+|h[aá]biles\s+)?"
    r"(?:days?|weeks?|months?|years?|hours?|minutes?|d[ií]as|semanas|meses|a[nñ]os|horas)\b|"
    r"minimum\s+(?:insurance|coverage|limits?|standards?|wage|age|ownership|capital|net\s+worth|rating|"
    r"(?:interest\s+)?rate|price\s+that)|insurance|at\s+a\s+minimum|same\s+(?:degree\s+of\s+)?care|"
    r"seguro|est[aá]ndares\s+m[ií]nimos"
)
_COMMITTED = (
    r"minimum\s+(?:annual\s+|monthly\s+|quarterly\s+)?(?:purchase|order|quantit|volume|royalt|commitment|fee|"
    r"payment|sales|revenue|guarantee)|take[\s-]+or[\s-]+pay|shortfall|"
    r"(?:compra|pedido|volumen|facturaci[oó]n|cantidad)\w*\s+m[ií]nim"
)
_MUST_SAY: dict[str, MustSay] = {
    "exclusivity": MustSay(re.compile(_EXCLUSIVITY_WORDS, re.I), re.compile(EXCLUSIVITY_BOILERPLATE, re.I)),
    "termination_for_convenience": MustSay(
        re.compile(_TERMINATION_WORDS, re.I), re.compile(_FOR_CAUSE, re.I), re.compile(_WITHOUT_CAUSE, re.I)
    ),
    "minimum_commitment": MustSay(
        re.compile(_COMMITMENT_WORDS, re.I), re.compile(_OTHER_FLOORS, re.I), re.compile(_COMMITTED, re.I)
    ),
    # The classifier also scores the words *near* these clauses (see configuration.py for each):
    # a consequential-damages exclusion is not uncapped liability without a carve-out; a non-solicit,
    # confidentiality or standstill covenant is no non-compete; assignment allowed on a merger gives
    # no say over a change of control; "no less favourable" in a right of first refusal is no MFN.
    "uncapped_liability": MustSay(re.compile(UNCAPPED_CARVE_OUT, re.I)),
    "non_compete": MustSay(
        re.compile(NON_COMPETE_SUBJECT, re.I),
        re.compile(f"{NON_COMPETE_NOT_A_PROMISE}|{NON_COMPETE_FREEDOM}", re.I),
    ),
    "change_of_control": MustSay(None, re.compile(CHANGE_OF_CONTROL_NO_SAY, re.I)),
    "most_favored_nation": MustSay(re.compile(MOST_FAVOURED_TERMS, re.I)),
}
# ... read once the wording that does not say what it seems to is blanked out: for exclusivity, what
# only points elsewhere (a document's title, a cross-reference by heading: the same sentences the
# exclusivity risk rule reads); for uncapped liability, list connectors ("including, without
# limitation") and references to the rest of the contract ("except as otherwise set forth herein").
_REFERENCES: dict[str, re.Pattern[str]] = {
    "exclusivity": re.compile(EXCLUSIVITY_REFERENCES, re.I),
    "uncapped_liability": re.compile(UNCAPPED_NOT_A_CARVE_OUT, re.I),
}


def said_here(kind: str, sentence: str) -> str:
    """``sentence`` with the wording that does not say what it seems to blanked out (see
    ``_REFERENCES``); the exclusivity risk rule reads sentences through this too."""
    references = _REFERENCES.get(kind)
    return references.sub(" ", sentence) if references else sentence


def admissible(clause_type: str, sentence: str) -> bool:
    """Whether a sentence the model scored for ``clause_type`` says it in words (see ``_MUST_SAY``)."""
    rule = _MUST_SAY.get(clause_type)
    if rule is None:
        return True
    sentence = said_here(clause_type, sentence)
    if rule.needed is not None and not rule.needed.search(sentence):
        return False
    if rule.settled is not None and rule.settled.search(sentence):
        return True
    return not (rule.blocked and rule.blocked.search(sentence))


def find_clauses(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, int, int, float]]:
    """``(clause type, start, end, probability)`` for the sentences that pass their category's
    threshold, best first within a category, at most :data:`MAX_CLAUSES_PER_TYPE` each."""
    model = active()
    units = [(s, e) for s, e in spans if e - s >= MIN_SENTENCE_CHARS]
    if model is None or not units:
        return []
    probs = model.admissible_scores([text[s:e] for s, e in units])
    found: list[tuple[str, int, int, float]] = []
    for c, category in enumerate(model.categories):
        column, kind = probs[:, c], slug(category)
        passing = [i for i in np.argsort(-column) if column[i] >= model.thresholds[c]]
        for i in passing[:MAX_CLAUSES_PER_TYPE]:
            found.append((kind, units[i][0], units[i][1], float(column[i])))
    return found
