"""Question analysis: what kind of answer is asked for, about what, in which language.

Why: the plan, the evidence and the report all depend on the kind of question. "Which types
of …" wants a list, "how do X and Y differ" wants both X and Y, "what must I do after …"
wants steps in order, and only a market question wants the market-research facets. The
analysis is deterministic (cue words in English and Spanish), and the same typed plan is
handed to the LLM planner, so both paths answer the question that was asked.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agentops_cli.agents.research.lexicon import translate
from agentops_cli.nlp.language import detect_language
from agentops_cli.nlp.text import terms

QUESTION_TYPES = ("fact", "list", "comparison", "procedure", "synthesis", "market")


class QuestionAnalysis(BaseModel):
    """The typed reading of a research question (also shown to the LLM planner)."""

    question: str
    type: str = Field(description="fact | list | comparison | procedure | synthesis | market")
    language: str = Field(description="en | es: the language the report is written in")
    parts: list[str] = Field(default_factory=list, description="the question's own sub-questions")
    entities: list[str] = Field(default_factory=list, description="the things compared or named")
    scope: list[str] = Field(default_factory=list, description="named organisations/places that scope it")
    expansion: str = Field("", description="the question's words in the other language (lexicon)")


_COMPARISON = re.compile(
    r"\b(?:differ\w*|difference\w*|compar\w*|versus|vs\.?|contrast\w*|diferenci\w*|frente a)\b", re.I
)
_PROCEDURE = re.compile(
    r"\b(?:steps?|process|procedure|what (?:should|must|does|do|has to|have to) .{0,60}\bdo\b|"
    r"what happens (?:when|after|if)|how (?:do|does|can|should) (?:i|we|you|an?|the)\b.{0,40}\b"
    r"(?:request|apply|submit|report|get|claim|file)|pasos?|procedimiento|proceso|"
    r"qu[eé] (?:debe|puede|tiene que|hay que) hacer|"
    r"qu[eé] (?:pasa|ocurre|sucede) (?:cuando|si|despu[eé]s))\b",
    re.I,
)
_LIST = re.compile(
    r"\b(?:(?:which|what) (?:kinds?|types?|sorts?|examples?|categories|items|fields|documents|"
    r"requirements|measures|options|benefits|problems|things)|list|enumerate|examples? of|kinds of|types of|"
    r"ejemplos? de|tipos de|what (?:does|do|must|should)"
    r" .{0,60}\b(?:contain|include)|what are the|qu[eé] (?:tipos|clases|medidas|requisitos|elementos|"
    r"documentos|ejemplos|opciones|beneficios)|cu[aá]les son|enumer\w*)\b",
    re.I,
)
_MARKET = frozenset(
    terms(
        "market markets competitor competitors competition rival rivals vendor vendors landscape acquisition "
        "acquire acquires valuation revenue arr funding cagr tam growth mercado competidores competencia"
    )
)
# Where a compound question splits into its own sub-questions.
_PART_BREAK = re.compile(
    r"(?:,\s*and\s+|;\s*|\?\s+|\s+and\s+(?=(?:what|how|who|which|when|where|why|for)\b)|,?\s+y\s+"
    r"(?=(?:qu[eé]|c[oó]mo|cu[aá]l|cu[aá]nt|qui[eé]n|d[oó]nde|cu[aá]ndo|por qu[eé]|para)\b))",
    re.I,
)
NAMED = re.compile(r"\b(?:[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}\w*)\b")  # PostHog, TTS, SaaS, UK
_SIDES = (
    re.compile(
        r"\b(?:between|entre)\s+(?P<list>.+?)(?=,\s*(?:and|y)\b|\?|$|\s+(?:in|at|for|en|para)\s)", re.I
    ),
    re.compile(
        r"^(?:how|in what ways?|en qu[eé])\s+(?:does|did|do|are|is|se)?\s*(?P<a>.+?)\s+"
        r"(?:differ\w*|compar\w*|"
        r"diferenci\w*)\s+(?:from|with|to|con|de|a)\s+(?P<b>.+?)(?=,|\?|$)",
        re.I,
    ),
    re.compile(r"\b(?:compare|comparar|diferencian)\s+(?P<list>.+?)(?=\?|$|\s+(?:in|en|for|para)\s)", re.I),
    re.compile(r"(?P<a>[\w' -]+?)\s+(?:vs\.?|versus|frente a)\s+(?P<b>[\w' -]+)", re.I),
)
_SPLIT_LIST = re.compile(r"\s*,\s*(?:and\s+|y\s+|or\s+|o\s+)?|\s+(?:and|or|y|o)\s+", re.I)
_LEADING = re.compile(r"^(?:the|a|an|los|las|el|la|de|del|modelos? de \w+)\s+", re.I)


def question_type(question: str) -> str:
    """The answer kind asked for, by cue words (market cues first: they keep the facet plan)."""
    if set(terms(question)) & _MARKET:
        return "market"
    if _COMPARISON.search(question):
        return "comparison"
    if _PROCEDURE.search(question):
        return "procedure"
    if _LIST.search(question):
        return "list"
    if len(question_parts(question)) > 1 and len(set(NAMED.findall(question))) > 1:
        return "synthesis"
    return "fact"


def question_parts(question: str) -> list[str]:
    """The question's own sub-questions ("… carry over, and what happens to hours above …")."""
    text = question.strip().lstrip("¿¡").rstrip("?").strip()
    parts = [p.strip(" ,;¿?") for p in _PART_BREAK.split(text)]
    parts = [p for p in parts if len(terms(p)) >= 2] or [text]
    for i in range(1, len(parts)):
        parts[i] = _complete(parts[i], parts[i - 1])
    return parts


_ELLIPSIS = re.compile(r"^(for|to|of|about|on|para|de|sobre|con)\s", re.I)


def _complete(part: str, previous: str) -> str:
    """An elliptical part takes the head it shares with the part before it: in "What are the
    requirements for getting X, and for receiving Y?" the second part is "What are the
    requirements for receiving Y", not a bare "for receiving Y"."""
    match = _ELLIPSIS.match(part)
    if not match:
        return part
    cut = previous.lower().rfind(f" {match.group(1).lower()} ")
    if cut <= 0:
        return part
    head = previous[:cut]
    head = head[head.rfind(". ") + 2 :] if ". " in head else head  # the sentence that asks
    return f"{head} {part}"


def compared_entities(question: str) -> list[str]:
    """The sides of a comparison: "credit hours" / "compensatory (comp) time", "US" / "UK"."""
    text = question.strip().lstrip("¿¡").rstrip("?")
    for pattern in _SIDES:
        match = pattern.search(text)
        if not match:
            continue
        groups = match.groupdict()
        sides = _SPLIT_LIST.split(groups["list"]) if groups.get("list") else [groups["a"], groups["b"]]
        sides = [_without_leading(s.strip(" ,'")) for s in sides]
        sides = [s for s in sides if terms(s)]
        if len(sides) >= 2:
            return list(dict.fromkeys(sides))[:4]
    return []


def _without_leading(side: str) -> str:
    """A side without its articles and kind words: "los modelos de negocio freemium" → "freemium"."""
    while (shorter := _LEADING.sub("", side, count=1).strip()) != side and terms(shorter):
        side = shorter
    return side


def analyse(question: str) -> QuestionAnalysis:
    language = detect_language(question, default="en")
    kind = question_type(question)
    entities = compared_entities(question) if kind in ("comparison", "synthesis") else []
    if kind == "comparison" and len(entities) < 2:
        kind = "synthesis" if len(question_parts(question)) > 1 else "fact"
    scope = list(dict.fromkeys(n for n in NAMED.findall(question) if not any(n in e for e in entities)))
    return QuestionAnalysis(
        question=question,
        type=kind,
        language=language,
        parts=question_parts(question),
        entities=entities,
        scope=scope,
        expansion=" ".join(dict.fromkeys(translate(question, language).split())),
    )


_TEMPLATES = {
    "en": {
        "entity": "{entity}: what applies ({aspect})?",
        "entity_only": "{entity}: what applies?",
        "list": "{part}? (every item)",
        "procedure": "{part}? (the steps, in order)",
        "part": "{part}?",
    },
    "es": {
        "entity": "{entity}: ¿qué se aplica ({aspect})?",
        "entity_only": "{entity}: ¿qué se aplica?",
        "list": "¿{part}? (todos los elementos)",
        "procedure": "¿{part}? (los pasos, en orden)",
        "part": "¿{part}?",
    },
}


def typed_plan(analysis: QuestionAnalysis, max_subquestions: int) -> list[str]:
    """Sub-questions that follow the type: one per compared entity, the enumeration, the steps.

    Written in the question's language from the question's own words (no facet template, no
    filler): a comparison plans one sub-question per entity and aspect, a list the enumeration,
    a procedure the steps, any other type one sub-question per part of the question.
    """
    words = _TEMPLATES.get(analysis.language, _TEMPLATES["en"])
    plan: list[str] = []
    if analysis.type == "comparison":
        aspect = _aspect(analysis)
        template = words["entity"] if aspect else words["entity_only"]
        plan += [template.format(entity=e, aspect=aspect) for e in analysis.entities]
        plan += [words["part"].format(part=p) for p in analysis.parts[1:]]
    else:
        first = {"list": "list", "procedure": "procedure"}.get(analysis.type, "part")
        plan.append(words[first].format(part=analysis.parts[0]))
        plan += [words["part"].format(part=p) for p in analysis.parts[1:]]
    return list(dict.fromkeys(plan))[:max_subquestions]


_TEMPLATE_WORDS = re.compile(
    r"\s*\((?:every item|the steps, in order|todos los elementos|los pasos, en orden)\)|"
    r":\s*(?:what applies|¿qu[eé] se aplica)",
    re.I,
)


def strip_template(subquestion: str) -> str:
    """A typed sub-question without the plan's own wording, for searching."""
    return _TEMPLATE_WORDS.sub("", subquestion)


def _aspect(analysis: QuestionAnalysis) -> str:
    """The question's first part minus the compared entities and the comparison cue."""
    text = analysis.parts[0]
    for entity in analysis.entities:
        text = text.replace(entity, " ")
    text = _COMPARISON.sub(" ", text)
    kept = [w for w in re.findall(r"[\w'’-]+", text) if terms(w)]
    kept = [
        w
        for w in kept
        if w.lower() not in {"between", "entre", "from", "with", "how", "do", "does", "en", "qué"}
    ]
    return " ".join(kept)
