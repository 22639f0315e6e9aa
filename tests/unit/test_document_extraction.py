"""Normalisation (Spanish and English dates, amounts, durations), grounding, risks and chunking."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.agents.document.configuration import field_specs
from agentops_cli.agents.document.grounding import Grounder, locate
from agentops_cli.agents.document.normalize import find_dates, find_durations, find_money, parse_number
from agentops_cli.agents.document.schemas import ClauseQuote, Quoted, RiskQuote
from agentops_cli.agents.runner import run_agent
from agentops_cli.config import Settings


@pytest.mark.parametrize(
    ("text", "language", "iso"),
    [
        ("1 de marzo de 2025", "es", "2025-03-01"),
        ("el 28 de febrero de 2026", "es", "2026-02-28"),
        ("a 15 de Enero del 2025", "es", "2025-01-15"),
        ("12/02/2025", "es", "2025-02-12"),
        ("03/04/2025", "en-us", "2025-03-04"),
        ("03/04/2025", "en", "2025-04-03"),
        ("25/04/2025", "en-us", "2025-04-25"),
        ("04/25/2025", "en", "2025-04-25"),
        ("January 15, 2025", "en", "2025-01-15"),
        ("1st July 2024", "en", "2024-07-01"),
        ("Sept. 9, 2025", "en", "2025-09-09"),
        ("2025-03-05", "en", "2025-03-05"),
    ],
)
def test_dates(text: str, language: str, iso: str) -> None:
    found = find_dates(text, language)
    assert [f.value for f in found] == [iso]
    assert text[found[0].start : found[0].end].strip()[0].isalnum()


def test_impossible_dates_are_ignored() -> None:
    assert find_dates("31 de febrero de 2025 and 2025-13-01") == []


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("15.000,00 €", 15000.0, "EUR"),
        ("18.600,00 euros", 18600.0, "EUR"),
        ("€ 1.250", 1250.0, "EUR"),
        ("USD 84,000.00", 84000.0, "USD"),
        ("$27,800", 27800.0, "USD"),
        ("US$ 1,400.50", 1400.5, "USD"),
        ("£48,500", 48500.0, "GBP"),
        ("EUR 2.400.000", 2400000.0, "EUR"),
        ("350 dólares", 350.0, "USD"),
    ],
)
def test_amounts(text: str, amount: float, currency: str) -> None:
    found = find_money(f"el importe es {text} en total")
    assert [f.value for f in found] == [{"amount": amount, "currency": currency}]


def test_number_separators() -> None:
    assert parse_number("1.815,00") == 1815.0
    assert parse_number("0,5") == 0.5
    assert parse_number("1,200,000") == 1200000.0


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("doce (12) meses", "P12M"),
        ("un (1) año", "P1Y"),
        ("treinta días", "P30D"),
        ("one hundred eighty (180) days", "P180D"),
        ("six months", "P6M"),
        ("16 weeks", "P16W"),
        ("5 working days", "P5D"),
    ],
)
def test_durations(text: str, iso: str) -> None:
    assert [f.value for f in find_durations(text)] == [iso]


def test_locate_tolerates_line_breaks_and_case() -> None:
    text = "governed by the laws of the Cayman\nIslands. Any dispute"
    assert locate(text, "laws of the cayman islands") == (16, 42)
    assert locate(text, "laws of Ruritania") is None
    assert locate("a b a b", "a b", hint=4) == (4, 7)
    assert locate("abc", "   ") is None


# -- grounding -----------------------------------------------------------------------------------
TEXT = (
    "CONTRATO DE PRESTACIÓN DE SERVICIOS entre Acme Iberia, S.L. y Beta Levante, S.A.\n"
    "El contrato entrará en vigor el 1 de marzo de 2025. El precio total asciende a 15.000,00 €. "
    "Se regirá por la legislación española."
)
SPECS = field_specs("contract")


def test_grounding_keeps_the_original_words_and_normalises_the_value() -> None:
    grounder = Grounder(TEXT, "es")
    date = grounder.field(SPECS["effective_date"], Quoted(value="2025-03-01", quote="el 1 de marzo de 2025"))
    assert date is not None and date.value == "2025-03-01" and date.text == "1 de marzo de 2025"
    assert TEXT[date.start : date.end] == "1 de marzo de 2025"
    money = grounder.field(SPECS["total_value"], Quoted(value="15000 EUR", quote="asciende a 15.000,00 €"))
    assert money is not None and money.value.model_dump() == {"amount": 15000.0, "currency": "EUR"}
    assert money.text == "15.000,00 €"
    law = grounder.field(SPECS["governing_law"], Quoted(value="Spain", quote="legislación española"))
    assert law is not None and (law.value, law.text) == ("Spain", "española")
    parties = grounder.field(
        SPECS["parties"],
        [
            Quoted(value="Acme Iberia, S.L.", quote="Acme Iberia, S.L."),
            Quoted(value="Beta Levante, S.A.", quote="x"),
        ],
    )
    assert parties is not None and parties.value == ["Acme Iberia, S.L.", "Beta Levante, S.A."]
    assert [TEXT[s:e] for s, e in parties.spans or []] == parties.value
    assert grounder.dropped == 0


def test_made_up_or_contradicted_values_are_dropped_and_counted() -> None:
    grounder = Grounder(TEXT, "es")
    invented = Quoted(value="2031-12-25", quote="25 de diciembre de 2031")
    contradicted = Quoted(value="2026-01-01", quote="1 de marzo de 2025")  # quote exists, value does not
    wrong_amount = Quoted(value="99000 EUR", quote="15.000,00 €")
    assert grounder.field(SPECS["effective_date"], invented) is None
    assert grounder.field(SPECS["expiration_date"], contradicted) is None
    assert grounder.field(SPECS["total_value"], wrong_amount) is None
    assert grounder.field(SPECS["parties"], [Quoted(value="Gamma Corp", quote="Gamma Corp")]) is None
    assert grounder.clause(ClauseQuote(type="Term", quote="a clause that is not there")) is None
    assert grounder.risk(RiskQuote(type="penalties", severity="high", quote="no such words")) is None
    assert grounder.dropped == 6
    assert grounder.field(SPECS["effective_date"], None) is None and grounder.dropped == 6


def test_clause_and_risk_types_are_normalised() -> None:
    grounder = Grounder(TEXT, "es")
    clause = grounder.clause(
        ClauseQuote(type="Governing Law", quote="Se regirá por la legislación española.")
    )
    risk = grounder.risk(RiskQuote(type="Auto-Renewal", severity="low", quote="entrará en vigor"))
    assert clause is not None and clause.type == "governing_law"
    assert risk is not None and risk.type == "auto_renewal" and risk.evidence == "entrará en vigor"


# -- whole runs on documents the rules were not written against ---------------------------------
HELD_OUT_ES = "\n".join(
    [
        "CONTRATO DE ARRENDAMIENTO DE SERVICIOS INFORMÁTICOS",
        "",
        "En Bilbao, a 3 de junio de 2024.",
        "",
        "De una parte, Datos del Norte, S.L., y de otra, Ferreterías Unidas, S.A.",
        "",
        "PRIMERA.- El contrato tendrá una vigencia de veinticuatro (24) meses desde su firma. Se "
        "renovará automáticamente por periodos de un año.",
        "SEGUNDA.- El precio total es de 48.000,00 € que se abonarán a 45 días fecha factura.",
        "TERCERA.- El Cliente podrá resolver el contrato en cualquier momento sin causa; el "
        "Proveedor solo podrá hacerlo con un preaviso de seis (6) meses.",
        "CUARTA.- El Proveedor no podrá prestar servicios a competidores del Cliente; cláusula de "
        "no competencia de dos años.",
        "QUINTA.- El presente contrato se rige por la ley española.",
        "",
    ]
)

HELD_OUT_INVOICE = """Northwind Supplies Ltd
12 Dock Road, Bristol

TAX INVOICE
Invoice Number: NW-88412
Date of issue: 02/09/2025
Due on: 2025-10-02
Customer: Harbourside Cafe Ltd, 4 Quay St
Subtotal: £500.00  VAT: £100.00
Total amount: £600.00
"""


def run_text(tmp_path: Path, name: str, text: str, **options: object) -> dict:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return run_agent("document", name, Settings(), {"root": str(tmp_path), **options}, log=False)


def test_held_out_spanish_contract(tmp_path: Path) -> None:
    result = run_text(tmp_path, "arrendamiento.txt", HELD_OUT_ES)
    fields = {k: v["value"] for k, v in result["fields"].items()}
    assert result["doc_type"] == "contract" and result["language"] == "es"
    assert fields["parties"] == ["Datos del Norte, S.L.", "Ferreterías Unidas, S.A."]
    assert fields["effective_date"] == "2024-06-03"
    assert fields["term"] == "P24M"
    assert fields["renewal"] == "automatic"
    assert fields["total_value"] == {"amount": 48000.0, "currency": "EUR"}
    assert fields["payment_terms"] == "net 45"
    assert fields["governing_law"] == "Spain"
    assert fields["termination_notice"] == "P6M"
    kinds = {r["type"]: r for r in result["risks"]}
    assert {
        "auto_renewal",
        "one_sided_termination",
        "non_compete",
        "missing_liability_cap",
        "long_notice_period",
    } <= set(kinds)
    assert kinds["one_sided_termination"]["severity"] == "high"
    assert "missing_signature_block" in kinds
    assert result["summary"].startswith("Contract between Datos del Norte, S.L. and Ferreterías Unidas, S.A.")


def test_held_out_invoice_and_forced_type(tmp_path: Path) -> None:
    result = run_text(tmp_path, "inv.txt", HELD_OUT_INVOICE)
    fields = {k: v["value"] for k, v in result["fields"].items()}
    assert result["doc_type"] == "invoice"
    assert fields == {
        "invoice_number": "NW-88412",
        "issuer": "Northwind Supplies Ltd",
        "customer": "Harbourside Cafe Ltd",
        "issue_date": "2025-09-02",
        "due_date": "2025-10-02",
        "total": {"amount": 600.0, "currency": "GBP"},
    }
    forced = run_text(tmp_path, "inv2.txt", HELD_OUT_INVOICE, type="contract")
    assert forced["doc_type"] == "contract" and "type_forced" in forced["flags"]


def test_long_document_is_chunked_merged_and_deduplicated(tmp_path: Path) -> None:
    filler = "The parties shall cooperate in good faith on every operational matter described herein. " * 40
    text = (
        "MASTER SERVICES AGREEMENT\n\nThis Agreement is made effective as of 2 May 2025 "
        "between Orion Data Ltd "
        "and Vega Retail plc.\n\n"
        + "\n\n".join(f"{i}. Operations\n{filler}" for i in range(1, 6))
        + "\n\n6. Penalties\nLate delivery incurs a penalty of 1% of the monthly fee per day of delay.\n\n"
        "7. Governing law\nThis Agreement is governed by the laws of Ireland.\n"
    )
    calls: list[tuple[int, int]] = []
    settings = Settings(document={"chunk_chars": 4000, "chunk_overlap": 300})
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    result = run_agent(
        "document",
        "long.txt",
        settings,
        {"root": str(tmp_path), "progress": lambda d, t: calls.append((d, t))},
        log=False,
    )
    assert result["chunks"] > 3 and f"chunks:{result['chunks']}" in result["flags"]
    # Offline, the rules read the whole text in one pass (chunks are for models); progress ends complete.
    assert calls and calls[-1][0] == calls[-1][1]
    fields = result["fields"]
    assert fields["parties"]["value"] == ["Orion Data Ltd", "Vega Retail plc"]
    assert fields["governing_law"]["value"] == "Ireland"
    from agentops_cli.agents.document.loaders import load_document

    loaded = load_document("long.txt", tmp_path, max_bytes=10**6, max_pages=1).text
    assert loaded[fields["governing_law"]["start"] : fields["governing_law"]["end"]] == "Ireland"
    penalties = [r for r in result["risks"] if r["type"] == "penalties"]
    assert len(penalties) == 1 and "1% of the monthly fee" in penalties[0]["evidence"]


def test_other_documents_get_no_fields(tmp_path: Path) -> None:
    result = run_text(
        tmp_path, "notes.txt", "Team lunch notes. We talked about the summer party and parking.\n" * 3
    )
    assert result["doc_type"] == "other" and result["fields"] == {} and result["summary"]


def test_unknown_type_option_is_bad_input(tmp_path: Path) -> None:
    from agentops_cli.errors import BadInput

    with pytest.raises(BadInput, match="unknown document type 'memo'"):
        run_text(tmp_path, "x.txt", HELD_OUT_INVOICE, type="memo")


def test_grounding_reads_llm_style_values() -> None:
    text = "Fees: EUR 2,400,000 over a term of two (2) years. Vendor: Orion Data Ltd, Dublin."
    grounder = Grounder(text, "en")
    specs = {**field_specs("contract"), **field_specs("proposal")}
    money = grounder.field(specs["total_value"], Quoted(value="2400000 EUR", quote="EUR 2,400,000"))
    assert money is not None and money.value.model_dump() == {"amount": 2400000.0, "currency": "EUR"}
    bare = grounder.field(specs["total_value"], Quoted(value="2400000", quote="EUR 2,400,000"))
    assert bare is not None and bare.text == "EUR 2,400,000"
    term = grounder.field(specs["term"], Quoted(value="2 years", quote="term of two (2) years"))
    assert term is not None and (term.value, term.text) == ("P2Y", "two (2) years")
    iso = grounder.field(specs["term"], Quoted(value="P2Y", quote="two (2) years"))
    assert iso is not None and iso.value == "P2Y"
    vendor = grounder.field(
        specs["vendor"], Quoted(value="Orion Data Ltd", quote="Vendor: Orion Data Ltd, Dublin")
    )
    assert vendor is not None and vendor.value == "Orion Data Ltd"
    by_value = grounder.field(specs["vendor"], Quoted(value="Orion Data Ltd", quote="Orion Data Limited"))
    assert by_value is not None and by_value.text == "Orion Data Ltd"
    assert grounder.field(specs["vendor"], Quoted(value="Acme", quote="Vendor: Orion Data Ltd")) is None
    assert grounder.field(specs["total_value"], Quoted(value="lots", quote="Fees:")) is None
    assert grounder.dropped == 2


def test_markdown_report_without_findings() -> None:
    from agentops_cli.agents.document.report import to_markdown

    report = to_markdown(
        {
            "path": "/x/notes.txt",
            "doc_type": "other",
            "fields": {},
            "risks": [],
            "clauses": [],
            "summary": "",
            "flags": ["type_forced"],
            "degraded": True,
        }
    )
    assert "_No fields for this document type._" in report and "_No risks found._" in report
    assert "_No clauses recognised._" in report and "**degraded**" in report and "type_forced" in report
