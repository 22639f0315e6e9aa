"""Generate the PDF and DOCX golden documents from the texts below.

Kept next to the generated files so they can be rebuilt (``python make_binaries.py``)
and reviewed as text. Needs the dev extras: reportlab (PDF) and python-docx (DOCX).
The generated files are committed; the eval and the tests read those, not this script.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

SUPPLY_AGREEMENT = [
    ("title", "MASTER SUPPLY AGREEMENT"),
    (
        "p",
        "This Master Supply Agreement is made and entered into effective as of 1 July 2024 by and "
        'between Zentra Components GmbH, a company registered in Stuttgart, Germany ("Supplier"), '
        'and Alder Robotics Ltd, a company registered in Cambridge, United Kingdom ("Buyer").',
    ),
    ("h", "1. Supply of Products"),
    (
        "p",
        'Supplier shall manufacture and deliver servo actuators and control boards (the "Products") '
        "in accordance with purchase orders issued by Buyer under this Agreement. Buyer shall source "
        "not less than 80% of its annual requirements of servo actuators from Supplier.",
    ),
    ("h", "2. Duration"),
    (
        "p",
        "This Agreement shall remain in force for a term of two (2) years and shall expire on "
        "30 June 2026, unless extended by mutual written agreement of the parties.",
    ),
    ("h", "3. Prices and Payment"),
    (
        "p",
        "The estimated aggregate contract value over the term is EUR 2,400,000. Unit prices are set "
        "out in Schedule A and are fixed for the first twelve months. Supplier shall invoice upon "
        "shipment and Buyer shall pay each invoice within ninety (90) days from the invoice date.",
    ),
    ("h", "4. Delivery and Liquidated Damages"),
    (
        "p",
        "Time of delivery is of the essence. If Supplier fails to deliver any Products by the "
        "confirmed delivery date, Supplier shall pay liquidated damages of 0.5% of the value of the "
        "delayed Products for each day of delay, up to a maximum of 10% of the order value.",
    ),
    ("h", "5. Warranty"),
    (
        "p",
        "Supplier warrants that the Products shall be free from defects in materials and "
        "workmanship for a period of twenty-four months from delivery.",
    ),
    ("h", "6. Limitation of Liability"),
    (
        "p",
        "Supplier's total aggregate liability under or in connection with this Agreement shall not "
        "exceed 100% of the amounts paid by Buyer under this Agreement in the preceding twelve months.",
    ),
    ("h", "7. Termination"),
    (
        "p",
        "Either party may terminate this Agreement for convenience by giving the other party not less "
        "than six (6) months' prior written notice. Either party may terminate immediately if the "
        "other party becomes insolvent.",
    ),
    ("h", "8. Governing Law and Disputes"),
    (
        "p",
        "This Agreement shall be governed by and construed in accordance with the laws of the Cayman "
        "Islands. Any dispute shall be finally resolved by arbitration seated in George Town.",
    ),
    ("h", "9. Entire Agreement"),
    (
        "p",
        "This Agreement, together with its Schedules, constitutes the entire agreement between the "
        "parties and supersedes all prior negotiations and understandings.",
    ),
]

SECURITY_PROPOSAL = [
    ("title", "Proposal for Penetration Testing and Security Assessment"),
    ("p", "Submitted by: Redwall Security Ltd"),
    ("p", "Submitted to: Meridian Credit Union"),
    ("p", "Date: February 24, 2025"),
    ("h", "1. Understanding of your needs"),
    (
        "p",
        "Meridian Credit Union is launching a new mobile banking application and must demonstrate to "
        "its regulator that the application and the supporting APIs have been independently tested. "
        "You also asked for a review of the external network perimeter of the Des Moines data centre.",
    ),
    ("h", "2. Scope of work"),
    (
        "p",
        "Our assessment covers the iOS and Android applications, 46 REST API endpoints, the external "
        "perimeter (up to 64 IP addresses) and a configuration review of the web application firewall.",
    ),
    ("h", "3. Schedule"),
    (
        "p",
        "Testing will be completed within 6 weeks of the signed purchase order: four weeks of testing "
        "followed by two weeks for reporting and a retest of critical findings.",
    ),
    ("h", "4. Investment"),
    (
        "p",
        "Our all-inclusive fee for the scope above is $27,800, payable 50% on acceptance and 50% on "
        "delivery of the final report. Any retest beyond the first round is billed at $1,400 per day.",
    ),
    ("h", "5. Validity"),
    ("p", "Pricing in this proposal is valid until March 31, 2025."),
    ("h", "6. Why Redwall"),
    (
        "p",
        "Our testers hold OSCP and CREST certifications and have tested more than forty financial "
        "institutions in the last three years.",
    ),
]

FACTURA = [
    ("title", "FACTURA"),
    ("p", "Gráficas del Sur, S.L. - CIF B-41987654 - Polígono Store, Calle A nº 12, 41008 Sevilla"),
    ("p", "Factura nº: F-2025/0093"),
    ("p", "Fecha de emisión: 12/02/2025"),
    ("p", "Fecha de vencimiento: 14/03/2025"),
    ("p", "Cliente: Librería El Faro, S.C. - NIF J-11223344 - Calle Larga 8, 11403 Jerez de la Frontera"),
    ("h", "Conceptos"),
    ("p", "Impresión de 2.000 catálogos de primavera, 24 páginas, papel estucado: 1.250,00 €"),
    ("p", "Diseño y maquetación: 250,00 €"),
    ("p", "Base imponible: 1.500,00 €"),
    ("p", "IVA (21%): 315,00 €"),
    ("p", "TOTAL FACTURA: 1.815,00 €"),
    (
        "p",
        "Forma de pago: transferencia bancaria a la cuenta ES12 0049 1500 0512 3456 7890 antes de la "
        "fecha de vencimiento.",
    ),
]

CONTRATO_MANTENIMIENTO = [
    ("title", "CONTRATO DE MANTENIMIENTO DE INSTALACIONES DE CLIMATIZACIÓN"),
    ("p", "En Santander, a 15 de enero de 2025."),
    ("h", "REUNIDOS"),
    (
        "p",
        "De una parte, CLIMATIZACIÓN NORTE, S.L., con CIF B-39112233 y domicilio en Calle Castilla 40, "
        '39009 Santander (en adelante, "la Empresa Mantenedora").',
    ),
    (
        "p",
        "De otra parte, HOTEL BAHÍA AZUL, S.A., con CIF A-39445566 y domicilio en Paseo de Pereda 22, "
        '39004 Santander (en adelante, "el Titular").',
    ),
    (
        "p",
        "Las partes acuerdan suscribir el presente contrato de mantenimiento con arreglo a las "
        "siguientes cláusulas.",
    ),
    ("h", "Cláusula 1. Objeto"),
    (
        "p",
        "La Empresa Mantenedora realizará el mantenimiento preventivo y correctivo de las "
        "instalaciones de climatización y agua caliente sanitaria del hotel, conforme al RITE.",
    ),
    ("h", "Cláusula 2. Vigencia"),
    (
        "p",
        "El contrato tendrá una duración de un (1) año a contar desde el 15 de enero de 2025, es decir, "
        "hasta el 14 de enero de 2026. Llegado su vencimiento, se prorrogará tácitamente por periodos "
        "anuales sucesivos salvo denuncia expresa de cualquiera de las partes.",
    ),
    ("h", "Cláusula 3. Precio"),
    (
        "p",
        "El importe anual del contrato asciende a 18.600,00 euros, más el IVA correspondiente, "
        "pagadero en doce cuotas mensuales iguales. Las facturas se abonarán a 30 días fecha factura.",
    ),
    ("h", "Cláusula 4. Exclusividad"),
    (
        "p",
        "Durante la vigencia del contrato el Titular se compromete a encargar en exclusiva a la "
        "Empresa Mantenedora cualquier reparación de las instalaciones objeto del contrato.",
    ),
    ("h", "Cláusula 5. Resolución"),
    (
        "p",
        "La denuncia del contrato deberá comunicarse por escrito con una antelación mínima de tres (3) "
        "meses a la fecha de vencimiento. El incumplimiento grave de las obligaciones de cualquiera de "
        "las partes facultará a la otra para resolver el contrato.",
    ),
    ("h", "Cláusula 6. Legislación aplicable"),
    ("p", "Este contrato se rige por la ley española y las partes se someten a los Juzgados de Santander."),
    ("p", "Y en prueba de conformidad, firman el presente documento por duplicado."),
    ("p", "Firmado: Luis Gutiérrez Ortiz, por Climatización Norte, S.L."),
    ("p", "Firmado: Elena Sainz Pérez, por Hotel Bahía Azul, S.A."),
]

POLITICA_TELETRABAJO = [
    ("title", "POLÍTICA DE TELETRABAJO"),
    ("p", "Código: RRHH-POL-012 · Versión: 1.3"),
    ("p", "Responsable de la política: Dirección de Personas y Cultura"),
    ("p", "Fecha de entrada en vigor: 1 de enero de 2025"),
    ("p", "Próxima revisión: 1 de enero de 2026"),
    ("h", "1. Finalidad"),
    (
        "p",
        "Grupo Almenara quiere facilitar la conciliación de la vida personal y profesional sin perder "
        "la colaboración presencial. Esta política establece las condiciones para trabajar a distancia.",
    ),
    ("h", "2. Ámbito de aplicación"),
    (
        "p",
        "La presente política será de aplicación a todas las personas trabajadoras de Grupo Almenara "
        "con contrato indefinido y una antigüedad superior a seis meses, con independencia de su centro "
        "de trabajo.",
    ),
    ("h", "3. Modalidad"),
    (
        "p",
        "Se podrá teletrabajar hasta tres días por semana, previo acuerdo con la persona responsable del "
        "equipo. Los martes y jueves se reservan para el trabajo presencial.",
    ),
    ("h", "4. Medios y compensación de gastos"),
    (
        "p",
        "La empresa facilitará un ordenador portátil, pantalla y silla ergonómica, y abonará una "
        "compensación de 35 euros mensuales por los gastos de conexión y suministros.",
    ),
    ("h", "5. Seguridad de la información"),
    (
        "p",
        "Se deberá usar siempre la VPN corporativa y no se permite el uso de redes wifi públicas para "
        "acceder a sistemas internos.",
    ),
    ("h", "6. Desconexión digital"),
    ("p", "Se garantiza el derecho a la desconexión digital fuera del horario laboral."),
]


def _pdf(path: Path, blocks: list[tuple[str, str]]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    style_for = {"title": styles["Title"], "h": styles["Heading2"], "p": styles["BodyText"]}
    story = []
    for kind, text in blocks:
        story.append(Paragraph(text.replace("&", "&amp;"), style_for[kind]))
        story.append(Spacer(1, 4))
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, title=blocks[0][1], author="agentops golden set", invariant=1
    )
    doc.build(story)


def _docx(path: Path, blocks: list[tuple[str, str]]) -> None:
    import docx

    document = docx.Document()
    for kind, text in blocks:
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind == "h":
            document.add_heading(text, level=2)
        else:
            document.add_paragraph(text)
    document.core_properties.author = "agentops golden set"
    document.save(str(path))


def main() -> None:
    _pdf(HERE / "supply_agreement.pdf", SUPPLY_AGREEMENT)
    _pdf(HERE / "proposal_security_assessment.pdf", SECURITY_PROPOSAL)
    _pdf(HERE / "factura_graficas_del_sur.pdf", FACTURA)
    _docx(HERE / "contrato_mantenimiento.docx", CONTRATO_MANTENIMIENTO)
    _docx(HERE / "politica_teletrabajo.docx", POLITICA_TELETRABAJO)


if __name__ == "__main__":
    main()
