"""What a sentence must say before the learned clause finder counts it (issue 17, CUAD part A).

The classifier scores the words it saw *near* real clauses, so a consequential-damages exclusion
passes for uncapped liability, a non-solicit for a non-compete, a merger carve-out of an
assignment clause for change of control, a right of first refusal for most favoured nation.
``clause_model.admissible`` reads the legal structure instead. Every sentence below was written
for these tests (English and Spanish), none is taken from a contract.
"""

from __future__ import annotations

import pytest

from agentops_cli.agents.document import clause_model, risks
from agentops_cli.agents.document.segment import sentences

_SAYS_IT: dict[str, tuple[str, ...]] = {
    # uncapped liability: a carve-out from the limitation, or liability left unlimited
    "uncapped_liability": (
        "The limitations in this Section 9 shall not apply to a party's indemnification obligations.",
        "Except for breach of confidentiality, neither party's "
        "aggregate liability shall exceed the fees paid.",
        "Claims for fraud or wilful misconduct are excluded from these limitations of liability.",
        "This limitation does not, however, apply to amounts owed for the Services.",
        "Nothing in this Agreement limits or excludes liability for death or personal injury.",
        "Las limitaciones de esta cláusula no serán de aplicación en caso de dolo o culpa grave.",
        "La responsabilidad del Proveedor por infracción de derechos de terceros será ilimitada.",
    ),
    # non-compete: a restriction on doing business, or one that speaks of competing
    "non_compete": (
        "During the term Distributor shall not manufacture or sell "
        "any products that compete with the Products.",
        "For two years Seller shall not engage in the catering business within ten miles of the Premises.",
        "Consultant shall not solicit customers for, or work for, "
        "any business that competes with the Company.",
        "Durante la vigencia, el Distribuidor no podrá comercializar "
        "productos que compitan con los Productos.",
    ),
    # change of control: the other side gets a say (termination, consent, notice)
    "change_of_control": (
        "If Supplier undergoes a change of control, Buyer may "
        "terminate this Agreement on thirty days' notice.",
        "Any merger of Licensee or sale of a majority of its voting "
        "shares requires Licensor's prior written consent.",
        "Si el Proveedor sufre un cambio de control, el Cliente podrá "
        "resolver el contrato con treinta días de preaviso.",
        # a right that defines its term inline still gives a say
        "Supplier may terminate this Agreement on notice if Buyer undergoes a Change of Control, where "
        '"Change of Control" means the acquisition of more than half of its voting shares.',
    ),
    # most favoured nation: this party's terms compared with what others get
    "most_favored_nation": (
        "The prices charged to Buyer shall be no less favorable than "
        "the prices offered to any other customer.",
        "Supplier shall treat Buyer as its most favored customer for all Products.",
        "Licensee shall pay the lowest royalty rate granted by Licensor to any other licensee.",
        "If Licensor grants a third party terms more favourable than "
        "those in this Agreement, Licensee may adopt them.",
        "El Proveedor aplicará al Cliente condiciones no menos "
        "favorables que las ofrecidas a cualquier otro cliente.",
    ),
}

_NEARBY_WORDS_ONLY: dict[str, tuple[str, ...]] = {
    # an exclusion or a cap with no carve-out caps liability; list connectors are no carve-out
    "uncapped_liability": (
        "Neither party shall be liable for indirect or consequential "
        "damages, including, without limitation, lost profits.",
        "Except as otherwise set forth in this Agreement, in no event "
        "shall either party be liable for lost revenue.",
        "Notwithstanding anything to the contrary, neither party shall be liable for punitive damages.",
        "The limitations of liability set forth in this Section 9 shall apply to all claims under "
        "this Agreement.",
        "Ninguna de las partes responderá del lucro cesante, incluidos, sin limitación, la pérdida de datos.",
    ),
    # non-solicit, confidentiality, standstill, freedom to compete, price competitiveness, contents lines
    "non_compete": (
        "During the term and for one year after it, Consultant shall not "
        "solicit or hire any employee of the Company.",
        "For three years neither party will use or disclose the other party's Confidential Information.",
        "During the Standstill Period, Investor shall not acquire beneficial "
        "ownership of any voting securities of the Company.",
        "Each party may develop, acquire or market competitive products and services as it chooses.",
        "Vendor shall be free to sell any products, including products "
        "that may or may not compete with the Units.",
        "If Maker cannot provide competitive terms within ten days, "
        "Buyer may award the order to another maker.",
        "Non-Competition ............................................ 14",
        "Durante la vigencia, el Consultor no contratará a empleados de la "
        "Sociedad ni revelará información confidencial.",
    ),
    # change of control with no say: no assignment, assignment allowed, insolvency, a definition
    "change_of_control": (
        "A change of control of the Supplier shall not be deemed an assignment of this Agreement.",
        "Either party may assign this Agreement without the other "
        "party's consent in connection with a merger.",
        "Neither party may assign this Agreement, except that either "
        "party may assign it to a successor by merger.",
        "Either party may terminate if the other makes an assignment for "
        "the benefit of substantially all of its creditors.",
        '"Sale Event" means a merger or the sale of all or substantially all of the assets of a party.',
        "Un cambio de control del Proveedor no se considerará cesión del presente contrato.",
    ),
    # "no more / no less favourable" that compares with no other customer
    "most_favored_nation": (
        "Owner may sell the shares to a third party on terms no more "
        "favourable than those offered to the Holder.",
        "Dealings with Affiliates shall be on terms no less favorable "
        "than would be available from unaffiliated parties.",
        "Franchisor will not ask a franchisee to accept terms less "
        "favorable than those in this disclosure document.",
    ),
}


@pytest.mark.parametrize(("kind", "sentence"), [(k, s) for k, group in _SAYS_IT.items() for s in group])
def test_a_sentence_that_says_the_clause_is_admissible(kind: str, sentence: str) -> None:
    assert clause_model.admissible(kind, sentence)


@pytest.mark.parametrize(
    ("kind", "sentence"), [(k, s) for k, group in _NEARBY_WORDS_ONLY.items() for s in group]
)
def test_the_words_near_a_clause_are_not_the_clause(kind: str, sentence: str) -> None:
    assert not clause_model.admissible(kind, sentence)


def test_the_carve_out_is_read_after_list_connectors_are_blanked() -> None:
    said = clause_model.said_here("uncapped_liability", "damages, including, without limitation, lost data")
    assert "limitation" not in said and "lost data" in said
    connector = "including, without limitation"
    assert clause_model.said_here("anti_assignment", connector) == connector


def test_categories_without_a_rule_are_admissible_as_scored() -> None:
    assert clause_model.admissible("audit_rights", "Neither party shall be liable for consequential damages.")


def test_the_filter_keeps_the_model_from_reporting_nearby_words() -> None:
    """Sentences the shipped model scores past their category's threshold never become clauses of
    that type: the filter, not a low score, keeps them out."""
    model = clause_model.active()
    assert model is not None
    text = " ".join(sentence for group in _NEARBY_WORDS_ONLY.values() for sentence in group)
    units = [(u.start, u.end) for u in sentences(text)]
    raw = model.scores([text[s:e] for s, e in units])
    would_pass = {
        (clause_model.slug(category), units[i])
        for c, category in enumerate(model.categories)
        for i in (raw[:, c] >= model.thresholds[c]).nonzero()[0]
        if clause_model.slug(category) in _NEARBY_WORDS_ONLY
    }
    assert len(would_pass) >= 3  # the model alone would report several of them
    found = {(kind, (start, end)) for kind, start, end, _ in clause_model.find_clauses(text, units)}
    assert not would_pass & found, sorted(would_pass & found)


@pytest.mark.parametrize(
    "sentence",
    [
        "If Maker cannot provide competitive terms within ten (10) days, Buyer may award the work elsewhere.",
        "Vendor shall be free to sell any products, including products that may or may not compete with it.",
        "El Agente no podrá ofrecer precios competitivos a terceros sin autorización previa del Principal.",
    ],
)  # fmt: skip
def test_non_compete_risk_needs_a_promise_not_to_compete(sentence: str) -> None:
    assert "non_compete" not in {r.type for r in risks.clauses_and_risks(sentence, "contract").risks}


@pytest.mark.parametrize(
    "sentence",
    [
        "During the term, Agent agrees not to compete with the Principal in the Territory.",
        "Supplier shall not manufacture or sell to any other retailer tiles that compete with the Range.",
        "Durante la vigencia del contrato, el Agente no podrá competir con el Principal en la Zona.",
        "Durante un año, el Proveedor no podrá fabricar ni comercializar para terceros en España "
        "productos que compitan con la gama del Cliente.",
    ],
)
def test_a_promise_not_to_compete_is_still_a_risk(sentence: str) -> None:
    assert "non_compete" in {r.type for r in risks.clauses_and_risks(sentence, "contract").risks}
