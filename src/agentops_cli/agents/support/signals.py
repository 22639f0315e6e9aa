"""Rule-based detectors (EN + ES) the guard and the escalation policy rely on.

Why rules and not a model: these are safety decisions. A pattern list is auditable,
deterministic and cannot be talked out of its job by the very text it inspects, which
matters most for prompt injection. Patterns run on accent-folded, lower-cased text; the
injection patterns also on a *de-obfuscated* copy (:func:`deobfuscated`: compatibility
forms, zero-width characters, look-alike letters, leetspeak and spaced-out letters undone),
because an attacker who writes ``Ign0re`` or ``i g n o r e`` means the same thing.

Measured on ``tests/data/prompt_injection/`` (tune and held-out splits) and CLINC150; the
figures are in ``docs/support.md``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from agentops_cli.nlp.text import ZERO_WIDTH, fold


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
    "pretend (?:to be|you are|you're)",
    "roleplay as",
    "role-play as",
    "role play as",
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
_OVERRIDE_ES = _any("ignora", "olvida", "olvidate de", "omite", "saltate", "salta", "haz caso omiso de")
_RULES_ES = _any("instrucciones", "indicaciones", "reglas", "normas", "prompt", "politicas?", "directrices")
_REVEAL_ES = _any("muestra", "muestrame", "revela", "dime", "ensename", "imprime", "repite")
_POWER_ES = _any("administrador", "admin", "root", "desarrollador", "superusuario")
# What the model was told, as an attacker asks for it ("your instructions", "the system message").
_OWN_RULES_EN = (
    r"(?:your|the)\s+(?:(?:own|initial|original|hidden|secret|internal|exact|full|system|first"
    r"|confidential)\s+){0,2}"
    r"(?:instructions|prompt|system (?:message|prompt)|directives|programming|configuration)\b"
    r"(?!\s+(?:for|on|to|about|of)\b)"
)
_OWN_RULES_ES = (
    r"(?:tus|tu|las|el)\s+(?:(?:propias|iniciales|originales|ocultas|secretas|internas|exactas"
    r"|completas)\s+)?"
    r"(?:instrucciones|indicaciones|directrices|prompt|configuracion)\b"
    r"(?!\s+(?:para|de|sobre)\b)"
)
_GRANNY_EN = r"(?:grandma|grandmother|granny|nana|grandpa|grandfather)\b(?!['\u2019]s|s\b)"
_GRANNY_ES = r"(?:abuela|abuelita|abuelo|abuelito)\b(?!\s+(?:de|del)\b)"
_UNCHAINED = _any(
    r"[\w-]*unlocked",
    "unfiltered",
    "uncensored",
    "unrestricted",
    "jailbroken",
    r"(?:with )?no (?:restrictions|rules|filters|limits)",
    r"without (?:any )?(?:restrictions|rules|filters|limits)",
    r"free (?:of|from) (?:all )?(?:policies|rules|restrictions)",
)
_UNCHAINED_ES = _any(r"sin (?:restricciones|filtros|censura|reglas|limites|normas)", "desbloquead[oa]")

INJECTION = re.compile(
    _any(
        rf"\b{_OVERRIDE_EN}\b(?!\s+(?:my|about)\b).{{0,40}}\b{_RULES_EN}\b",
        rf"\b{_OVERRIDE_EN}\b.{{0,15}}\b(?:everything|all|anything)\b.{{0,15}}"
        rf"\b(?:above|before|previous|prior|earlier|you (?:were|have been) told)\b",
        rf"\b{_REVEAL_EN}\b.{{0,30}}\b(?:system|hidden|initial|original|secret)\s+(?:prompt|instructions?)",
        r"\bsystem\s*(?:prompt|message)\b",
        rf"\b{_ROLE_EN}\b.{{0,20}}\b{_POWER_EN}\b",
        r"\b(?:developer|god|admin|debug|jailbreak)\s+mode\b",
        r"\bjailbreak\b",
        r"\bdo anything now\b",
        r"\bnew (?:instructions?|rules?|task)\s*:",
        r"<\|?(?:im_start|system|endoftext)\|?>|\[/?inst\]|###\s*system",
        # asking for what was written before the user's text
        r"\b(?:print|repeat|show|output|copy|display|write out|recite|reproduce)\b.{0,40}"
        r"\b(?:text|words|everything|content|lines?|what(?:'s| is| was)? written)\b.{0,20}"
        r"\b(?:above|before (?:this|my)|that came before|preceding|at the (?:start|beginning))\b",
        r"\b(?:repeat|print|recite|copy|output|write|reproduce|say)\b.{0,50}"
        r"\b(?:word for word|verbatim|literally)\b",
        r"\b(?:word for word|verbatim)\b.{0,30}"
        r"\b(?:instructions|rules|prompt|message you|text above|everything)\b",
        rf"\b(?:summari[sz]e|list|paraphrase|translate|explain|describe|what are|what were|tell me"
        rf"|give me|repeat|show|print|reveal|output|recite)"
        rf"\b.{{0,20}}\b{_OWN_RULES_EN}",
        r"\bwhat (?:were|are) you (?:told|instructed|programmed)\b",
        r"\b(?:rules|instructions) you (?:were|have been) given\b",
        # role-play that smuggles the request in: the grandmother trick, "X-Unlocked"
        rf"\b(?:pretend|act(?:ing)? as|role-?\s?play(?:ing)?(?: as)?|play the (?:role|part) of"
        rf"|you are|you're|imagine you(?:'re| are)|be)\s+(?:my |a |like )?(?:\w+ )?{_GRANNY_EN}",
        rf"\b(?:{_ROLE_EN}|play(?:ing)?|be(?:come)?|from now on)\b.{{0,40}}\b{_UNCHAINED}",
        rf"\byou(?:'re| are) (?:now )?(?:an? )?(?:\w+ )?(?:ai|assistant|model|bot)\s+{_UNCHAINED}",
        r"\b(?:rules|restrictions|policies|guidelines|filters)\b.{0,20}"
        r"\b(?:don't|do not|no longer) apply to you\b",
        r"\bas if you (?:had|have|were under) no (?:rules|restrictions|limits|filters|guidelines)\b",
        r"\b(?:ai|assistant|bot|model|chatbot)\s+(?:that|which|who)\s+(?:ignores|has no"
        r"|doesn't follow|does not follow|breaks)"
        r"\b",
        r"\b(?:disable|turn off|deactivate|switch off|remove)\b.{0,15}\byour\s+(?:\w+\s+)?"
        r"(?:filters?|checks|guardrails|restrictions|safeguards|safety)\b",
        r"\b(?:contents?|text) of (?:your|the) (?:first|initial|system|original|hidden) (?:message"
        r"|prompt|instructions)"
        r"\b",
        r"\bi am your (?:developer|creator|admin|administrator|programmer|owner)\b",
        r"\b(?:system|admin|developer|security) (?:override|update|notice|instruction)s?\s*:",
        rf"\b{_OVERRIDE_EN}\s+(?:the |everything |all )?(?:above|preceding)\b",
        rf"\b(?:dead|late|deceased)\s+{_GRANNY_EN}.{{0,80}}"
        rf"\b(?:read|tell|recite|passwords?|keys?|prompt|instructions)\b",
        # "the previous message was a test"
        r"\b(?:previous|last|above|earlier|prior|first)\s+(?:message|messages|instructions?|prompt"
        r"|conversation)"
        r"\b"
        r".{0,20}\b(?:was|were|is|are)\b.{0,10}"
        r"\b(?:a test|just a test|only a test|fake|not real|a joke|a drill)\b",
        r"\b(?:that|this|it) was (?:only|just) a test\b.{0,60}\b(?:instructions?|rules|prompt|no longer)\b",
        rf"\b{_OVERRIDE_ES}\b(?!\s+(?:mi|mis)\b).{{0,40}}\b{_RULES_ES}\b",
        rf"\b{_OVERRIDE_ES}\b\s+(?:todo\s+)?lo (?:anterior|que te (?:dijeron|han dicho))"
        rf"\b(?!\s+(?:del|de mi|sobre)\b)",
        rf"\b{_REVEAL_ES}\b.{{0,30}}\b(?:prompt|instrucciones)\s+(?:del? sistema|ocultas|iniciales|secretas)",
        r"\b(?:instrucciones|prompt|mensaje) del sistema\b",
        rf"\b(?:actua|comportate|haz) (?:como|de)\b.{{0,20}}\b{_POWER_ES}\b",
        rf"\b(?:eres|ahora eres)\b.{{0,15}}\b{_POWER_ES}\b",
        r"\bmodo (?:desarrollador|administrador|dios|depuracion)\b",
        r"\bnuevas (?:instrucciones|reglas)\s*:",
        r"\b(?:repite|copia|imprime|escribe|reproduce|dime)\b.{0,50}"
        r"\b(?:literalmente|palabra por palabra|textualmente)\b",
        r"\b(?:imprime|repite|muestra|muestrame|copia|escribe)\b.{0,30}"
        r"\b(?:texto|todo|contenido|lineas?)\b.{0,20}"
        r"\b(?:arriba|encima|anterior|antes de (?:esta|mi|este))\b",
        rf"\b(?:resume|resumeme|enumera|lista|dime|cuales son|muestrame|repite|traduce|explica|describe)"
        rf"\b.{{0,20}}\b{_OWN_RULES_ES}",
        r"\b(?:que|cuales) (?:instrucciones|reglas|indicaciones) (?:recibiste|te dieron|tienes)\b",
        r"\b(?:reglas|instrucciones|indicaciones) que te (?:dieron|han dado|dio)\b",
        rf"\b(?:fing(?:e|ir) ser|finge|fingir|finjas|actua como|haz de|interpreta|juega a ser"
        rf"|haz el papel de|eres|se)\s+(?:mi |una |como )?(?:\w+ )?{_GRANNY_ES}",
        rf"\b(?:eres|ahora eres|actua como|finge ser|juega a ser|comportate como|version|modo|ia|asistente)"
        rf"\b.{{0,40}}\b{_UNCHAINED_ES}",
        r"\bcomo si no tuvieras (?:reglas|restricciones|limites|filtros|normas)\b",
        r"\bya no tienes (?:reglas|restricciones|limites|filtros|normas)\b",
        r"\b(?:desactiva|apaga|quita)\b.{0,15}\btus\s+(?:filtros|restricciones|controles|protecciones)\b",
        r"\bque te (?:dijeron|ordenaron|indicaron|pidieron) que hicieras\b",
        r"\b(?:escribe|copia|imprime|repite|muestra)\b.{0,20}\btodo lo que (?:hay|habia|aparece) antes\b",
        r"\b(?:mensaje|mensajes|instrucciones|indicaciones) anterior(?:es)?\b.{0,20}"
        r"\b(?:era|eran|fue|fueron|es|son)\b.{0,10}"
        r"\b(?:una prueba|un test|falsa?s?|broma|mentira)\b",
    )
)

# -- de-obfuscation: what attackers do to slip past patterns -------------------------------------

# Look-alike letters (Cyrillic, Greek) that render as Latin ones.
_HOMOGLYPHS = str.maketrans(
    "авсеһіјкмнорѕтхуԁɡοαρνυιεκτχ",
    "abcehijkmhopstxydgoapvuiektx",
)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_MIXED_TOKEN = re.compile(r"[\w@$!]*[a-z][\w@$!]*")
_SPACED_RUN = re.compile(r"\b(?:\w[ .\-_*]{1,3}){3,}\w\b")


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    return token.translate(_LEET) if any(not ch.isalpha() for ch in token) else token


def _unspace(match: re.Match[str]) -> str:
    """``i g n o r e   a l l`` → ``ignore all``: letters one separator apart join, wider gaps stay words."""
    run = match.group(0)
    words = re.split(r"[ .\-_*]{2,}", run) if re.search(r"[ .\-_*]{2,}", run) else [run]
    return " ".join(re.sub(r"[ .\-_*]", "", word) for word in words)


@lru_cache(maxsize=4096)
def deobfuscated(text: str) -> str:
    """The text as the attacker meant it: NFKC (full-width → ASCII), no zero-width characters,
    look-alike letters to Latin, accents folded, then leetspeak undone inside words that mix
    letters with digits/symbols (``pr0mpt``; a bare ``2024`` or ``order 15`` is left alone)
    and spaced-out letters joined (``i g n o r e``)."""
    text = unicodedata.normalize("NFKC", text).translate(ZERO_WIDTH)
    text = fold(text.lower().translate(_HOMOGLYPHS))
    text = _MIXED_TOKEN.sub(_unleet, text)
    return _SPACED_RUN.sub(_unspace, text)


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


# Typographic apostrophes (’ is what iOS and macOS type) read as ASCII ones, so "I’m" is "I'm".
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def normalized(text: str) -> str:
    """Folded text the signal patterns run on (accents, case and apostrophes made uniform)."""
    return fold(text).translate(_APOSTROPHES)


def prompt_injection(text: str) -> bool:
    """Does ``text`` try to override, extract or role-play around the agent's instructions?"""
    if INJECTION.search(normalized(text)):
        return True
    plain = deobfuscated(text)
    return plain != normalized(text) and bool(INJECTION.search(plain))


def human_requested(text: str) -> bool:
    return bool(HUMAN_REQUEST.search(normalized(text)))


# The customer's OWN occupation ("I'm a lawyer", "I'm Anna Smith, a family law attorney", "soy
# abogada", "we are lawyers", "somos un despacho de abogados") or a relative's ("my husband is a
# lawyer", "my wife, an attorney, can't log in") is not a threat: that phrase is removed before
# LEGAL_THREAT looks. A job is not an act: the same relative who is to act on this ("… and he will
# handle this", "my wife, an attorney, will handle this", "mi marido es abogado y se va a
# encargar": ``_RELATIVE_ACTS``, unless it is an errand: "… to update the card") or gives a legal
# opinion ("my wife, an attorney, says you're liable": ``_RELATIVE_OPINION``) escalates, as does
# any lawyer who is to act (``_ACTS``) whatever precedes it, plus "my lawyer", "I'll get a lawyer"
# and every other threat word. A lawyer writing FOR someone ("I am a lawyer representing Mr
# Smith", "soy el abogado del cliente", "my client's account was frozen") is counsel, not a
# customer with a job: ``_FOR_SOMEONE``, ``_AS_COUNSEL`` and any client mention that is not the
# lawyer's own business with the service (``_OWN_CLIENTS``: "I invoice my clients") keep the
# exemption away.
_LAWYER = r"(?:(?:lawyer|attorney|solicitor)s?|abogad[oa]s?)"
# A lawyer about to act or be the subject of a clause: "a lawyer will…", "an attorney already
# has…", "se pondrá en contacto". A self-description is never followed by a verb like these.
_ACTS = (
    r"\s*(?:will|'ll|shall|would|is|are|was|were|has|have|already|va|van|se|ya|tiene|tienen|esta"
    r"|estan|viene|vienen|llevara|llamara|sera|hablara)\b"
)
# A relative who is a lawyer and will act on this: "(, and / who / y / que) (he / she) will handle
# this", "'s going to contact you", "will be contacting you", "se va a encargar", "os llamará".
# Only these acts: "my husband is a lawyer and has a question about billing" or "… y no puede
# entrar" is a customer's sentence, and so is an act whose purpose is ordinary account business
# (``_ERRAND``: "she will call you to update the card", "se va a encargar de pagar la factura").
_MATTER_OBJECT = r"(?:this|it|that|the matter|this matter|the case|my case|everything|you|the complaint)"
_WILL = (
    r"(?:(?:will|'ll|shall) be|will|'ll|shall|can|(?:is|are|'s|'re) (?:going to|gonna|about to|ready to)"
    r"|wants? to|plans? to|intends? to|(?:is|are|'s|'re|has|have) (?:already )?)"
)
_ACT_EN = _any(
    rf"(?:handl\w*|deal\w* with|look\w* into|tak\w* care of)\s+{_MATTER_OBJECT}\b",
    rf"sort\w* (?:{_MATTER_OBJECT} )?out",
    rf"(?:take|taking|taken|took) (?:over|action|{_MATTER_OBJECT} (?:further|up|on))",
    r"(?:contact\w*|call\w*|writ\w* to|wrote to|sue|suing|sued) (?:you|your)",
    r"(?:get|getting|be) in touch|reach\w* out|step\w* in|follow\w* (?:this |it )?up|represent\w* (?:me|us)",
)
_ACT_ES = _any(
    r"se (?:va|van) a (?:encargar|ocupar|poner en contacto)",
    r"(?:va|van) a (?:encargarse|ocuparse|ponerse en contacto|llevar el caso|tomar cartas)",
    r"(?:os|les|le|te|lo|la) (?:va|van) a (?:contactar|llamar|escribir|llevar|reclamar)",
    r"se (?:encarga|encargara|ocupa|ocupara|pondra en contacto|pondran en contacto)",
    r"(?:os|les|le|te) (?:contactara|llamara|escribira)|(?:lo|la) llevara|llevara el caso|tomara cartas",
)
# "… to update the card", "about changing our plan", "para cambiar la tarifa", "de pagar la factura":
# the purpose right after the act, an ordinary errand on the account.
_ERRAND = (
    r"(?![\w'])[\s,]*(?:to|about|regarding|so as to|in order to|para|de|sobre|acerca de)\s+"
    r"(?:(?:updat|upgrad|downgrad|chang|pay|order|buy|purchas|renew|book|add|switch|set\w* up|sign\w* up)\w*"
    r"|(?:cambiar|actualizar|pagar|abonar|comprar|pedir|renovar|contratar|ampliar|anadir|reservar"
    r"|dar de alta)"
    r"(?:l[oae]s?|me|nos|se)?)\b"
)
_RELATIVE_ACTS = (
    r"[\s,.;]*(?:(?:and|who|so|y|que|asi que)\s+)?(?:(?:he|she|they|el|ella)\b\s*)?"
    rf"(?:{_WILL}\s*(?:(?:also|personally|now|then|definitely|certainly|soon)\s+)?{_ACT_EN}|(?:ya\s+)?{_ACT_ES})"
    rf"(?!{_ERRAND})"
)
# A relative lawyer's legal OPINION counts as much as an act: "my wife, an attorney, says you're
# liable", "… and thinks this is illegal", "mi marido es abogado y dice que es un incumplimiento".
_RELATIVE_OPINION = (
    r"[\s,.;]*(?:(?:and|who|so|y|que)\s+)?(?:(?:he|she|they|el|ella)\b\s*)?(?:also\s+|tambien\s+)?"
    r"(?:says?|said|thinks?|thought|believes?|reckons?|claims?|tells? (?:me|us)|told (?:me|us)|insists?"
    r"|dice|dijo|cree|creia|piensa|opina|asegura|sostiene"
    r"|me (?:dice|dijo|ha dicho)|nos (?:dice|dijo|ha dicho))"
    # the same sentence, 80 characters at most; the first-letter class fails fast where no legal
    # word can start (the alternation alone tried at every character doubled the 1 MB worst case)
    r"\b[^.!?\n]{0,80}?\b(?=[abcdefijlnstuv])"
    r"(?:illegal\w*|unlawful\w*|liab\w*|breach\w*|fraud\w*|court|sue|sued|suing|lawsuit|legal action"
    r"|negligen\w*|violat\w*|against the law|ilegal\w*|denunci\w*|incumpl\w*|fraude\w*|estafa\w*"
    r"|abusiv\w*|demand\w*|tribunal\w*|juicio|juzgado|negligencia)\b"
)
# Words right after the lawyer that make them someone's counsel: "representing / acting for / on
# behalf of / for / of …", "del / de la / en nombre de …", "; this is a formal notice". The short
# prepositions need plain spaces and skip the job's own duration or specialty ("a lawyer for a
# living", "of 20 years", "of course"; a bare Spanish "de" is a specialty: "abogado de familia").
_FOR_SOMEONE = (
    r"(?:[\s,;:.-]*(?:representing|who represents?|that represents?|acting (?:for|on behalf of)"
    r"|on behalf of|retained by|instructed by|en nombre de|en representacion de|que representa"
    r"|(?:this is |esta es )?(?:(?:an?|una) )?(?:(?:formal|legal|official|oficial) )*(?:notice|notificacion))"
    r"|\s+(?:for(?!\s+(?:a living|\d|years|over|more than|the (?:past|last)))|of(?!\s+(?:\d|course|years))"
    r"|del|de (?:la|los|las|mis?|nuestr[oa]s?)|de parte de))\b"
)
# Anywhere in the message, these speak as counsel, so no self-description is exempted.
_AS_COUNSEL = re.compile(
    _any(
        r"\b(?:mis?|nuestr[oa]s?) (?:representad[oa]|mandante)s?\b",
        r"\b(?:on behalf of|en nombre de|en representacion de)\b",
        r"\b(?:legal|formal|official) notice\b|\bnotice (?:of|before) action\b|\bletter before action\b",
        r"\bcease and desist\b|\bburofax\b|\brequerimiento (?:formal|extrajudicial|fehaciente)\b",
        r"\bnotificacion (?:formal|legal|oficial|fehaciente)\b",
    )
)
# A lawyer who mentions "my client(s)" / "mi(s) cliente(s)" writes as counsel by default: what
# happened to a client ("my client's account was frozen", "a mi cliente le bloquearon la cuenta")
# is the matter they were retained for, and it takes no demand word to say so. Exempt only a
# mention that is plainly the lawyer's own business with the service (``_OWN_CLIENTS``): clients
# who love / use / pay through the app, the lawyer invoicing, billing or refunding them, or their
# invoices ("I invoice my clients", "mis clientes usan la app", "las facturas de mis clientes").
# Every client mention must be one of those, so "my clients love your app; my client was charged
# twice" is still counsel.
_CLIENTS = r"\b(?:(?:my|our) clients?|(?:mis?|nuestr[oa]s?) client[ae]s?)\b"
_HAS_CLIENTS = re.compile(_CLIENTS)
_PRAISE = (
    r"(?:great|good|excellent|amazing|awesome|fantastic|brilliant|easy|simple|useful|helpful|handy"
    r"|fast|reliable|genial|buen[oa]|excelente|estupend[oa]|facil|util|comod[oa]|rapid[oa]|fiable)"
)
_OWN_CLIENTS = re.compile(
    _any(
        # my clients love / use / pay through your app; … claim your app is great
        r"\b(?:my|our) clients?\s+(?:(?:all|also|really|often|usually|mostly)\s+)?"
        r"(?:love|loves|like|likes|enjoy|enjoys|use|uses|prefer|prefers|recommend|recommends"
        r"|(?:pay|pays) (?:me |us )?(?:through|with|via|using|by|on|in)"
        r"|(?:say|says|claim|claims|think|thinks|find|finds|tell me|tell us) (?:that )?"
        r"(?:your|the|this) (?:\w+ ){0,2}?(?:is|are|'s) (?:(?:so|very|really|super) )?" + _PRAISE + r")\b",
        # my clients get no notifications / reminders: plural clients and what the lawyer sends them
        # through the service is the lawyer's own account question
        r"\b(?:my|our) clients\s+(?:(?:do not|don't|never|are not|aren't|no longer)\s+)?"
        r"(?:get|getting|receive|receiving)\s+(?:no |any |the |my |our )?"
        r"(?:notifications|reminders|e-?mails|messages|invoices)\b",
        # my clients (were) billed / invoiced by me
        r"\b(?:my|our) clients?\s+(?:are|were|is|was|get|got) (?:\w+ )?(?:billed|invoiced|charged|paid"
        r"|refunded) by (?:me|us)\b",
        # I invoice / bill / need to refund my clients (no "you" between: "I want you to refund my
        # client" is a demand)
        r"\b(?:i|we)\s+(?:(?!you\b)[\w']+\s+){0,3}?(?:invoice|bill|charge|refund|reimburse|pay|email|send"
        r"|serve|advise|help|onboard)\s+(?:\w+\s+){0,2}?(?:(?:to|for)\s+)?(?:my|our) clients?\b",
        # mis clientes usan / pagan con / me pagan / les encanta la app
        r"\b(?:mis|nuestr[oa]s) client[ae]s\s+(?:tambien\s+)?(?:usan|utilizan|pagan|me pagan|nos pagan"
        r"|prefieren|recomiendan)\b",
        r"\ba (?:mis|nuestr[oa]s) client[ae]s\s+(?:les|le) (?:encanta|gusta)\b",
        # facturo / cobro / envío a mis clientes; las facturas de mis clientes
        r"\b(?:factur\w*|cobr(?:o|amos|ar)|cargo|cargamos|cargar|envio|enviamos|enviar|devolver|devuelvo"
        r"|reembolsar|reembolso)\s+(?:\w+\s+){0,2}?a (?:mis?|nuestr[oa]s?) client[ae]s?\b",
        r"\b(?:facturas?|recibos?|presupuestos?) (?:de|a|para) (?:mis|nuestr[oa]s) client[ae]s\b",
    )
)
# Up to three modifiers between the article and the noun ("a family law attorney") but none that
# starts another noun phrase or clause ("I'm a customer who hired a lawyer" is not a self-description).
_MODIFIERS = (
    r"(?:(?!(?:an?|the|my|our|your|his|her|their|un[ao]?|el|la|mi|mis|nuestr[oa]s?|and|y|but|who|que)\b)"
    r"[a-z-]+\s+){0,3}"
)
_ARTICLE = r"(?:an?|the|un[ao]?|el|la|los|las)\s+"
_NAME = r"(?:[a-z-]+(?:\s+[a-z-]+){0,2},\s*)?"
_RELATIVE = (
    r"(?:wife|husband|partner|brother|sister|mother|father|mum|mom|dad|son|daughter|friend|marido|mujer"
    r"|esposo|esposa|pareja|hermano|hermana|madre|padre|hijo|hija|amigo|amiga|novio|novia)"
)
_SELF_AS_LAWYER = re.compile(
    _any(
        # "I'm (Anna Smith,) a (family law) lawyer", "I work as an attorney", "we are lawyers"
        rf"\b(?:i am|i'm|im|i work as|we are|we're|soy|yo soy|trabajo como|somos|trabajamos como"
        rf"|trabajo en|trabajamos en)\s+{_NAME}(?:{_ARTICLE}{_MODIFIERS})?{_LAWYER}\b",
        # "As a lawyer, …", "Como abogada, …": only with the comma ("as a lawyer would" is not one)
        rf"\b(?:as|como)\s+(?:(?:an?|un[ao])\s+)?{_MODIFIERS}{_LAWYER}(?=\s*,)",
        # "my husband is a lawyer", "mi marido es abogado", "my wife, (who is) an attorney," — unless
        # that relative is the one to act on this
        rf"\b(?:my|mi)\s+{_RELATIVE}(?:\s+(?:is|es|trabaja como|works as)\s+|\s*,\s*(?:who is\s+|que es\s+)?)"
        rf"(?:{_ARTICLE}{_MODIFIERS})?{_LAWYER}\b(?!{_RELATIVE_ACTS}|{_RELATIVE_OPINION})",
    )
    + rf"(?!{_ACTS})(?!{_FOR_SOMEONE})"
)


def _speaks_as_counsel(plain: str) -> bool:
    if _AS_COUNSEL.search(plain):
        return True
    return "client" in plain and bool(_HAS_CLIENTS.search(_OWN_CLIENTS.sub(" ", plain)))


def legal_threat(text: str) -> bool:
    plain = normalized(text)
    if not _speaks_as_counsel(plain):
        plain = _SELF_AS_LAWYER.sub(" ", plain)
    return bool(LEGAL_THREAT.search(plain))


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
