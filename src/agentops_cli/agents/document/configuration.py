"""What the document agent knows as data: types, field sets, jurisdictions, risk severities,
and the per-run context handed to the graph's nodes.

Kept apart from the logic so a reviewer (legal, finance) can read and change the field
sets and the risk policy without reading regular expressions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from agentops_cli.config import Settings
    from agentops_cli.llm.base import AgentLLM

DocType = Literal["contract", "terms", "proposal", "policy", "invoice", "other"]
DOC_TYPES: tuple[str, ...] = ("contract", "terms", "proposal", "policy", "invoice", "other")
REQUESTABLE_TYPES: tuple[str, ...] = ("auto", "contract", "terms", "proposal", "policy", "invoice")

FieldKind = Literal["date", "money", "duration", "parties", "text", "canonical"]


@dataclass(frozen=True)
class FieldSpec:
    """One field of a document type: its kind decides how it is normalised and grounded."""

    name: str
    kind: FieldKind
    description: str


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "contract": (
        FieldSpec("parties", "parties", "legal names of the contracting parties"),
        FieldSpec("effective_date", "date", "date the contract takes effect or the services commence"),
        FieldSpec(
            "expiration_date",
            "date",
            "date the initial term ends: stated, or computed from the effective date and the term",
        ),
        FieldSpec("term", "duration", "initial duration, e.g. twelve (12) months"),
        FieldSpec(
            "renewal", "canonical", "automatic | option (one party may extend) | mutual agreement | none"
        ),
        FieldSpec("total_value", "money", "total or annual contract value with its currency"),
        FieldSpec("payment_terms", "canonical", "days to pay an invoice, as 'net N'"),
        FieldSpec("governing_law", "canonical", "jurisdiction whose law governs the contract"),
        FieldSpec("termination_notice", "duration", "notice period to terminate or not renew"),
        FieldSpec("renewal_notice", "duration", "notice needed to stop an automatic renewal or extension"),
        FieldSpec(
            "liability_cap",
            "canonical",
            "limit of liability: an amount, 'N months of fees', 'fees paid', 'total contract value' "
            "or 'unlimited'",
        ),
    ),
    # Terms of service / use and general conditions: one party writes them, the user accepts.
    "terms": (
        FieldSpec("provider", "text", "company that offers the service and wrote the terms"),
        FieldSpec("governing_law", "canonical", "jurisdiction whose law governs the terms"),
        FieldSpec("liability_cap", "canonical", "limit of the provider's liability"),
        FieldSpec("auto_renewal", "canonical", "whether the plan or subscription renews automatically"),
        FieldSpec(
            "termination_at_will", "canonical", "the provider may suspend or end the service at any time"
        ),
        FieldSpec("unilateral_changes", "canonical", "the provider may change the terms on its own"),
        FieldSpec("data_retention", "duration", "how long user data is kept"),
    ),
    "proposal": (
        FieldSpec("vendor", "text", "company making the proposal"),
        FieldSpec("client", "text", "organisation the proposal is addressed to"),
        FieldSpec("proposal_date", "date", "date of the proposal"),
        FieldSpec("price", "money", "total price proposed, with currency"),
        FieldSpec("timeline", "duration", "time to deliver the engagement"),
        FieldSpec("valid_until", "date", "last day the offer is valid"),
    ),
    "policy": (
        FieldSpec("title", "text", "name of the policy"),
        FieldSpec("owner", "text", "role or team that owns the policy"),
        FieldSpec("scope", "text", "who and what the policy applies to"),
        FieldSpec("effective_date", "date", "date the policy takes effect"),
        FieldSpec("review_date", "date", "next review date"),
        FieldSpec("version", "text", "version number"),
    ),
    "invoice": (
        FieldSpec("invoice_number", "text", "invoice number or identifier"),
        FieldSpec("issuer", "text", "company issuing the invoice"),
        FieldSpec("customer", "text", "company billed"),
        FieldSpec("issue_date", "date", "invoice date"),
        FieldSpec("due_date", "date", "payment due date"),
        FieldSpec("total", "money", "total amount due, with currency"),
    ),
    "other": (),
}


def field_specs(doc_type: str) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in FIELDS.get(doc_type, ())}


# Canonical jurisdiction → patterns (English and Spanish forms). Order matters only for ties.
JURISDICTIONS: dict[str, tuple[str, ...]] = {
    "England and Wales": (
        r"England and Wales",
        r"\bEnglish law\b",
        r"laws of England",
        r"Inglaterra y Gales",
    ),
    "Scotland": (r"\bScotland\b", r"\bScots law\b"),
    "New York": (r"State of New York", r"\bNew York\b"),
    "Delaware": (r"\bDelaware\b(?=[^.]{0,40}\blaw)|State of Delaware",),
    "California": (r"State of California",),
    "Texas": (r"State of Texas",),
    "Spain": (r"\bEspaña\b", r"\bespañol[a]?\b", r"\bSpain\b", r"\bSpanish\b"),
    "Norway": (r"\bNorway\b", r"\bNorwegian\b", r"\bNoruega\b"),
    "Germany": (r"\bGermany\b", r"\bGerman law\b", r"\bAlemania\b", r"\balemana\b"),
    "France": (r"\bFrance\b", r"\bFrench law\b", r"\bFrancia\b", r"\bfrancesa\b"),
    "Ireland": (r"\bIreland\b", r"\bIrish law\b", r"\bIrlanda\b"),
    "Netherlands": (r"\bthe Netherlands\b", r"\bDutch law\b", r"\bPaíses Bajos\b"),
    "Portugal": (r"\bPortugal\b", r"\bportuguesa\b"),
    "Mexico": (r"\bMexico\b", r"\bMéxico\b", r"\bmexicana\b"),
    "Switzerland": (r"\bSwitzerland\b", r"\bSwiss law\b", r"\bSuiza\b"),
    "Cayman Islands": (r"Cayman Islands", r"Islas Caimán"),
    "British Virgin Islands": (r"British Virgin Islands", r"Islas Vírgenes Británicas"),
    "Panama": (r"\bPanama\b", r"\bPanamá\b"),
    "Seychelles": (r"\bSeychelles\b",),
    "Bermuda": (r"\bBermuda\b",),
    "Bahamas": (r"\bBahamas\b",),
    "Marshall Islands": (r"Marshall Islands",),
}

_PLACE_NAMES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
    "District of Columbia", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa",
    "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota",
    "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey",
    "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon",
    "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah",
    "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
    "Ontario", "British Columbia", "Alberta", "Quebec", "Victoria", "New South Wales",
    "England and Wales", "England", "Wales", "Scotland", "Ireland", "Canada", "Australia", "Singapore",
    "Hong Kong", "Japan", "India", "Israel", "Taiwan", "Korea", "Germany", "France", "Italy",
    "Switzerland", "Sweden", "Norway", "Denmark", "Finland", "Belgium", "Luxembourg", "Austria", "Spain",
    "Portugal", "Mexico", "Brazil", "Argentina", "Chile", "Colombia", "Peru", "China",
    "People's Republic of China", "Netherlands", "Cayman Islands", "British Virgin Islands",
    "Bermuda", "Bahamas", "Panama", "Seychelles", "Marshall Islands",
)  # fmt: skip
_SPANISH_PLACES = {
    "Nueva York": "New York", "España": "Spain", "México": "Mexico", "Méjico": "Mexico", "Perú": "Peru",
    "Alemania": "Germany", "Francia": "France", "Italia": "Italy", "Suiza": "Switzerland",
    "Irlanda": "Ireland", "Inglaterra": "England", "Países Bajos": "Netherlands", "Holanda": "Netherlands",
    "Brasil": "Brazil", "Japón": "Japan", "Canadá": "Canada", "Panamá": "Panama", "Bélgica": "Belgium",
    "Noruega": "Norway",
}  # fmt: skip
# Places a "laws of …" phrase may name, as the answer reads them; Spanish names map to the
# English one. Anything else after "laws of the State of" is kept only when written in capitals.
PLACES: dict[str, str] = {**{name: name for name in _PLACE_NAMES}, **_SPANISH_PLACES}

# Offshore or rarely used jurisdictions for commercial contracts: worth a lawyer's look.
UNUSUAL_JURISDICTIONS: frozenset[str] = frozenset(
    {
        "Cayman Islands",
        "British Virgin Islands",
        "Panama",
        "Seychelles",
        "Bermuda",
        "Bahamas",
        "Marshall Islands",
    }
)

RISK_TYPES: tuple[str, ...] = (
    "auto_renewal",
    "unlimited_liability",
    "missing_liability_cap",
    "one_sided_termination",
    "long_notice_period",
    "penalties",
    "exclusivity",
    "non_compete",
    "unusual_governing_law",
    "missing_signature_block",
    "unilateral_changes",
)

Severity = Literal["low", "medium", "high"]
RISK_SEVERITY: dict[str, Severity] = {
    "auto_renewal": "medium",
    "unlimited_liability": "high",
    "missing_liability_cap": "medium",
    "one_sided_termination": "high",
    "long_notice_period": "medium",
    "penalties": "medium",
    "exclusivity": "medium",
    "non_compete": "high",
    "unusual_governing_law": "medium",
    "missing_signature_block": "low",
    "unilateral_changes": "medium",
}

# Notice periods at least this long (days) are flagged; twice as long is high severity.
LONG_NOTICE_DAYS = 90

CLAUSE_TYPES: tuple[str, ...] = (
    "term",
    "renewal",
    "payment",
    "liability",
    "termination",
    "governing_law",
    "confidentiality",
    "exclusivity",
    "non_compete",
    "penalties",
    "intellectual_property",
    "data_protection",
    "warranty",
    "scope",
)


@dataclass
class DocumentContext:
    """Run-scoped dependencies of the graph (LangGraph ``context``): not part of the state,
    so nothing un-serialisable travels between nodes."""

    llm: AgentLLM
    settings: Settings
    root: str | None = None
    requested_type: str = "auto"
    progress: Callable[[int, int], None] | None = None


# The word "exclusive" that does not make anything exclusive: boilerplate ("exclusive
# jurisdiction", "sole and exclusive remedy", "exclusively governed by"), a negation
# ("non-exclusive", "nothing … an exclusive arrangement") or a recital. Read by the exclusivity
# risk rule and by the learned clause finder alike, so both skip the same sentences.
EXCLUSIVITY_BOILERPLATE = (
    r"exclusive\s+(?:of|jurisdiction|remed|venue|forum|property|owner|responsib|right\s+to\s+(?:terminate|control))|"
    r"exclusiva\s+jurisdicci|excluding|non-?\s?exclusiv|no\s+exclusiv|exclusively\s+(?:governed|by|for|in)|"
    r"sole\s+and\s+exclusive\s+(?:remed|right|liabilit|obligation)|exclusive\s+and\s+sole|tribunales|"
    r"\b(?:no|not|nothing|neither|nor|without)\b[^.;]{0,60}exclusiv|^\W*WHEREAS\b|"
    # another deal ("pursuant to that certain … Agreement"), or exclusivity kept back to grant others
    r"\bthat\s+certain\b|reserves?\s+the\s+right\s+to\s+(?:grant|appoint)[^.;]{0,80}exclusiv|"
    r"se\s+reserva\s+el\s+derecho\s+(?:a|de)\s+(?:conceder|otorgar|nombrar|designar)[^.;]{0,80}exclusiv|"
    # who a benefit or a thing belongs to, or what money or an activity is for, not whom one deals
    # with: "inures exclusively to the benefit of", "belongs exclusively to", "used exclusively to
    # meet the costs", "confined exclusively to operating the business", "the exclusive purpose"
    r"\b(?:inures?|belongs?|used|applied|spent|confined|dedicated|devoted)\b[^.;]{0,80}?exclusively\s+(?:to|for)\b|"
    r"exclusive\s+(?:purpose|benefit)|exclusivamente\s+en\s+(?:beneficio|provecho)|"
    r"\b(?:pertenec|destinad|utilizad|empleado|dedicad)\w*[^.;]{0,60}?exclusivamente\s+(?:a|para)\b|"
    # a right to act against third parties ("the exclusive right, but not the obligation, to prosecute
    # and enforce the patents"): who enforces, not with whom the parties may trade
    r"exclusive\s+right\w*(?:\s*,[^,;]{0,40},)?\s+(?:and\s+\w+\s+)?to\s+(?:prosecut|enforc|defend|bring|institut|sue|"
    r"settle|file|maintain|take\s+(?:any\s+)?(?:legal\s+)?action)"
)
# Mentions of exclusivity that point elsewhere: the title of a document ("the Exclusive Supply
# Agreement"), a cross-reference to a clause by its heading ("Clause 3.5 (Exclusivity)") or to
# where the exclusivity is set out ("the exclusive arrangement set forth in Section 4"). They are
# blanked out before the exclusivity rules read a sentence: the clause they point to is read on
# its own, and a sentence that also grants exclusivity in its own words still counts.
EXCLUSIVITY_REFERENCES = (
    r"(?-i:\b(?:Exclusive|EXCLUSIVE)(?:\s+(?:[A-Z][\w&-]*|and|of|y|de))*?\s+(?:Agreement|AGREEMENT|Contract|CONTRACT|Contrato|CONTRATO)\b)|"
    r"(?:section|clause|article|paragraph|cl[aá]usula|secci[oó]n|art[ií]culo|apartado)\s+\d[\d.]*\w?\s*"
    r"\(\s*exclusiv\w*\s*\)|"
    r"exclusiv\w*(?:\s+[\w-]+){0,4}\s+(?:(?:set\s+forth|described|referred\s+to|provided\s+for)\s+in|"
    r"(?:previst|establecid|descrit|indicad)[oa]s?\s+en)\s+(?:the\s+|la\s+|el\s+)?"
    r"(?:section|clause|article|paragraph|cl[aá]usula|secci[oó]n|art[ií]culo|apartado)"
)
# Compete-words that promise nothing: "competitive" as in price ("cannot provide competitive
# terms", "precios competitivos") and a description that leaves both open ("products that may or
# may not compete with X", "puedan o no competir"). Read by the non-compete risk rule and by the
# learned clause finder alike.
NON_COMPETE_NOT_A_PROMISE = (
    r"competitiv[eo]s?\s+(?:terms|pric\w*|rates?|quot\w*|bids?|offers?|fees?)|"
    r"(?:precios?|condiciones|tarifas|ofertas?)\s+competitiv[oa]s|"
    r"\bor\s+(?:may\s+|might\s+|does\s+|do\s+|will\s+)?not\s+compete|whether\s+or\s+not\b[^.;]{0,60}compet|"
    r"\bpuedan?\s+o\s+no\s+competir"
)

# What the learned clause finder must also read in a sentence before it counts for these CUAD
# categories (clause_model._MUST_SAY): general legal structure, English and Spanish.
#
# Uncapped liability is a carve-out from a limitation ("the foregoing limitations shall not apply
# to …", "except for breach of confidentiality", "excluded from these limitations", "nothing …
# limits liability for fraud") or liability said to be unlimited. A sentence that only limits or
# excludes liability ("neither party shall be liable for consequential damages") caps it.
UNCAPPED_CARVE_OUT = (
    r"\bnot\W+(?:\w+\W+){0,2}?apply|\bin\s+no\s+(?:event|case)\W+(?:\w+\W+){0,2}?apply|"
    r"(?:shall|will)\s+not\s+(?:limit|include)|nothing\b[^.;]{0,100}\b(?:limit|exclude|restrict)|"
    r"\bexcept\b|\bexcluding\b|\bexclusions?\s+of\b|excluded\s+from|\bother\s+than\b|\bsave\s+(?:for|in|where)\b|"
    r"unlimited|without\s+limit|no\s+limit|not\s+be\s+(?:limited|capped)|not\s+(?:be\s+)?subject\s+to|"
    r"in\s+excess\s+of|\bsalvo\b|\bexcepto\b|excepci[oó]n|ilimitad|sin\s+l[ií]mite|"
    r"no\s+ser[aá]n?\s+de\s+aplicaci|no\s+se\s+aplicar"
)
# ... read once the words that only sound like a carve-out are blanked out: a list connector
# ("including, but not limited to", "without limitation") or a reference to the rest of the contract
# ("except as otherwise set forth in this Agreement").
UNCAPPED_NOT_A_CARVE_OUT = (
    r"(?:including|includes|include)\W+(?:but\s+)?(?:not\s+limited\s+to|without\s+limitation)|"
    r"without\s+(?:the\s+)?limitation|not\s+limited\s+to|"
    r"except\s+as\s+(?:otherwise\s+)?(?:expressly\s+)?(?:set\s+forth|provided|stated|permitted)|"
    r"incluid[oa]s?,?\s+(?:pero\s+)?sin\s+(?:car[aá]cter\s+)?limitaci[oó]n|sin\s+limitaci[oó]n"
)
# A non-compete restricts *business*: a restriction whose object is something else — soliciting or
# hiring staff or customers, confidential information, buying the other side's shares (a standstill),
# reverse engineering, trademarks, endorsing or sponsoring — is another clause unless the sentence
# also speaks of competing ("compet…", Spanish "compit…" as in "compitan"). Written as
# "compete-words, or none of those other objects".
NON_COMPETE_SUBJECT = (
    r"compet|compit|\A(?![\s\S]*(?:solicit|recruit|\bhire|\bemploy|confidential|disclos|trade\s+secret|"
    r"beneficial\s+owner|voting\s+securit|securities|reverse\s+engineer|de-?compile|modify|trademark|"
    r"\bmarks?\b|endorse|sponsor|advertis|contrat\w+\s+(?:a\s+)?(?:emplead|trabajador)|informaci[oó]n\s+confidencial|"
    r"marcas?\b|patrocin|publicidad))"
)
# ... and it is no promise when the sentence frees a party to compete ("each party may develop
# competitive products", "shall be free to …"), describes a party's ability to compete (a list of
# representations), or is a table-of-contents line.
NON_COMPETE_FREEDOM = (
    r"\.{5,}|\bmay\s+(?!not\b)(?:[\w-]+,?\s+){0,8}?compet\w*\s+(?:products|services|business)|"
    r"\bfree\s+(?:and\s+without\s+restriction\s+)?to\b|ability\s+(?:of\s+\w+\s+)?to\s+compete|"
    r"\bpodr[aá]n?\s+(?!no\b)(?:\w+,?\s+){0,8}?(?:productos|servicios)\s+competidores|libre\s+de\s+competir"
)
# A change-of-control clause gives the other side a say (consent, notice, termination) when control
# changes. Not one: a change of control declared no assignment, assignment *allowed* without consent
# on a merger or to a successor, an insolvency event ("assignment for the benefit of creditors"), a
# definition ("'Sale Transaction' means …", at the head of its sentence: a right that defines its
# term inline still gives a say) — the clause that uses it is read on its own.
CHANGE_OF_CONTROL_NO_SAY = (
    r"shall\s+not\s+(?:be\s+)?(?:considered|deemed|construed|treated)\s+(?:to\s+be\s+|as\s+)?an?\s+(?:assignment|transfer)|"
    r"no\s+(?:such\s+)?consent\s+(?:shall|will|is)\s+(?:be\s+)?(?:required|necessary|needed)|"
    r"\bmay\s+(?!not\b)(?:[\w-]+\s+){0,3}?(?:assign|transfer)\b[^.;]{0,150}?\bwithout\b[^.;]{0,60}?consent|"
    r"\bmay\s+(?!not\b)(?:[\w-]+\s+){0,3}?assign\w*\s+(?:this|the|its|such)\b[^.;]{0,80}?\bto\s+(?:a|an|any|its|the)\s+"
    r"(?:successor|acquir|purchaser|surviving)|"
    r"(?:for\s+the\s+benefit|on\s+behalf)\s+of\s+(?:all\s+or\s+)?(?:substantially\s+all\s+of\s+)?(?:its\s+|their\s+)?creditors|"
    r"^[^.;]{0,80}?(?:[\"“][^\"”]{1,60}[\"”]\s+(?:shall\s+)?means?\b|\bshall\s+mean\b)|"
    r"no\s+(?:se\s+)?(?:considerar[aá]|tendr[aá]\s+la\s+consideraci[oó]n\s+de)\s+(?:una\s+)?cesi[oó]n|"
    r"podr[aá]\s+ceder\b[^.;]{0,150}?\bsin\b[^.;]{0,60}?consentimiento|^[^.;]{0,80}?(?:significa|se\s+entender[aá]\s+por)\b"
)
# A most-favoured-nation clause compares *this* party's terms with what others get: "most favoured
# customer", "no less favourable than those offered to any other customer", "the lowest price charged
# to …", "terms more favourable than those in this Agreement" (then offered to it). Not one: a right of
# first refusal ("may sell to a third party on terms no more favourable than those offered to X"),
# arm's-length dealings ("no less favourable than would be available from unaffiliated parties").
MOST_FAVOURED_TERMS = (
    r"most\s+favou?red|m[aá]s\s+favorecid|at\s+least\s+as\s+favou?rabl|"
    r"(?:lowest|best)\s+(?:net\s+)?(?:price|pricing|rate|fee|royalt|terms)\w*\s+(?:\w+\s+){0,4}?"
    r"(?:charged|offered|granted|given|available|extended|provided|quoted|paid)|"
    r"(?:favou?rabl\w*|higher|lower|better|greater|less|more)\b[^.;]{0,40}?\bthan\b[^.;]{0,80}?"
    r"\b(?:offered|granted|given|available|charged|provided|extended|quoted|made|treats?|pays?)\b[^.;]{0,40}?"
    r"\b(?:to|by|for|with)\s+(?:any|its|their|all|an?|other|another|similarly)\b[^.;]{0,25}?"
    r"(?:customer|client|licensee|distributor|purchaser|buyer|reseller|user|third\s+part|person|entit|partner|"
    r"dealer|vendor|suppl)|"
    r"more\s+favou?rable\s+(?:\w+\s+){0,3}?than\s+(?:those|the\s+terms?|that)\s+(?:\w+\s+){0,3}?(?:in|under)\s+"
    r"this\s+(?:agreement|contract)|"
    r"(?:no\s+menos|m[aá]s)\s+favorables\s+que\s+(?:\w+\s+){0,6}?(?:otros|otras|terceros|cualquier|el\s+presente|este)|"
    r"(?:precio|tarifa)s?\s+m[aá]s\s+baj[oa]s?\s+(?:\w+\s+){0,4}?(?:ofrecid|aplicad|cobrad|concedid)"
)
