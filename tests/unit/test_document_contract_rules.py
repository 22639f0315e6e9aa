"""The failures issue 17 found on real contracts, each pinned by a sentence written for this test
(none copied from CUAD): EDGAR stamps, "day of" dates, cap formulas, renewal worded as an
extension or an option, party names, governing law beyond a list and under negation,
exclusivity false positives, expiration computed from the term; terms of service."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.agents.document import canonical, clause_model, contract_rules, offline, risks
from agentops_cli.agents.document.configuration import field_specs
from agentops_cli.agents.document.grounding import Grounder
from agentops_cli.agents.document.normalize import find_dates
from agentops_cli.agents.document.schemas import Quoted
from agentops_cli.agents.document.segment import companies, sentences
from agentops_cli.agents.runner import run_agent
from agentops_cli.config import Settings


def test_edgar_stamp_is_never_the_effective_date() -> None:
    text = (
        "Source: ORBITAL TOOLS INC, 8-K, 4/18/2017\n\nSUPPLY AGREEMENT\n\nThis Supply Agreement is "
        "dated as of March 3, 2016 between Orbital Tools Inc. and Pine Ridge LLC.\n"
    )
    effective = contract_rules.effective_date(text, "en-us")
    assert effective is not None and find_dates(effective.quote, "en-us")[0].value == "2016-03-03"


def test_defined_effective_date_wins_over_signing_date() -> None:
    text = (
        "This Agreement is entered into on October 1, 2019 and is made effective as of November 1, 2019 "
        '(the "Effective Date") by and between Alder Works Inc. ("Alder") and Birch Data LLC ("Birch").'
    )
    effective = contract_rules.effective_date(text, "en-us")
    assert effective is not None and effective.quote == "November 1, 2019"


@pytest.mark.parametrize(
    ("text", "iso"),
    [("made this 15th day of June, 2005", "2005-06-15"), ("July 11 , 2006", "2006-07-11")],
)
def test_edgar_date_forms(text: str, iso: str) -> None:
    assert [f.value for f in find_dates(text, "en-us")] == [iso]


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("Liability hereunder is limited to one (1) month's fees.", "1 months of fees"),
        ("Seller's liability shall in no event exceed the price paid for the Services.", "fees paid"),
        ("IN NO EVENT SHALL LIABILITY EXCEED AN AMOUNT LIMITED TO THE AMOUNT OF FEES PAID.", "fees paid"),
        ("La responsabilidad está limitada a 500 $ por todos los conceptos.", None),
        ("Su responsabilidad se limita a las cantidades efectivamente abonadas.", "fees paid"),
        ("Liability is unlimited for fraud.", "unlimited"),
    ],
)
def test_liability_cap_formulas(sentence: str, value: str | None) -> None:
    found = canonical.liability_cap(sentence)
    assert found is not None
    if value is None:
        assert found.value == {"amount": 500.0, "currency": "USD"}
    else:
        assert found.value == value


@pytest.mark.parametrize(
    "sentence",
    [
        # A company form is an entity type, never a liability term.
        '"Person" means any individual, corporation, limited liability or unlimited liability company.',
        "The Buyer is an unlimited company registered in the place of its incorporation.",
        # "including, without limitation," introduces examples, not an amount.
        "In no event shall the Vendor be liable for damages, including, without limitation, lost profits.",
        "No party shall be liable for indirect losses (including without limitation loss of data).",
    ],
)
def test_liability_cap_ignores_company_forms_and_list_connectors(sentence: str) -> None:
    found = canonical.liability_cap(sentence)
    assert found is None or found.value != "unlimited"


@pytest.mark.parametrize(
    "sentence",
    [
        "The liability of the Licensor for breach of confidentiality shall be unlimited.",
        "The Supplier shall be liable without limitation for wilful misconduct.",
        "La responsabilidad del proveedor por dolo será ilimitada.",
        "El proveedor responderá sin límite de los daños causados por dolo.",
    ],
)
def test_liability_cap_still_reads_uncapped_wording(sentence: str) -> None:
    found = canonical.liability_cap(sentence)
    assert found is not None and found.value == "unlimited"


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("The Term will automatically extend for an additional month unless cancelled.", "automatic"),
        ("This is a one-year licence with automatic annual renewals.", "automatic"),
        ("It shall renew for successive one-year periods unless either party objects.", "automatic"),
        ("Su plan se renovará automáticamente cada mes.", "automatic"),
        ("At the Distributor's option, this Agreement may be extended for two (2) years.", "option"),
        ("Any renewal requires the mutual written agreement of the parties.", "mutual agreement"),
        ("This Agreement shall not renew automatically.", "none"),
        ("This licence is non-renewable.", "none"),
        (
            "An Addendum may be extended for two further periods by written notice given by the Buyer.",
            "option",
        ),
        (
            "It shall continue in full force and effect thereafter until terminated by either party.",
            "automatic",
        ),
    ],
)
def test_renewal_forms(sentence: str, value: str | None) -> None:
    found = canonical.renewal(sentence)
    assert (found.value if found else None) == value


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("This Agreement is governed by the laws of the Province of British Columbia.", "British Columbia"),
        ("Governed by the laws of the State of Georgia, without regard to conflicts of law.", "Georgia"),
        ("Governed by the laws of Singapore, and not the law of Switzerland.", "Singapore"),
        ("Estas condiciones se regirán por las leyes de California.", "California"),
        ("Se regirá por las leyes del Estado de Nueva York.", "New York"),
        ("The laws of the STATE OF KANSAS govern this Agreement.", "Kansas"),
    ],
)
def test_governing_law_beyond_a_short_list(sentence: str, place: str) -> None:
    found = canonical.governing_law(sentence)
    assert found is not None and found.value == place


def test_negated_law_alone_is_not_taken() -> None:
    found = canonical.governing_law("This Agreement is not governed by the law of Switzerland.")
    assert found is None


def test_a_heading_with_as_is_not_a_company() -> None:
    text = "SECTION 1. SERVICES AS UNDERWRITER. Fjord Shipping AS agrees."
    assert [text[s.start : s.end] for s in companies(text)] == ["Fjord Shipping AS"]


def test_party_names_keep_digits_and_lose_headings() -> None:
    text = "MASTER SERVICES AGREEMENT Between RadialLine, LLC and Sphere 4D Corp. for services."
    assert [text[s.start : s.end] for s in companies(text)] == ["RadialLine, LLC", "Sphere 4D Corp."]


def test_preamble_parties_with_aliases() -> None:
    text = (
        'LICENSE AGREEMENT\n\nThis License Agreement (the "Agreement") is made by and between '
        'HALCYON MEDIA CORP., a Nevada corporation ("Licensor"), and Dana Whitfield ("Talent").\n\n'
        "WHEREAS, Licensor wishes to engage Talent."
    )
    assert [q.quote for q in contract_rules.parties(text)] == ["HALCYON MEDIA CORP.", "Dana Whitfield"]


def test_spanish_preamble_parties_are_names_not_fragments() -> None:
    text = (
        "REUNIDOS\n\nDe una parte, Conservas del Norte, S.A., con CIF A-12345678 (en adelante, "
        '"el Comprador").\nY de otra, Mar Azul Pesca, S.L. (en adelante, "el Vendedor").\n\nEXPONEN\n'
    )
    assert [q.quote for q in contract_rules.parties(text)] == [
        "Conservas del Norte, S.A.",
        "Mar Azul Pesca, S.L.",
    ]


def test_expiration_is_computed_from_the_term_and_grounded_on_it() -> None:
    text = (
        'This Agreement is made as of March 1, 2020 (the "Effective Date").\n'
        "The term of this Agreement shall be five (5) years following the Effective Date."
    )
    units = sentences(text)
    quoted = contract_rules.expiration_date(
        text, "en-us", contract_rules.term_sentences(text, units), "2020-03-01"
    )
    assert quoted is not None and quoted.value == "2025-03-01"
    grounder = Grounder(text, "en-us", anchors={"effective_date": "2020-03-01"})
    value = grounder.field(field_specs("contract")["expiration_date"], quoted)
    assert value is not None and value.value == "2025-03-01" and value.text == "five (5) years"
    # Without the anchor the computed date has nothing to stand on: dropped, and counted.
    assert Grounder(text, "en-us").field(field_specs("contract")["expiration_date"], quoted) is None


@pytest.mark.parametrize(
    ("text", "term"),
    [
        (
            "2. TERM\n2.1 This Agreement begins on the date above and continues for three (3) years.\n"
            "4.2 During the term and for twelve (12) months after it, neither party shall solicit the "
            "other's employees.",
            "three (3) years",
        ),
        (
            "2.1 El presente contrato entra en vigor en la fecha indicada y tendrá una duración de dos (2) "
            "años.\n7.1 Durante la vigencia y los seis (6) meses siguientes, ninguna parte contratará al "
            "personal de la otra.",
            "dos (2) años",
        ),
    ],
)
def test_the_term_is_the_length_the_expiration_is_counted_from(text: str, term: str) -> None:
    units = sentences(text)
    quoted = contract_rules.initial_term(text, contract_rules.term_sentences(text, units))
    assert quoted is not None and quoted.quote == term
    assert offline._contract(text, "en-us")["term"] == quoted


def test_a_made_up_computed_date_is_refused() -> None:
    text = "The term shall be two (2) years from the Effective Date."
    claim = Quoted(value="2031-01-01", quote="two (2) years from the Effective Date")
    grounder = Grounder(text, "en", anchors={"effective_date": "2020-01-01"})
    assert grounder.field(field_specs("contract")["expiration_date"], claim) is None


def test_add_duration_handles_month_ends() -> None:
    assert canonical.add_duration("2020-01-31", "P1M") == "2020-02-29"
    assert canonical.add_duration("2020-01-01", "P10D") == "2020-01-11"
    assert canonical.add_duration("2020-01-01", "P2W") == "2020-01-15"
    assert canonical.add_duration("not a date", "P1Y") is None
    assert canonical.add_duration("2020-01-01", "soon") is None


def test_renewal_notice_is_read_from_the_renewal_sentence() -> None:
    text = (
        "The Agreement renews automatically for successive one-year terms unless either party gives "
        "notice of non-renewal at least sixty (60) days before the end of the then-current term."
    )
    quoted = contract_rules.renewal_notice(text, sentences(text))
    assert quoted is not None and quoted.quote == "sixty (60) days"


@pytest.mark.parametrize(
    "sentence",
    [
        "Replacement of the goods is the Buyer's sole and exclusive remedy for any defect in them.",
        "Licensor grants Licensee a non-exclusive licence to use the software in the Territory.",
        "This Agreement shall be exclusively governed by the laws of the State of Ohio, USA.",
    ],
)
def test_exclusivity_false_positives(sentence: str) -> None:
    answer = risks.clauses_and_risks(sentence, "contract")
    assert "exclusivity" not in {r.type for r in answer.risks}


def test_a_real_exclusivity_commitment_is_flagged() -> None:
    sentence = "Distributor shall be the exclusive distributor of the Products in the Territory."
    assert "exclusivity" in {r.type for r in risks.clauses_and_risks(sentence, "contract").risks}


# Wording that names exclusivity but grants none in this sentence: a document's title, a
# cross-reference by heading or to where it is set out, another deal, a right kept to grant others.
_POINTS_ELSEWHERE = [
    '"Supply Terms" means the Exclusive Supply and Services Agreement signed by the parties today.',
    "EXHIBIT C EXCLUSIVE MARKETING AGREEMENT [Attached]",
    "Reseller's obligations under Clause 4.2 (Exclusivity) shall not apply during a suspension.",
    "The parties confirm the exclusive sales arrangement set forth in Section 6.1 of this Agreement.",
    "Under that certain Licence Agreement dated 3 May 2001, Vendor holds the exclusive right to the brand.",
    "Owner reserves the right to grant to any other person an exclusive territory for the Services.",
    "Las partes confirman el régimen de exclusividad previsto en la cláusula 5 del presente contrato.",
    "El fabricante se reserva el derecho de conceder a terceros la distribución exclusiva en otras zonas.",
]
_GRANTS_IT = [
    "Under this Exclusive Distribution Agreement, Maker appoints Reseller as its exclusive distributor.",
    "Licensor grants Licensee an exclusive licence to make the Products in the Territory.",
    "El Fabricante nombra al Distribuidor distribuidor exclusivo de los Productos en la Zona.",
]


@pytest.mark.parametrize("sentence", _POINTS_ELSEWHERE)
def test_exclusivity_that_points_elsewhere_is_no_commitment(sentence: str) -> None:
    assert "exclusivity" not in {r.type for r in risks.clauses_and_risks(sentence, "contract").risks}
    assert not clause_model.admissible("exclusivity", sentence)


@pytest.mark.parametrize("sentence", _GRANTS_IT)
def test_exclusivity_granted_in_the_sentence_still_counts(sentence: str) -> None:
    assert "exclusivity" in {r.type for r in risks.clauses_and_risks(sentence, "contract").risks}
    assert clause_model.admissible("exclusivity", sentence)


def test_terms_of_service_detected_in_both_languages() -> None:
    en = "Terms of Service\n\nBy using the Service you agree to these terms. Your account is yours."
    es = "Términos y condiciones\n\nAl utilizar el servicio, el usuario acepta estas condiciones."
    assert offline.detect_type(en).doc_type == "terms"
    assert offline.detect_type(es).doc_type == "terms"


def test_terms_fields_and_unilateral_changes_risk(tmp_path: Path) -> None:
    (tmp_path / "tos.txt").write_text(
        "Terms of Use\n\nThe Service is provided by Larkspur Apps Ltd. By using the Service you accept "
        "these Terms.\nWe reserve the right to modify these Terms at any time.\nWe may terminate "
        "your access at any time without notice.\nThese Terms are governed by the laws of Ireland.\n",
        encoding="utf-8",
    )
    result = run_agent("document", "tos.txt", Settings(), {"root": str(tmp_path)}, log=False)
    assert result["doc_type"] == "terms"
    values = {k: v["value"] for k, v in result["fields"].items()}
    assert values["provider"] == "Larkspur Apps Ltd."
    assert values["governing_law"] == "Ireland"
    assert values["unilateral_changes"] == "yes" and values["termination_at_will"] == "at any time"
    assert {"unilateral_changes", "one_sided_termination"} <= {r["type"] for r in result["risks"]}
    for field in result["fields"].values():  # grounded: the span says what the value is read from
        assert field["text"]


def test_clause_model_finds_clauses_with_spans() -> None:
    model = clause_model.active()
    assert model is not None, "the shipped clause model is missing"
    assert clause_model.MODEL_PATH.stat().st_size < 2 * 1024 * 1024
    text = (
        "Neither party may assign this Agreement or any of its rights hereunder without the prior "
        "written consent of the other party, which consent shall not be unreasonably withheld.\n\n"
        "The Company shall keep complete and accurate records and Licensor may audit such books and "
        "records upon thirty days notice during normal business hours once per calendar year."
    )
    units = [(u.start, u.end) for u in sentences(text)]
    found = clause_model.find_clauses(text, units)
    kinds = {kind for kind, *_ in found}
    assert {"anti_assignment", "audit_rights"} <= kinds
    for _, start, end, probability in found:
        assert text[start:end].strip() and 0.0 <= probability <= 1.0


def test_clause_model_can_be_swapped_for_cross_validation() -> None:
    shipped = clause_model.active()
    assert shipped is not None
    silent = clause_model.ClauseModel(
        categories=shipped.categories,
        vocabulary=shipped.vocabulary,
        idf=shipped.idf,
        coef=shipped.coef * 0,
        intercept=shipped.intercept * 0 - 50,
        thresholds=shipped.thresholds,
        cues=shipped.cues,
    )
    text = "Neither party may assign this Agreement without the prior written consent of the other party."
    with clause_model.using(silent):
        assert clause_model.find_clauses(text, [(0, len(text))]) == []
    assert clause_model.active() is shipped


def test_clause_model_round_trips_through_its_file(tmp_path: Path) -> None:
    shipped = clause_model.active()
    assert shipped is not None
    shipped.save(tmp_path / "m.npz")
    again = clause_model.ClauseModel.load(tmp_path / "m.npz")
    assert again.categories == shipped.categories and again.vocabulary == shipped.vocabulary
    sample = ["Licensee shall not sell competing products during the term."]
    assert (abs(again.scores(sample) - shipped.scores(sample)) < 1e-3).all()


# -- issue 17, second pass: the term clause, renewal notice, stamps as parties, learned exclusivity ---
def _expiry(text: str, effective: str | None) -> Quoted | None:
    return contract_rules.expiration_date(
        text, "en-us", contract_rules.term_sentences(text, sentences(text)), effective
    )


def test_expiration_is_the_term_clause_date_not_another_date() -> None:
    text = (
        "Royalties are reported for the fiscal year ending December 31, 2018.\n\n"
        "This Agreement shall commence on the Effective Date and shall continue in effect through "
        "June 30, 2022, unless terminated earlier as set forth herein."
    )
    quoted = _expiry(text, "2019-07-01")
    assert quoted is not None and quoted.quote == "June 30, 2022"


@pytest.mark.parametrize(
    ("sentence", "expected", "words"),
    [
        (
            "The initial term of this Agreement shall commence on the Effective Date and end on the "
            "fourth anniversary of the Effective Date.",
            "2024-02-10",
            "fourth anniversary",
        ),
        (
            'The term of this Agreement shall be two (2) years unless terminated earlier (the "Term").',
            "2022-02-10",
            "two (2) years",
        ),
        (
            "This Agreement comes into force on the date of signature and shall have a duration of "
            "three years.",
            "2023-02-10",
            "three years",
        ),
    ],
)
def test_expiration_from_the_terms_length_is_grounded_on_it(sentence: str, expected: str, words: str) -> None:
    quoted = _expiry(sentence, "2020-02-10")
    assert quoted is not None and quoted.value == expected
    grounder = Grounder(sentence, "en-us", anchors={"effective_date": "2020-02-10"})
    value = grounder.field(field_specs("contract")["expiration_date"], quoted)
    assert value is not None and value.value == expected and value.text == words


def test_a_term_until_terminated_has_no_expiration_date() -> None:
    text = (
        "This Agreement shall become effective on the Effective Date and shall continue in full force "
        "and effect until terminated by either party under Section 9.\n\n"
        "The first report is due on March 31, 2021."
    )
    assert _expiry(text, "2020-01-15") is None


def test_durations_during_the_term_are_not_the_term() -> None:
    text = (
        "Each party shall keep the other's information secret during the term of this Agreement and "
        "for two years after it ends.\n\nThe Supplier shall deliver the goods within six (6) months."
    )
    assert _expiry(text, "2020-01-15") is None


def test_renewal_notice_counts_back_from_the_end_and_skips_the_renewal_length() -> None:
    text = (
        "The term of this Agreement is one (1) year and will be automatically renewed for one (1) "
        "additional twelve month period unless either party notifies the other of its intention not "
        "to renew. Such notice must be given forty-five (45) days prior to the end of the term."
    )
    quoted = contract_rules.renewal_notice(text, sentences(text))
    assert quoted is not None and quoted.quote == "forty-five (45) days"


def test_renewal_notice_is_read_for_an_option_to_extend() -> None:
    text = (
        "This Agreement is made as of May 2, 2018 by and between Quarry Mills Inc. and Tern Foods LLC.\n\n"
        "Tern Foods may extend this Agreement for one additional year by written notice given not less "
        "than ninety (90) days prior to the expiration of the initial term."
    )
    fields = offline._contract(text, "en-us")
    assert fields["renewal"] is not None and fields["renewal"].value == "option"
    assert fields["renewal_notice"] is not None and fields["renewal_notice"].quote == "ninety (90) days"


def test_a_filing_stamp_without_source_names_no_party() -> None:
    text = (
        "HARBOR LIGHT HOLDINGS INC, 10-Q/A, 3/14/2011\n\nSUPPLY AGREEMENT\n\nThis Supply Agreement is "
        'made by and between Gull Point Foods, Inc. ("Buyer") and Keel Farms LLC ("Seller").\n\n'
        "WHEREAS Buyer needs produce."
    )
    names = [q.quote for q in contract_rules.parties(text)]
    assert names == ["Gull Point Foods, Inc.", "Keel Farms LLC"]


@pytest.mark.parametrize(
    ("sentence", "admissible"),
    [
        ("Replacement of the goods is the Buyer's sole and exclusive remedy for any defect in them.", False),
        ("Licensor grants Licensee a non-exclusive licence to use the software in the Territory.", False),
        ("Distributor shall promote the Products actively throughout the Territory at its own cost.", False),
        ("Distributor shall be the exclusive distributor of the Products in the Territory.", True),
        ("Buyer shall purchase all of its requirements of resin solely from Seller.", True),
    ],
)
def test_learned_exclusivity_must_be_said_in_the_sentence(sentence: str, admissible: bool) -> None:
    assert clause_model.admissible("exclusivity", sentence) is admissible
    assert clause_model.admissible("audit_rights", sentence)  # the other categories have no such rule


def test_type_cue_prefilter_only_skips_cues_that_cannot_match() -> None:
    assert offline._literal_prefix(r"\bby and between\b") == "by and between"
    assert offline._literal_prefix(r"\bpolicy?\b") == "polic"  # an optional last letter is not required
    assert offline._literal_prefix(r"\bbill(?:ed)? to\b") == "bill"
    assert offline._literal_prefix(r"invoice|factura") == ""  # an alternation requires no single word
    assert offline._literal_prefix(r"[Tt]erms") == ""
    # The prefilter tests the lower-cased text: a cue written in capitals still counts.
    shouting = "SUPPLY AGREEMENT\n\nTHIS AGREEMENT IS MADE BY AND BETWEEN ALDER INC. AND BIRCH LLC. WHEREAS …"
    assert offline.detect_type(shouting).doc_type == "contract"


def test_term_length_edge_cases() -> None:
    # A right that opens after an anniversary is not the end of the term.
    right = "Either party may terminate at any time following the 7th anniversary."
    assert canonical.term_length(right) is None
    # "the fifth (5th) anniversary" and "the ten-year anniversary" are both years.
    found = canonical.term_length("The term shall end on the fifth (5th) anniversary of the Effective Date.")
    assert found is not None and found.value == "P5Y"
    found = canonical.term_length("The term shall end on the ten-year anniversary of the Closing.")
    assert found is not None and found.value == "P10Y"
    # A renewal's length is not the initial term's.
    assert canonical.term_length("It renews for additional periods of one (1) year each.") is None


def test_a_term_length_without_an_effective_date_gives_no_expiration() -> None:
    text = "The term of this Agreement shall be three (3) years unless terminated earlier."
    assert _expiry(text, None) is None
    # … but a later term sentence that states the end date still gives it
    stated = text + "\n\nThis Agreement shall commence on signature and shall continue through June 30, 2027."
    quoted = _expiry(stated, None)
    assert quoted is not None and quoted.quote == "June 30, 2027"


def test_the_date_of_another_deal_is_not_the_effective_date() -> None:
    text = (
        "SERVICES AGREEMENT\n\nWHEREAS, Larch Systems Inc. and Moss Bank are parties to that certain "
        "Purchase Agreement, dated July 4, 2016, as amended.\n\nThis Services Agreement is dated as of "
        "February 9, 2018 between Larch Systems Inc. and Moss Bank."
    )
    effective = contract_rules.effective_date(text, "en-us")
    assert effective is not None and effective.quote == "February 9, 2018"
    # This contract's own "dated" still counts.
    own = "This Supply Agreement dated March 3, 2016 is made between Orbital Tools Inc. and Pine Ridge LLC."
    effective = contract_rules.effective_date(own, "en-us")
    assert effective is not None and effective.quote == "March 3, 2016"


def test_an_evergreen_term_renews_and_its_notice_is_read() -> None:
    text = (
        "This Hauling Agreement shall be for a term of one year commencing on the date first above "
        "written; thereafter it shall continue until terminated by either party upon not less than "
        "sixty (60) days prior written notice to the other party."
    )
    found = canonical.renewal(text)
    assert found is not None and found.value == "automatic"
    quoted = contract_rules.renewal_notice(text, sentences(text))
    assert quoted is not None and quoted.quote == "sixty (60) days"
    # "until terminated pursuant to Article 9" has no notice that ends a renewal: not evergreen.
    assert canonical.renewal("It shall continue in effect until terminated pursuant to Article 9.") is None


# -- issue 17, second pass: failure classes found on the dev split, each in sentences of our own --
def _names(text: str) -> list[str]:
    return [q.quote for q in contract_rules.parties(text)]


def test_the_preamble_ends_at_its_full_stop_not_at_a_later_mention() -> None:
    text = (
        'This Promotion Agreement is dated as of May 2, 2011 between Quill Media, Inc. ("Quill") and '
        'Tern Outfitters, Inc. (the "Company"). Pursuant to this Agreement, the Company will pay '
        "Quill, and Gannet Holdings Corp. may audit the Company."
    )
    assert _names(text) == ["Quill Media, Inc.", "Tern Outfitters, Inc."]


def test_a_party_list_after_a_full_stop_is_still_the_preamble() -> None:
    text = (
        'BETWEEN:\n\n(1) HARBOUR KILNS LIMITED a company registered in England (the "Company"); and\n\n'
        "(2) MAIRA OKAFOR of (the ''Employee'').\n\nIT IS AGREED as follows:"
    )
    assert _names(text) == ["HARBOUR KILNS LIMITED", "MAIRA OKAFOR"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # an individual described before the name
        (
            "This Agreement is entered into on May 3, 2012 between professional sailor, DARA VANCE, "
            '(hereinafter referred to as "ATHLETE") and KESTREL SAILS, LTD. (hereinafter referred to '
            'as "KESTREL").',
            ["DARA VANCE", "KESTREL SAILS, LTD."],
        ),
        # a preamble with no "between": "entered into by … and …"
        (
            "This Consulting Agreement is entered into by Fennel Labs, Inc., a Delaware corporation "
            '(the "Company"), and Ravi Mendes, an individual (the "Consultant").',
            ["Fennel Labs, Inc.", "Ravi Mendes"],
        ),
        # a country in brackets inside the name; the place in the description is not a party
        (
            "This Agreement is made by and between Lumen Optics (UK) Ltd., a company organized under the "
            'laws of England and Wales, having its office at 4 Mill Road, Reading ("LUMEN") and Orca '
            "Devices Corporation, a Delaware corporation.",
            ["Lumen Optics (UK) Ltd.", "Orca Devices Corporation"],
        ),
        # a place of registration joined by "and" is not a party either
        (
            "This Supply Agreement is entered into as of March 3, 2025 between Wrenfield Glass Ltd, a "
            'company registered in England and Wales ("Supplier"), and Harbor Lane Stores Inc., a '
            'Delaware corporation ("Buyer").',
            ["Wrenfield Glass Ltd", "Harbor Lane Stores Inc."],
        ),
        # a former name in brackets, a register entry and a described legal form are not parties
        (
            "This Agreement is made by and between Cobalt Works Inc. (formerly known as Slate Tools Inc.) "
            "and Fjord Analytics plc, a company registered in Scotland (Registered Company No. 123), and "
            "Pine Valley, LLC, a Nevada Limited Liability Company.",
            ["Cobalt Works Inc.", "Fjord Analytics plc", "Pine Valley, LLC"],
        ),
        # a parent or principal named in a party's description is not a party
        (
            "This Supply Agreement is between Norfield Resins Company, a division of Norfield Holdings "
            'Corporation ("Seller"), and Tamar Packaging Inc., as agent for Tamar Group Inc. ("Buyer").',
            ["Norfield Resins Company", "Tamar Packaging Inc."],
        ),
        # the last of several parties joined by "and" to a place in a description
        (
            "This Agreement is made between Tallis Shipping PTE, LTD., a company organized under the laws "
            "of Singapore and Marlow Software Industries Ltd, a company organized under the laws of Israel.",
            ["Tallis Shipping PTE, LTD.", "Marlow Software Industries Ltd"],
        ),
    ],
)
def test_party_names_in_preamble_structures(text: str, names: list[str]) -> None:
    assert _names(text) == names


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("Any dispute is to be construed under the laws of the State of Idaho.", "Idaho"),
        (
            "The contract is governed by the laws of the United States and, where federal law is silent, "
            "by the laws of the Commonwealth of Virginia.",
            "Virginia",
        ),
        (
            "THIS AGREEMENT SHALL BE GOVERNED BY THE INTERNAL LAWS OF THE COMMONWEALTH OF VIRGINIA WITHOUT "
            "GIVING EFFECT TO ANY CHOICE OF LAW RULE.",
            "Virginia",
        ),
        ("Each order is construed under the laws and decisions of the State of Ohio.", "Ohio"),
        ("IT IS GOVERNED BY THE LAWS, EXCEPT CONFLICT RULES, OF THE STATE OF IOWA.", "Iowa"),
    ],
)
def test_governing_law_sentence_forms(sentence: str, place: str) -> None:
    found = canonical.governing_law(sentence)
    assert found is not None and found.value == place
    assert sentence[found.start : found.end].lower() == place.lower()


def test_remedies_applied_in_accordance_with_the_laws_of_a_state() -> None:
    text = (
        "The Agency Committee follows the listing rules of the Boston exchange.\n\nThis contract and the "
        "remedies for its breach are to be applied in accordance with the laws of the State of Maine."
    )
    fields = offline.extract_fields("contract", text, "en-us")
    assert fields.governing_law is not None and fields.governing_law.value == "Maine"


def test_the_choice_of_law_sentence_beats_an_earlier_mention_of_a_law() -> None:
    text = (
        "1. The Nominating and Corporate Governance Committee follows the rules of the New York Stock "
        "Exchange.\n\n2. To the extent required by applicable law, rights under the General Business Law "
        "of the State of New York remain in force.\n\n3. This Agreement shall be construed in "
        "accordance with the laws of the State of Oregon."
    )
    fields = offline.extract_fields("contract", text, "en-us")
    assert fields.governing_law is not None and fields.governing_law.value == "Oregon"


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("This Agreement shall continue automatically for successive annual periods.", "automatic"),
        # tolling: an extension by the length of a delay is not a renewal
        (
            "The affected obligations shall be suspended and shall be automatically extended for a period "
            "equal to the delay.",
            None,
        ),
        # something other than the contract is extended
        ("Instead the Standstill Period shall automatically be extended until the next meeting.", None),
        ("The access fee increases from year to year.", None),
        ("The seller provides renewable energy solutions.", None),
        ("This Agreement is renewable for two further years at the Licensee's request.", "option"),
        ("Store 530 Evergreen Park, 9700 Western Avenue.", None),
        ("El contrato se prorrogará automáticamente por periodos anuales.", "automatic"),
        ("Llegado su vencimiento, se prorrogará tácitamente por periodos anuales.", "automatic"),
    ],
)
def test_renewal_structure(sentence: str, value: str | None) -> None:
    found = canonical.renewal(sentence)
    assert (found.value if found else None) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Expiration Date: August 31, 2026\n\nThe parties agree as follows.", "2026-08-31"),
        ("The term of this JSA shall commence on May 1, 2020 and ends at April 30, 2029.", "2029-04-30"),
        # counted from the effective date or signing: computed
        ("This Agreement shall continue for a period of five (5) years commencing on the Effective Date.",
         "2025-01-15"),
        ("El presente contrato tendrá una duración de tres (3) años a contar desde la fecha de firma.",
         "2023-01-15"),
    ],
)  # fmt: skip
def test_expiration_structure(text: str, expected: str) -> None:
    quoted = contract_rules.expiration_date(
        text, "en-us", contract_rules.term_sentences(text, sentences(text)), "2020-01-15"
    )
    assert quoted is not None
    value = quoted.value if quoted.value != quoted.quote else find_dates(quoted.quote, "en-us")[0].value
    assert value == expected


@pytest.mark.parametrize(
    ("text", "language", "quote"),
    [
        (
            "This Promotion Agreement is dated as of January 26, 2011 between Alder Inc. and Birch LLC.\n\n"
            '1. Term. The term of this Agreement (the "Term") will begin on February 1, 2011 and end on '
            "the first anniversary.",
            "en-us",
            "February 1, 2011",
        ),
        (
            "El presente contrato se firma el 3 de febrero de 2025.\n\nSEGUNDA. El presente contrato "
            "comenzará el 1 de marzo de 2025 y tendrá una duración de un año.",
            "es",
            "1 de marzo de 2025",
        ),
        # the term sentence that only says "commencing" (the length is redacted)
        (
            "This Agreement is entered into on January 13, 2005 between Alder Ltd. and Birch Inc.\n\n"
            "The Term of this Agreement shall be for a period of [***] years commencing the 1st day of "
            "March 2019.",
            "en-us",
            "1st day of March 2019",
        ),
        # payments that start on a date do not start the term
        (
            "This Agreement is dated as of January 26, 2011 between Alder Inc. and Birch LLC.\n\n"
            "Royalty payments shall commence on March 1, 2011.",
            "en-us",
            "January 26, 2011",
        ),
    ],
)
def test_the_term_start_is_the_effective_date(text: str, language: str, quote: str) -> None:
    effective = contract_rules.effective_date(text, language)
    assert effective is not None and effective.quote == quote


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        # a payment deadline before the renewal is not a notice; the notice sentence after it is
        (
            "This Agreement renews for successive one-year terms. The renewal fee is due sixty (60) "
            "days before the renewal date. Either party may elect not to renew by written notice not "
            "less than six (6) months prior to the expiration of the term.",
            "six (6) months",
        ),
        # a party that terminates the renewal gives notice, even without the word
        (
            "The Agreement shall automatically renew for successive one year terms unless terminated by "
            "either party at least six months prior to the expiration of the then-current term.",
            "six months",
        ),
        # an insurer's notice of non-renewal is not the contract's
        (
            "This Agreement renews automatically each year unless terminated. Each insurer must give the "
            "Buyer fifteen (15) days' written notice before it cancels or does not renew a policy.",
            None,
        ),
        # the notice in the sentence after the renewal, worded with "notify"
        (
            "The engagement will automatically extend for an additional month. The client must notify the "
            "consultant within 5 days of the end of the current term.",
            "5 days",
        ),
    ],
)
def test_renewal_notice_is_a_notice_about_the_renewal(text: str, quote: str | None) -> None:
    quoted = contract_rules.renewal_notice(text, sentences(text))
    assert (quoted.quote if quoted else None) == quote


def test_a_name_that_starts_with_the_is_read_after_an_address() -> None:
    text = (
        "This Agreement is by and between Quartz Code Inc., with offices at 9 Elm Court, Salem, OR 97301 "
        '("Quartz") and The Harbour Gazette, a Maine not-for-profit corporation with offices at 2 Pier '
        'Road, Portland, ME 04101 (the "Customer").'
    )
    assert _names(text) == ["Quartz Code Inc.", "The Harbour Gazette"]


def test_a_wrapped_address_line_is_not_a_party_but_a_title_block_line_is() -> None:
    wrapped = (
        "This Agreement is dated as of May 2, 2021 between Quartz Code Inc., a Delaware corporation, and\n"
        "Lumen Optics (UK) Ltd., a company organized under the laws of Scotland, with its office at 4 Mill\n"
        'Road, Perth ("LUMEN").'
    )
    assert _names(wrapped) == ["Quartz Code Inc.", "Lumen Optics (UK) Ltd."]
    block = 'AGREEMENT BETWEEN\nQuartz Code Inc.\nAND\nJo Bloggs\n("Consultant")\n\nThe parties agree.'
    assert _names(block) == ["Quartz Code Inc.", "Jo Bloggs"]
    # the alias on the line after an address: the postal code is not a name
    postal = 'BETWEEN:\n\nQuartz Code Inc., with offices at 9 Elm Street, Victoria, BC V8W 1N4\n\n("Quartz")'
    assert _names(postal) == ["Quartz Code Inc."]


def test_the_end_of_an_address_before_an_alias_is_not_a_party() -> None:
    text = (
        'This Reseller Agreement is made by and between Quartz Code, LLC ("Quartz"), having its offices '
        'at 6 Elm Court Suite 10, Salem, OR 97301 ("Reseller") and Birch Data Inc. ("Company").'
    )
    assert _names(text) == ["Quartz Code, LLC", "Birch Data Inc."]


def test_roles_defined_as_aliases_are_not_party_names() -> None:
    text = (
        'This Agreement retains Jo Bloggs ("Consultant") on these terms.\n\n1. Services. Consultant '
        "acts as agreed by and between Consultant and Company, and performs the services."
    )
    fields = offline.extract_fields("contract", text, "en-us")
    assert not fields.parties or all(q.quote not in ("Consultant", "Company") for q in fields.parties)
