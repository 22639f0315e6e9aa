"""Offline query translation between Spanish and English, from a bilingual lexicon.

Why: a Spanish question over an English handbook (or the reverse) shares almost no words
with its answer, so BM25 finds nothing. ``lexicon_es_en.txt`` (general business/HR/IT
vocabulary written for this project) maps phrases both ways; a question's terms are
matched longest phrase first on folded, stemmed words, and the other language's words are
added to the search, never substituted (names and numbers are the same in both).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from agentops_cli.nlp.text import terms

LEXICON_FILE = Path(__file__).with_name("lexicon_es_en.txt")
_MAX_PHRASE = 4


@cache
def _tables() -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], str]]:
    """(Spanish phrase → English words, English phrase → Spanish words), keyed by stemmed terms."""
    es_en: dict[tuple[str, ...], str] = {}
    en_es: dict[tuple[str, ...], str] = {}
    for line in LEXICON_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "=" not in line:
            continue
        left, right = line.split("=", 1)
        spanish = [v.strip() for v in left.split("|") if v.strip()]
        english = [v.strip() for v in right.split("|") if v.strip()]
        for phrase in spanish:
            key = tuple(terms(phrase))
            if key:
                es_en[key] = " ".join(filter(None, (es_en.get(key), *english)))
        for phrase in english:
            key = tuple(terms(phrase))
            if key:
                en_es[key] = " ".join(filter(None, (en_es.get(key), *spanish)))
    return es_en, en_es


def concepts(text: str, source: str) -> list[tuple[str, str]]:
    """``text`` as (stemmed phrase, the other language's words or "") pairs, longest match first.

    One pair is one concept: "employee" and its renderings "empleado personal plantilla" count
    once, so a passage is not rewarded four times for one idea.
    """
    table = _tables()[0 if source == "es" else 1]
    words = terms(text)
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        for size in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
            found = table.get(tuple(words[i : i + size]))
            if found:
                out.append((" ".join(words[i : i + size]), found))
                i += size
                break
        else:
            out.append((words[i], ""))
            i += 1
    return out


def translate(text: str, source: str) -> str:
    """The other language's words for ``text`` (``source`` "es" or "en"); "" when none match."""
    return " ".join(found for _, found in concepts(text, source) if found)
