"""What a learned clause sentence must say in words (``clause_model.admissible``), per category (issue 17).

The classifier scores words it saw near real clauses, so sentences with the same words but another
legal meaning pass it. These sentences were written for these tests (not taken from CUAD): each pair
is the wording that means the category and the look-alike that does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.agents.document import clause_model
from agentops_cli.agents.runner import run_agent
from agentops_cli.config import Settings

GOLDEN = Path(__file__).resolve().parents[2] / "datasets" / "golden"


@pytest.mark.parametrize(
    ("sentence", "admissible"),
    [
        # who a benefit or a thing belongs to, what money is for: not whom one deals with
        ("All goodwill from the use of the Marks shall inure exclusively to the benefit of Licensor.", False),
        ("Any confidential information of the franchise system belongs exclusively to Franchisor.", False),
        ("The Marketing Fund shall be used exclusively to meet the costs of regional advertising.", False),
        ("The committee shall meet for the exclusive purpose of planning the product launch.", False),
        ("El fondo de publicidad estará destinado exclusivamente a sufragar las campañas regionales.", False),
        ("El prestigio de la marca redundará exclusivamente en beneficio del Licenciante.", False),
        # a right to enforce against third parties
        ("Licensor shall have the exclusive right, but not the obligation, to prosecute infringers.", False),
        ("Owner has the exclusive right to enforce the patents against any third party.", False),
        # "solely" scoping a use or a discretion
        ("Licensee may use the Marks solely in connection with the operation of its café.", False),
        ("Reseller may use the logo solely to promote the Products, in its sole discretion.", False),
        # the commitments themselves still count
        ("Reseller shall sell the Products exclusively to customers located in the Territory.", True),
        ("Buyer shall purchase its entire needs of packaging solely from Seller during the Term.", True),
        ("Athlete shall use only the golf clubs of the Company in every tournament.", True),
        ("Licensor appoints Licensee as its sole distributor of the Products in Canada.", True),
        ("El Fabricante nombra al Distribuidor distribuidor exclusivo de los Productos en la Zona.", True),
    ],
)  # fmt: skip
def test_exclusivity_must_name_an_exclusive_dealing(sentence: str, admissible: bool) -> None:
    assert clause_model.admissible("exclusivity", sentence) is admissible


@pytest.mark.parametrize(
    ("sentence", "admissible"),
    [
        # termination for a cause, a lead-in, a pointer, a renewal notice, an order: not convenience
        ("Either party may terminate this Agreement at any time upon written notice if the other party "
         "becomes insolvent.", False),
        ("Either party may terminate this Agreement upon thirty days' notice if the other party materially "
         "breaches it.", False),
        ("Either party may terminate if a force majeure event lasts more than sixty days.", False),
        ("This Agreement may be terminated at any time by mutual written agreement.", False),
        ("Either party may terminate this Agreement upon written notice as follows:", False),
        ("This Addendum may be terminated in accordance with the termination provisions of the Master "
         "Agreement.", False),
        ("The term renews each year unless either party gives notice of termination at least sixty days "
         "prior to the end of the then current term.", False),
        ("Buyer may cancel any purchase order upon written notice before shipment.", False),
        ("Client may terminate this Agreement on notice if the suspension persists for ninety days.", False),
        ("This Agreement may not be terminated by either party for its own convenience.", False),
        ("Termination of this Agreement for any reason shall not release a party from accrued debts.", False),
        ("Cualquiera de las partes podrá resolver el contrato en caso de incumplimiento grave.", False),
        # the reason-free right, also when a cause is named beside it
        ("Either party may terminate this Agreement for any reason or no reason on notice.", True),
        ("Customer may terminate this Agreement without cause upon thirty days' written notice.", True),
        ("Distributor may terminate this Agreement (a) if Supplier breaches it, or (b) at any other time "
         "upon sixty days' notice.", True),
        ("Either party may terminate this Agreement upon ninety (90) days' written notice.", True),
        ("El Cliente podrá resolver el contrato en cualquier momento y sin causa.", True),
        # what survives an ending vetoes a sentence only when the sentence grants no right
        ("Either party may terminate this Agreement for convenience upon thirty (30) days' written notice, "
         "and Sections 5, 7 and 9 shall survive any such termination.", True),
        ("Sections 5 and 9 shall survive termination or expiration of this Agreement for any reason.", False),
    ],
)  # fmt: skip
def test_termination_for_convenience_needs_no_cause(sentence: str, admissible: bool) -> None:
    assert clause_model.admissible("termination_for_convenience", sentence) is admissible


@pytest.mark.parametrize(
    ("sentence", "admissible"),
    [
        # floors on something other than what is bought, sold or paid
        ("Licensee shall keep complete records of its sales for a minimum of three (3) years.", False),
        ("Either party may end the renewal by giving notice at least sixty (60) days before expiry.", False),
        ("Licensee shall maintain liability insurance with minimum limits of $1,000,000.", False),
        ("Each party shall exercise at a minimum the same care it uses for its own information.", False),
        ("El Licenciatario conservará los registros de ventas durante un mínimo de cinco (5) años.", False),
        ("The Supplier shall deliver the Products promptly and in good condition.", False),
        # commitments
        ("Distributor shall purchase at least 5,000 units of the Products in each Contract Year.", True),
        ("Licensee shall pay a minimum annual royalty of $50,000, whether or not sales reach it.", True),
        ("If Buyer's orders fall short of the minimum purchase commitment, Buyer shall pay the shortfall "
         "within thirty (30) days.", True),
        ("El Distribuidor se compromete a una compra mínima de 1.000 cajas al año.", True),
    ],
)  # fmt: skip
def test_minimum_commitment_floors_what_is_bought_or_paid(sentence: str, admissible: bool) -> None:
    assert clause_model.admissible("minimum_commitment", sentence) is admissible


@pytest.mark.parametrize(
    "name", ["documents/brand_licence_cafe.txt", "documents/contrato_licencia_marca.txt"]
)
def test_golden_look_alikes_get_no_learned_clause(name: str) -> None:
    """Written contracts full of look-alike wording (goodwill inuring exclusively, an exclusive right
    to prosecute, a fund used exclusively for advertising, termination for insolvency and breach,
    record-keeping and insurance minimums): none is exclusivity, convenience or a commitment."""
    result = run_agent("document", name, Settings(), {"root": str(GOLDEN)}, log=False)
    kinds = {c["type"] for c in result["clauses"]} | {r["type"] for r in result["risks"]}
    assert not kinds & {"exclusivity", "termination_for_convenience", "minimum_commitment"}
    assert "cap_on_liability" in kinds or "liability" in kinds  # the real clauses are still read
