"""Loaders (txt, md, html, pdf, docx) and the sandbox, on real files written by the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentops_cli.agents.document.loaders import is_within, load_document, resolve_in_root
from agentops_cli.errors import BadInput

LIMITS = {"max_bytes": 1_000_000, "max_pages": 5}
BODY = "This Services Agreement is made on 1 March 2025 between Acme Ltd and Beta GmbH."


def make_pdf(path: Path, pages: list[str]) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    for text in pages:
        if text:
            pdf.drawString(72, 760, text)
        else:
            pdf.rect(72, 600, 200, 100, fill=1)  # an image-like page without a text layer
        pdf.showPage()
    pdf.save()
    return path


def test_txt_with_latin1_encoding_is_detected(tmp_path: Path) -> None:
    text = (
        "Contrato de prestación de servicios entre Acme, S.L. y Beta, S.A. por un importe de 15.000,00 €.\n"
        * 3
    )
    (tmp_path / "c.txt").write_bytes(text.encode("cp1252"))
    doc = load_document("c.txt", tmp_path, **LIMITS)
    assert doc.format == "txt"
    assert "prestación" in doc.text and "15.000,00 €" in doc.text
    assert doc.encoding and doc.encoding.lower() != "utf-8"  # detected, and the text above decodes right


def test_markdown_and_crlf(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_bytes(b"# Policy\r\n\r\nThis policy applies to all staff of Acme.\r\n")
    doc = load_document(str(tmp_path / "p.md"), tmp_path, **LIMITS)
    assert doc.format == "md"
    assert doc.text == "# Policy\n\nThis policy applies to all staff of Acme.\n"


def test_html_drops_scripts_and_keeps_blocks(tmp_path: Path) -> None:
    (tmp_path / "i.html").write_text(
        "<html><head><title>x</title><script>var secret=1;</script></head><body>"
        "<h1>Invoice #77</h1><p>Amount due: <b>$1,200.00</b> &amp; more</p>"
        "<table><tr><td>a</td><td>b</td></tr></table></body></html>",
        encoding="utf-8",
    )
    doc = load_document("i.html", tmp_path, **LIMITS)
    assert doc.format == "html"
    assert "secret" not in doc.text
    assert "Invoice #77\n" in doc.text
    assert "Amount due: $1,200.00 & more" in doc.text
    assert "a | b" in doc.text


def test_pdf_text_and_page_limit(tmp_path: Path) -> None:
    make_pdf(tmp_path / "a.pdf", [BODY, "Page two of the agreement text."])
    doc = load_document("a.pdf", tmp_path, **LIMITS)
    assert doc.format == "pdf" and doc.pages == 2
    assert "1 March 2025" in doc.text and "Page two" in doc.text
    make_pdf(tmp_path / "long.pdf", [BODY] * 6)
    with pytest.raises(BadInput, match=r"long\.pdf: PDF has 6 pages, over the limit of 5"):
        load_document("long.pdf", tmp_path, **LIMITS)


def test_scanned_pdf_without_text_is_refused(tmp_path: Path) -> None:
    make_pdf(tmp_path / "scan.pdf", ["", ""])
    with pytest.raises(BadInput, match=r"scan\.pdf: no readable text .*OCR"):
        load_document("scan.pdf", tmp_path, **LIMITS)


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Política de Teletrabajo", level=0)
    document.add_paragraph("Responsable de la política: Dirección de Personas")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Versión"
    table.rows[0].cells[1].text = "2.0"
    document.save(str(tmp_path / "p.docx"))
    doc = load_document("p.docx", tmp_path, **LIMITS)
    assert doc.format == "docx"
    assert doc.text.splitlines() == [
        "Política de Teletrabajo",
        "Responsable de la política: Dirección de Personas",
        "Versión | 2.0",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "file is empty"),
        ("bin.txt", b"\x00\x01\x02binary\x00" * 20, "binary file"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf" * 5, "unreadable PDF"),
        ("broken.docx", b"PK not a zip at all" * 5, "unreadable DOCX"),
        ("sheet.xlsx", b"whatever content here", "unsupported file type '.xlsx'"),
        ("tiny.txt", b"hi", "no readable text"),
    ],
)
def test_bad_files_are_bad_input(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(BadInput, match=message) as exc:
        load_document(name, tmp_path, **LIMITS)
    assert str(exc.value).startswith(name)
    assert exc.value.exit_code == 2


def test_size_limit(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text(BODY * 100, encoding="utf-8")
    with pytest.raises(BadInput, match=r"over the limit of 1000 \(document.max_bytes\)"):
        load_document("big.txt", tmp_path, max_bytes=1000, max_pages=5)


# -- sandbox -------------------------------------------------------------------------------------
@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "ok.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "secret.txt").write_text("top secret " * 10, encoding="utf-8")
    return root


def test_inside_root_relative_to_root_and_cwd(
    tree: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_in_root("sub/ok.txt", tree) == (tree / "sub" / "ok.txt").resolve()
    monkeypatch.chdir(tree)
    assert resolve_in_root("sub/ok.txt", None) == (tree / "sub" / "ok.txt").resolve()
    assert resolve_in_root("sub/../sub/ok.txt", tree).name == "ok.txt"  # ".." that stays inside is fine


@pytest.mark.parametrize("escape", ["../secret.txt", "sub/../../secret.txt"])
def test_dotdot_escape_is_refused(tree: Path, escape: str) -> None:
    with pytest.raises(BadInput, match="is outside the allowed root"):
        resolve_in_root(escape, tree)


def test_absolute_path_outside_is_refused(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="is outside the allowed root"):
        resolve_in_root(str(tmp_path / "secret.txt"), tree)
    with pytest.raises(BadInput, match="outside"):
        resolve_in_root("/etc/passwd", tree)


def test_symlink_leaving_the_root_is_refused(tree: Path, tmp_path: Path) -> None:
    os.symlink(tmp_path / "secret.txt", tree / "link.txt")
    os.symlink(tmp_path, tree / "dirlink")
    with pytest.raises(BadInput, match="symlink leaves the allowed root"):
        resolve_in_root("link.txt", tree)
    with pytest.raises(BadInput, match="symlink leaves"):
        resolve_in_root("dirlink/secret.txt", tree)
    os.symlink(tree / "sub" / "ok.txt", tree / "inner.txt")
    assert resolve_in_root("inner.txt", tree).name == "ok.txt"
    assert is_within(tree / "inner.txt", tree) and not is_within(tree / "link.txt", tree)


def test_missing_dir_and_odd_paths(tree: Path) -> None:
    with pytest.raises(BadInput, match="file not found"):
        resolve_in_root("sub/nope.txt", tree)
    with pytest.raises(BadInput, match="not a regular file"):
        resolve_in_root("sub", tree)
    with pytest.raises(BadInput, match="allowed root is not a directory"):
        resolve_in_root("ok.txt", tree / "missing")
    with pytest.raises(BadInput, match="empty"):
        resolve_in_root("  ", tree)


def test_short_cp1252_text_is_not_read_as_another_code_page(tmp_path: Path) -> None:
    from agentops_cli.agents.document.loaders import decode_text

    body = "Informe de mercado\n\nCrecimiento del 12% en año fiscal.\n"  # cp775 reads "a±o"
    assert decode_text(body.encode("cp1252"), "x.txt") == (body, "cp1252")


def test_html_title_is_kept_apart_from_the_text(tmp_path: Path) -> None:
    from agentops_cli.agents.document.loaders import read_file

    (tmp_path / "p.html").write_text(
        "<html><head><title> Rival\n profile </title></head><body><h1>Acme</h1>"
        "<p>Acme has 120 customers.</p><noscript>enable JS</noscript></body></html>",
        encoding="utf-8",
    )
    doc = read_file(tmp_path / "p.html", "p.html")
    assert (doc.format, doc.title, doc.text) == ("html", "Rival profile", "Acme\n\nAcme has 120 customers.\n")


def test_research_corpus_reads_the_same_text_as_the_document_agent(tmp_path: Path) -> None:
    from agentops_cli.agents.research.corpus import read_document

    (tmp_path / "n.md").write_bytes(b"# Note  \r\n\r\nThe market grew 9% in 2024.   \r\n")
    loaded = load_document("n.md", tmp_path, **LIMITS)
    assert read_document(tmp_path / "n.md", tmp_path).text == loaded.text.strip()
    assert loaded.text == "# Note\n\nThe market grew 9% in 2024.\n"
