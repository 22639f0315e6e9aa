"""Tokenisation shared by retrieval and language detection.

Why a home-grown tokeniser: the corpora are small, bilingual (English and Spanish), and
the offline engine must be deterministic and import-free. Accents are folded so that
"devolución" and "devolucion" (customers skip accents) match, and a light suffix
stemmer lets "refunds"/"refund" and "pedidos"/"pedido" meet without a full stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"\w+", re.UNICODE)
# Characters that render as nothing (zero-width space/joiners, word joiner, BOM, soft hyphen):
# removed before matching, so "char\u200bged" is "charged" to the guard and the classifier alike.
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Case-fold and strip accents ("Devolución" → "devolucion"); keeps ñ as n.

    The one accent-folding helper: retrieval, the support guard, the document agent's
    comparison key and the eval scorers all build on it, so "the same word" means the same
    thing everywhere. ``casefold`` (not ``lower``) because this is for caseless matching.
    Cached: the guard, the detectors and retrieval all fold the same query.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def wordset(text: str) -> frozenset[str]:
    """A whitespace-separated word list as a set of folded words (how word lists are written here)."""
    return frozenset(fold(w) for w in text.split())


STOPWORDS_EN: frozenset[str] = wordset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    hi hello please thanks thank im ive dont cant get got
    """
)

STOPWORDS_ES: frozenset[str] = wordset(
    """
    a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante
    e el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba estado estan
    estar este esto estos estoy fue fueron ha habia han has hasta hay la las le les lo los me mi
    mis mucho muy nada ni no nos nosotros o os otra otro para pero poco por porque que quien se
    sea ser si sin sobre son su sus tambien te tengo tiene tienen todo todos tu tus un una uno
    unos usted ustedes vosotros y ya yo hola gracias favor puedo puede quiero
    """
)

STOPWORDS: frozenset[str] = STOPWORDS_EN | STOPWORDS_ES

# Longest first; a stem keeps at least 4 characters. Then plural "s", then a final vowel, so
# package/packages, pedido/pedidos, factura/facturación, charge/charged meet on one stem.
_SUFFIXES = (
    "aciones",
    "iciones",
    "amiento",
    "imiento",
    "ieron",
    "ations",
    "mente",
    "acion",
    "icion",
    "ation",
    "aron",
    "ando",
    "iendo",
    "ings",
    "edly",
    "ing",
    "ado",
    "ada",
    "ido",
    "ida",
    "ed",
    "ar",
    "er",
    "ir",
)
_MIN_STEM = 4


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper good enough to merge plurals and verb forms in EN and ES."""
    if word.endswith("s") and len(word) > _MIN_STEM:
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            break
    if word[-1:] in ("a", "e", "o") and len(word) > _MIN_STEM:
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """Folded word tokens, stopwords included (language detection needs them)."""
    return _WORD.findall(fold(text))


def terms(text: str) -> list[str]:
    """Index terms: folded, stopwords removed, stemmed; digits kept (order numbers, 2FA)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
