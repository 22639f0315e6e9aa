"""Offline twins of the LLM steps: same typed outputs, no model, deterministic.

- classify: the pack's scikit-learn intent model (calibrated confidence, out-of-scope
  threshold), see ``engine.py`` and ``nlp/intent.py``;
- answer: extractive — an opener for the intent, the passage sentences that best match
  the query (in their original order), and the source title, in the query's language.
"""

from __future__ import annotations

import re
from typing import Any

from agentops_cli.agents.support.schemas import AnswerOutput, ClassifyOutput, Passage
from agentops_cli.nlp.intent import Prediction
from agentops_cli.nlp.text import terms

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚÑ¿¡0-9])")
MAX_SENTENCES = 2


def classify_offline(prediction: Prediction) -> ClassifyOutput:
    return ClassifyOutput(
        intent=prediction.label,
        confidence=min(1.0, max(0.0, prediction.confidence)),
        alternatives=[label for label, _ in prediction.top[1:]],
    )


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def best_sentences(query: str, text: str, limit: int = MAX_SENTENCES) -> list[str]:
    """The ``limit`` sentences sharing most terms with the query, kept in reading order."""
    sentences = split_sentences(text)
    if len(sentences) <= limit:
        return sentences
    wanted = set(terms(query))
    overlap = [len(wanted & set(terms(s))) for s in sentences]
    if not any(overlap):
        return sentences[:limit]
    # Most overlap first, earlier sentence on ties; then back to reading order.
    best = sorted(range(len(sentences)), key=lambda i: (-overlap[i], i))[:limit]
    return [sentences[i] for i in sorted(best)]


def wording(templates: dict[str, Any], language: str) -> dict[str, Any]:
    return templates.get(language) or templates.get("en") or {}


def answer_offline(
    query: str, intent: str, language: str, passages: list[Passage], templates: dict[str, Any]
) -> AnswerOutput:
    """Extractive answer from the best passage; ``grounded=False`` when there is none."""
    if not passages:
        return AnswerOutput(answer="", source_ids=[], grounded=False)
    words = wording(templates, language)
    openers = words.get("opener", {})
    opener = openers.get(intent, openers.get("default", ""))
    best = passages[0]
    body = " ".join(best_sentences(query, best.text))
    closing = words.get("closing", "({title})").format(title=best.title)
    answer = " ".join(part for part in (opener, body, closing) if part)
    return AnswerOutput(answer=answer, source_ids=[best.id], grounded=True)


def handoff_message(reason: str, language: str, templates: dict[str, Any]) -> str:
    """What the customer reads when the agent hands the conversation to a person."""
    handoff = wording(templates, language).get("handoff", {})
    return handoff.get(reason) or handoff.get("default") or "A member of our team will reply shortly."
