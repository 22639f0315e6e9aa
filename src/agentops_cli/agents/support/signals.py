"""Rule-based detectors (EN + ES) the guard and the escalation policy rely on.

Why rules and not a model: these are safety decisions. A pattern list is auditable,
deterministic and cannot be talked out of its job by the very text it inspects, which
matters most for prompt injection. Patterns run on accent-folded, lower-cased text.
"""

from __future__ import annotations

import re

from agentops_cli.nlp.text import fold


def _any(*alternatives: str) -> str:
    """``(?:a|b|c)``: patterns below are built from readable word lists."""
    return "(?:" + "|".join(alternatives) + ")"


_OVERRIDE_EN = _any("ignore", "disregard", "forget", "override", "bypass")
_RULES_EN = _any("instructions?", "prompts?", "rules", "guidelines", "directions", "polic(?:y|ies)")
_REVEAL_EN = _any("reveal", "show", "print", "display", "repeat", "output", "leak", "tell me", "give me")
_ROLE_EN = _any(
    "you are",
    "you're",
    "act as",
    "acting as",
    "pretend (?:to be|you are)",
    "roleplay as",
    "role-play as",
    "behave as",
)
_POWER_EN = _any(
    "admin",
    "administrator",
    "root",
    "developer",
    "sysadmin",
    "superuser",
    "dan",
    "jailbroken",
    "unrestricted",
)
_OVERRIDE_ES = _any("ignora", "olvida", "olvidate de", "omite", "saltate", "salta")
_RULES_ES = _any("instrucciones", "indicaciones", "reglas", "normas", "prompt", "politicas?")
_REVEAL_ES = _any("muestra", "muestrame", "revela", "dime", "ensename", "imprime", "repite")
_POWER_ES = _any("administrador", "admin", "root", "desarrollador", "superusuario")

INJECTION = re.compile(
    _any(
        rf"\b{_OVERRIDE_EN}\b.{{0,40}}\b{_RULES_EN}\b",
        rf"\b{_REVEAL_EN}\b.{{0,30}}\b(?:system|hidden|initial|original|secret)\s+(?:prompt|instructions?)",
        r"\bsystem\s*prompt\b",
        rf"\b{_ROLE_EN}\b.{{0,20}}\b{_POWER_EN}\b",
        r"\b(?:developer|god|admin|debug|jailbreak)\s+mode\b",
        r"\bjailbreak\b",
        r"\bdo anything now\b",
        r"\bnew instructions?\s*:",
        r"<\|?(?:im_start|system|endoftext)\|?>|\[/?inst\]|###\s*system",
        rf"\b{_OVERRIDE_ES}\b.{{0,40}}\b{_RULES_ES}\b",
        rf"\b{_REVEAL_ES}\b.{{0,30}}\b(?:prompt|instrucciones)\s+(?:del? sistema|ocultas|iniciales|secretas)",
        r"\b(?:instrucciones|prompt|mensaje) del sistema\b",
        rf"\b(?:actua|comportate|haz) (?:como|de)\b.{{0,20}}\b{_POWER_ES}\b",
        rf"\b(?:eres|ahora eres)\b.{{0,15}}\b{_POWER_ES}\b",
        r"\bmodo (?:desarrollador|administrador|dios|depuracion)\b",
        r"\bnuevas instrucciones\s*:",
    )
)

_PEOPLE_EN = _any(
    "human",
    "person",
    "agent",
    "representative",
    "someone",
    "somebody",
    "manager",
    "supervisor",
    "operator",
    "rep",
)
_PEOPLE_ES = _any(
    "humano", "persona", "agente", "asesor", "operador", "responsable", "supervisor", "encargado", "alguien"
)
_CONTACT_ES = _any(
    "hablar",
    "habla",
    "hable",
    "comunicar",
    "comunicarme",
    "contactar",
    "pasar",
    "pasame",
    "paseme",
    "ponme",
    "poner",
    "atienda",
)
HUMAN_REQUEST = re.compile(
    _any(
        rf"\b(?:talk|speak|chat|connect|transfer|put)\b.{{0,25}}\b{_PEOPLE_EN}\b",
        r"\b(?:real|live|actual) (?:person|human|agent)\b",
        r"\b(?:human|live) (?:agent|support|being)\b",
        r"\bnot? (?:a |another )?(?:bot|robot|machine|chatbot)\b",
        r"\b(?:call me|call me back|phone call|callback)\b",
        rf"\b{_CONTACT_ES}\b.{{0,25}}\b{_PEOPLE_ES}\b",
        r"\bpersona (?:real|de verdad)\b",
        r"\bno (?:quiero|deseo)\b.{0,15}\b(?:bot|robot|maquina|chatbot)\b",
        r"\b(?:llamenme|llamame|me llamen|que me llame|que alguien me llame)\b",
    )
)

LEGAL_THREAT = re.compile(
    _any(
        r"\b(?:lawyers?|attorneys?|solicitors?|lawsuit|sue|suing|legal action|court|small claims)\b",
        r"\b(?:consumer protection|ombudsman|report you to)\b",
        r"\b(?:abogad[oa]s?|demandar(?:os|les|la|e)?|demandaremos|acciones legales|via legal)\b",
        r"\b(?:tribunal(?:es)?|juicio|juzgado)\b",
        r"\b(?:denunciar(?:os|les)|(?:(?:os|les|la|lo) )?(?:voy a|vamos a) denunciar(?:lo|la|los|las)?)\b",
        r"\b(?:os denuncio|les denuncio|poner una denuncia)\b",
        r"\b(?:(?:oficina|junta arbitral) de consumo|ocu|defensa del consumidor|facua)\b",
    )
)

# Anger lexicon: strong words weigh 2, milder ones 1; shouting and "!!!" add to it.
_STRONG = re.compile(
    r"\b(furious|outraged|disgusting|disgraceful|scam|scammers|thieves|fraudsters|hate you|pathetic|"
    r"useless|incompetent|shameful|unacceptable|fed up|sick of|fuck\w*|shit\w*|damn|wtf|"
    r"furios[oa]|indignad[oa]|estafa(dores)?|ladrones|vergonzoso|harto|harta|asco|asqueroso|"
    r"inutiles|incompetentes|inaceptable|una verguenza|mierda|joder|cabrones)\b"
)
_MILD = re.compile(
    r"\b(angry|annoyed|upset|terrible|awful|horrible|worst|ridiculous|frustrated|frustrating|"
    r"never again|disappointed|enfadad[oa]|molest[oa]|fatal|pesim[oa]|horrible|peor|ridiculo|"
    r"frustrad[oa]|decepcionad[oa]|nunca mas)\b"
)
ANGER_THRESHOLD = 3


def normalized(text: str) -> str:
    return fold(text)


def prompt_injection(text: str) -> bool:
    return bool(INJECTION.search(normalized(text)))


def human_requested(text: str) -> bool:
    return bool(HUMAN_REQUEST.search(normalized(text)))


def legal_threat(text: str) -> bool:
    return bool(LEGAL_THREAT.search(normalized(text)))


def anger_score(text: str) -> int:
    """Strong words ×2, mild ×1, +1 for two or more SHOUTED words, +1 for '!!'."""
    folded = normalized(text)
    score = 2 * len(_STRONG.findall(folded)) + len(_MILD.findall(folded))
    shouted = [w for w in re.findall(r"\b[A-ZÁÉÍÓÚÑ]{3,}\b", text)]
    if len(shouted) >= 2:
        score += 1
    if "!!" in text or "¡¡" in text:
        score += 1
    return score


def strong_anger(text: str) -> bool:
    return anger_score(text) >= ANGER_THRESHOLD
