"""Crafted bad documents through the real ``agentops run document``: exit 2 and one line naming
the file, within a memory cap (a zip bomb that regressed dies of MemoryError, not the host)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.integration.test_bad_inputs import one_error_line, run_capped
from tests.unit.test_document_loaders import BODY, make_pdf


def make_docx(path: Path, paragraphs: list[str]) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def rewrite_member(path: Path, name: str, data: bytes, *, declared: int | None = None) -> None:
    """Replace one member of a zip (optionally lying about its size in the central directory)."""
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, blob in members:
            out.writestr(info.filename, data if info.filename == name else blob)
    if declared is not None:
        raw = bytearray(path.read_bytes())
        # central directory entry of `name`: uncompressed size sits 24 bytes after the signature
        index = raw.rfind(b"PK\x01\x02", 0, raw.rfind(name.encode()))
        raw[index + 24 : index + 28] = declared.to_bytes(4, "little")
        path.write_bytes(bytes(raw))


def test_docx_zip_bomb_is_refused_within_a_memory_cap(tmp_path: Path) -> None:
    bomb = make_docx(tmp_path / "bomb.docx", [BODY])
    xml = zipfile.ZipFile(bomb).read("word/document.xml").decode()
    filler = "<w:p><w:r><w:t>" + "A" * 1_000_000 + "</w:t></w:r></w:p>"
    huge = xml.replace("<w:sectPr", filler * 200 + "<w:sectPr", 1).encode()  # ~200 MB of XML
    rewrite_member(bomb, "word/document.xml", huge)
    assert bomb.stat().st_size < 2_000_000
    proc = run_capped("run", "document", "bomb.docx", "--root", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    line = one_error_line(proc.stderr)
    assert "bomb.docx: DOCX unpacks to over" in line and "zip bomb" in line


def test_docx_lying_about_its_size_is_still_stopped(tmp_path: Path) -> None:
    liar = make_docx(tmp_path / "liar.docx", [BODY])
    xml = zipfile.ZipFile(liar).read("word/document.xml").decode()
    huge = xml.replace("<w:sectPr", "<w:p><w:r><w:t>" + "B" * 3_000_000 + "</w:t></w:r></w:p><w:sectPr", 1)
    rewrite_member(liar, "word/document.xml", huge.encode(), declared=1000)
    config = tmp_path / "agentops.yaml"
    config.write_text("document:\n  max_unpacked_bytes: 1000000\n")
    result = run_cli(
        "--config", str(config), "run", "document", "liar.docx", "--root", str(tmp_path), cwd=tmp_path
    )
    assert result.code == 2, result.stderr
    assert "liar.docx: " in one_error_line(result.stderr)


@pytest.mark.parametrize(
    ("name", "build", "words"),
    [
        ("broken.docx", lambda p: rewrite_member(make_docx(p, [BODY]), "word/document.xml", b"<w:body"),
         "broken.docx: unreadable DOCX (XMLSyntaxError)"),
        ("notzip.docx", lambda p: p.write_bytes(b"PK\x03\x04 not a zip" * 10),
         "notzip.docx: unreadable DOCX"),
        ("cut.pdf", lambda p: p.write_bytes(make_pdf(p, [BODY, BODY]).read_bytes()[:700]),
         "cut.pdf: unreadable PDF"),
    ],
    ids=["broken-xml", "not-a-zip", "truncated-pdf"],
)  # fmt: skip
def test_broken_documents_exit_2_with_one_line(tmp_path: Path, name: str, build, words: str) -> None:
    build(tmp_path / name)
    result = run_cli("run", "document", name, "--root", str(tmp_path), cwd=tmp_path)
    assert result.code == 2, result.stderr
    assert words in one_error_line(result.stderr)


def test_long_name_and_nul_byte_paths(tmp_path: Path) -> None:
    long_name = "a" * 300 + ".txt"
    result = run_cli("run", "document", long_name, "--root", str(tmp_path), cwd=tmp_path)
    assert result.code == 2, result.stderr
    assert "cannot open (File name too long)" in one_error_line(result.stderr)
    # argv cannot carry NUL; an eval row can
    data = tmp_path / "rows.jsonl"
    data.write_text(
        '{"id": "d", "agent": "document", "input": "a\\u0000b.txt"}\n'
        + f'{{"id": "e", "agent": "document", "input": "{long_name}"}}\n'
    )
    result = run_cli("eval", "--dataset", str(data), "--provider", "offline")
    assert result.code == 2, result.stderr
    assert f"{data}:1: document path holds a NUL byte" in one_error_line(result.stderr)
    data.write_text(f'{{"id": "e", "agent": "document", "input": "{long_name}"}}\n')
    result = run_cli("eval", "--dataset", str(data), "--provider", "offline")
    assert result.code == 2, result.stderr
    assert f"{data}:1: document 'aaa" in one_error_line(result.stderr)


def test_pdf_renamed_txt_is_read_as_pdf(tmp_path: Path) -> None:
    make_pdf(tmp_path / "real.pdf", [BODY, "The agreement is governed by the laws of Spain."])
    (tmp_path / "disguised.txt").write_bytes((tmp_path / "real.pdf").read_bytes())
    result = run_cli("run", "document", "disguised.txt", "--root", str(tmp_path), "--json", cwd=tmp_path)
    assert result.code == 0, result.stderr
    out = result.json()
    assert out["format"] == "pdf" and out["pages"] == 2
    assert "%PDF" not in out["summary"]


def test_boolean_input_of_a_document_row(tmp_path: Path) -> None:
    data = tmp_path / "rows.yaml"
    data.write_text("- {id: d, agent: document, input: true}\n")
    result = run_cli("eval", "--dataset", str(data), "--provider", "offline")
    assert result.code == 2, result.stderr
    assert f"{data}:1: 'input' must be text, got bool" in one_error_line(result.stderr)
