"""English / Spanish detection for short customer messages.

Why not a library: queries are one or two sentences, the two languages are known, and
marker words plus Spanish-only characters decide reliably in microseconds. Anything
undecided falls back to the caller's default (the pack's language).
"""

from __future__ import annotations

from typing import Literal

from agentops_cli.nlp.text import words, wordset

Language = Literal["en", "es"]

_ES_MARKERS = wordset(
    """
    el la los las de del que y en un una por para con no es mi mis su sus se lo al como pero
    está esta estoy tengo quiero necesito puedo hola gracias cuenta pedido factura cobro
    cobraron reembolso devolucion envio contraseña contrasena ayuda porque donde cuando cual qué
    cómo sigue todavia aun hace dias semana cancelar suscripcion hablar persona humano agente me
    te dos veces ya muy hay son han hoy ayer nunca nada algo todo nadie tambien usted ustedes
    hacer funciona llega llego mas sin sobre desde hasta ni
    """
)
_EN_MARKERS = wordset(
    """
    the a an and of to in is it my i you your for on with this that was were have has do does
    did not can can't cannot please want need how what when where why order account charged
    refund still yet days week cancel subscription talk person human agent help be are am why
    from at just any been there they what's i'm don't doesn't won't it's
    """
)
_ES_SUFFIXES = ("cion", "ciones", "aron", "ieron", "amos", "ado", "ada", "ido", "ida", "mente")
_EN_SUFFIXES = ("ing", "tion", "ness", "ly")
_ES_CHARS = set("ñ¿¡áéíóú")


def detect_language(text: str, default: Language = "en") -> Language:
    """Return ``"es"`` or ``"en"``; ``default`` when there is no evidence either way."""
    tokens = words(text)
    es = sum(1 for t in tokens if t in _ES_MARKERS)
    en = sum(1 for t in tokens if t in _EN_MARKERS)
    lowered = text.lower()
    es += 2 * sum(1 for ch in lowered if ch in _ES_CHARS)
    # Suffixes are weaker evidence than marker words: they only break ties.
    es += 0.5 * sum(1 for t in tokens if len(t) > 4 and t.endswith(_ES_SUFFIXES))
    en += 0.5 * sum(1 for t in tokens if len(t) > 4 and t.endswith(_EN_SUFFIXES))
    if es > en:
        return "es"
    if en > es:
        return "en"
    return default
