"""Read a document into plain text, but only from inside the allowed root.

Offsets of every extracted value point into the text returned here, so this module is
the single definition of "the loaded text". Heavy parsers (pypdf, python-docx) are
imported inside the functions that need them.

Every refusal is a :class:`BadInput` (exit 2) whose message starts with the path.
"""

from __future__ import annotations

import functools
import html
import os
import re
import stat
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from agentops_cli.errors import BadInput

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED = sorted(TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"})


class LoadedDocument(BaseModel):
    """The text the agent works on and where it came from."""

    path: str
    format: str
    text: str
    pages: int | None = None
    encoding: str | None = None
    title: str = ""  # the HTML <title>, when there is one


@dataclass(frozen=True)
class ExtractBudget:
    """What one document may cost to read. Why: the file-size limit bounds only the *packed*
    bytes — a 245 KB DOCX can unpack to 200 MB of XML (a zip bomb), a PDF's content streams
    can take minutes per page. ``max_pages`` None: no page limit."""

    max_pages: int | None = 500
    max_unpacked_bytes: int = 64 * 1024 * 1024
    max_text_chars: int = 20 * 1024 * 1024
    max_seconds: float = 120.0


# -- sandbox -------------------------------------------------------------------------------------
def link_refusal(path: Path, real_root: Path, *, allow_hard_links: bool = False) -> str | None:
    """Why a file found under ``real_root`` (already resolved) must not be read, or None.

    The root rule shared by documents, research corpora and support packs: a symlink is
    judged by where it finally points, and a regular file with more than one name (a hard
    link) is refused unless allowed, because no path check can tell where its other names
    live — ``ln /etc/shadow corpus/notes.txt`` looks like any file inside the root.
    """
    real = path.resolve()
    if not _inside(str(real), real_root):  # judged before stat: a dangling link outside says so
        return f"symlink leaves the root {real_root}"
    return _refusal(str(real), real.stat(), real_root, allow_hard_links)


def _inside(real: str, real_root: Path) -> bool:
    return real == str(real_root) or real.startswith(str(real_root).rstrip(os.sep) + os.sep)


def _refusal(real: str, info: os.stat_result, real_root: Path, allow_hard_links: bool) -> str | None:
    """The root rule on a resolved path and its stat (see :func:`link_refusal`)."""
    if not _inside(real, real_root):
        return f"symlink leaves the root {real_root}"
    return _hard_link_refusal(info, real_root, allow_hard_links)


def _hard_link_refusal(info: os.stat_result, real_root: Path, allow_hard_links: bool) -> str | None:
    hard_link = stat.S_ISREG(info.st_mode) and info.st_nlink > 1
    if hard_link and not allow_hard_links and not _bundled(real_root):
        return f"hard link ({info.st_nlink} names; set document.allow_hard_links to read it)"
    return None


PathLike = TypeVar("PathLike", str, Path)


def safe_files(
    root: Path, files: list[PathLike], *, allow_hard_links: bool
) -> tuple[list[PathLike], list[str]]:
    """(files to read, "path: why" of the refused) under the document agent's root rule.

    Why the fast path: a file that is not itself a symlink resolves to its folder's real path
    plus its name, so one ``lstat`` per file and one ``resolve`` (and one containment check)
    per folder apply the same rule as :func:`link_refusal`. Paths may be given as ``str``
    (returned as given): on a 10,000-file corpus, making a ``Path`` per file cost more than
    the checks themselves.
    """
    real_root = root.resolve()
    leaves: dict[str, str | None] = {}  # folder -> why its files are outside the root (None: inside)
    kept: list[PathLike] = []
    refused: list[str] = []
    for path in files:
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                why = link_refusal(Path(path), real_root, allow_hard_links=allow_hard_links)
            else:
                folder = os.path.dirname(path)
                if folder not in leaves:
                    real = os.path.realpath(folder or ".")
                    outside = not _inside(real, real_root)
                    leaves[folder] = f"symlink leaves the root {real_root}" if outside else None
                why = leaves[folder] or _hard_link_refusal(info, real_root, allow_hard_links)
        except OSError as exc:  # a dangling or looping link
            why = f"unreadable link ({exc.__class__.__name__})"
        if why:
            refused.append(f"{Path(path).relative_to(root).as_posix()}: {why}")
        else:
            kept.append(path)
    return kept, refused


@functools.lru_cache(maxsize=64)
def _bundled(real_root: Path) -> bool:
    """Data shipped in the package is trusted: installers such as uv hard-link it from a cache.

    Cached: a 10,000-file corpus asks this once per file about the same root."""
    from agentops_cli.resources import datasets_dir

    bundled = datasets_dir().resolve()
    return real_root == bundled or bundled in real_root.parents


def resolve_in_root(raw: str, root: str | Path | None, *, allow_hard_links: bool = False) -> Path:
    """Resolve ``raw`` and refuse anything outside ``root`` (default: the current directory).

    A relative path is read from the current directory when it exists there, otherwise
    from the root (so eval rows can name files relative to their dataset folder).
    ``..`` segments, absolute paths and symlinks are all judged by where they finally
    point: ``Path.resolve`` follows every link before the containment check.
    """
    if not raw or not raw.strip():
        raise BadInput("document path is empty")
    if "\x00" in raw:
        raise BadInput(f"{raw!r}: path holds a NUL byte")
    try:
        return _resolve_in_root(raw, root, allow_hard_links)
    except OSError as exc:  # a 300-character name, a loop of links, a permission
        raise BadInput(f"{raw}: cannot open ({exc.strerror or exc.__class__.__name__})") from exc


def _resolve_in_root(raw: str, root: str | Path | None, allow_hard_links: bool) -> Path:
    root_path = Path(root).expanduser() if root else Path.cwd()
    if not root_path.is_dir():
        raise BadInput(f"{root_path}: allowed root is not a directory")
    real_root = root_path.resolve()
    given = Path(raw).expanduser()
    if given.is_absolute():
        candidate = given
    else:
        from_cwd = Path.cwd() / given
        candidate = from_cwd if from_cwd.exists() else root_path / given
    real = candidate.resolve()
    if real != real_root and real_root not in real.parents:
        why = "symlink leaves" if _has_symlink(candidate) else "is outside"
        raise BadInput(f"{raw}: {why} the allowed root {real_root} (use --root to allow another folder)")
    if not real.exists():
        raise BadInput(f"{raw}: file not found")
    if not real.is_file():
        raise BadInput(f"{raw}: not a regular file")
    refusal = link_refusal(real, real_root, allow_hard_links=allow_hard_links)
    if refusal:
        raise BadInput(f"{raw}: refused: {refusal}")
    return real


def _has_symlink(path: Path) -> bool:
    probe = path.absolute()
    return any(p.is_symlink() for p in (probe, *probe.parents))


# -- loaders -------------------------------------------------------------------------------------
def load_document(
    raw: str,
    root: str | Path | None,
    *,
    max_bytes: int,
    max_pages: int,
    allow_hard_links: bool = False,
    budget: ExtractBudget | None = None,
) -> LoadedDocument:
    """Sandbox check, size limit, format dispatch, and the "is there any text" check."""
    path = resolve_in_root(raw, root, allow_hard_links=allow_hard_links)
    size = path.stat().st_size
    if size == 0:
        raise BadInput(f"{raw}: file is empty")
    if size > max_bytes:
        raise BadInput(f"{raw}: file is {size} bytes, over the limit of {max_bytes} (document.max_bytes)")
    budget = budget or ExtractBudget(max_pages=max_pages, max_text_chars=max_bytes)
    doc = read_file(path, raw, max_pages=max_pages, budget=budget)
    if len(doc.text.strip()) < 20:
        hint = " (scanned PDF without a text layer? run OCR first)" if doc.format == "pdf" else ""
        raise BadInput(f"{raw}: no readable text in the document{hint}")
    return doc


def read_file(
    path: Path, raw: str, *, max_pages: int | None = None, budget: ExtractBudget | None = None
) -> LoadedDocument:
    """Format dispatch only: ``path`` to text, no sandbox, size or "enough text" checks.

    Why public: the research corpus reads its files through here too, so a document and a
    corpus source always yield the same text. ``raw`` is the name used in error messages;
    ``max_pages`` None means no page limit. Raises :class:`BadInput` on unreadable input.
    The format is the suffix's, except that a file starting with the PDF magic bytes is read
    as a PDF whatever its name (a PDF renamed ``.txt`` is not text).
    """
    budget = budget or ExtractBudget(max_pages=max_pages)
    suffix = path.suffix.lower()
    if suffix == ".pdf" or _is_pdf(path):
        return _load_pdf(path, raw, budget)
    if suffix == ".docx":
        return _load_docx(path, raw, budget)
    if suffix in HTML_SUFFIXES:
        markup, encoding = decode_text(path.read_bytes(), raw)
        text, title = parse_html(markup)
        return LoadedDocument(path=str(path), format="html", text=text, encoding=encoding, title=title)
    if suffix in TEXT_SUFFIXES or suffix == "":
        text, encoding = decode_text(path.read_bytes(), raw)
        fmt = "md" if suffix in {".md", ".markdown"} else "txt"
        return LoadedDocument(path=str(path), format=fmt, text=_tidy(text), encoding=encoding)
    raise BadInput(f"{raw}: unsupported file type '{suffix}' (supported: {', '.join(SUPPORTED)})")


def decode_text(data: bytes, raw: str) -> tuple[str, str]:
    """``(text, encoding)``: UTF-8, else the detected code page; refuse binary data rather
    than analyse mojibake."""
    if b"\x00" in data[:8192]:
        raise BadInput(f"{raw}: looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    # On short text several code pages are equally clean ("año" reads as "a±o" in cp775);
    # ties go to cp1252, the legacy encoding of the English and Spanish files read here.
    western = next((m for m in results if m.encoding == "cp1252" and best and m.chaos <= best.chaos), None)
    best = western or best
    if best is None or best.encoding is None:
        raise BadInput(f"{raw}: cannot detect the text encoding (binary file?)")
    text = str(best)
    printable = sum(c.isprintable() or c in "\n\r\t" for c in text)
    if printable < 0.95 * max(len(text), 1):
        raise BadInput(f"{raw}: looks like a binary file, not text")
    return text, best.encoding


def _tidy(text: str) -> str:
    """Normalise line ends and strip trailing spaces, nothing else (offsets stay meaningful)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"


def _is_pdf(path: Path) -> bool:
    """``%PDF-`` within the first 1,024 bytes, where the PDF spec allows the header."""
    try:
        with path.open("rb") as fh:
            return b"%PDF-" in fh.read(1024)
    except OSError:
        return False


def _load_pdf(path: Path, raw: str, budget: ExtractBudget) -> LoadedDocument:
    import logging
    import warnings

    from pypdf import PdfReader

    # pypdf reports recoverable damage through logging and warnings; the user gets one line.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    started = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(str(path))
            if reader.is_encrypted:
                raise BadInput(f"{raw}: PDF is encrypted")
            pages = len(reader.pages)
            if budget.max_pages is not None and pages > budget.max_pages:
                raise BadInput(
                    f"{raw}: PDF has {pages} pages, over the limit of {budget.max_pages} (document.max_pages)"
                )
            parts: list[str] = []
            chars = 0
            for page in reader.pages:
                part = page.extract_text() or ""
                parts.append(part)
                chars += len(part)
                _check_budget(raw, budget, started, chars)
    except BadInput:
        raise
    except Exception as exc:  # a third-party parser on untrusted bytes: any failure is bad input
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise BadInput(f"{raw}: unreadable PDF ({exc.__class__.__name__}: {first[:120]})") from exc
    return LoadedDocument(path=str(path), format="pdf", text=_tidy("\n\n".join(parts)), pages=pages)


def _check_budget(raw: str, budget: ExtractBudget, started: float, chars: int) -> None:
    if chars > budget.max_text_chars:
        limit = budget.max_text_chars
        raise BadInput(f"{raw}: extracted text passes {limit} characters (document.max_bytes)")
    if time.monotonic() - started > budget.max_seconds:
        raise BadInput(f"{raw}: text extraction took over {budget.max_seconds:g} s (document.max_extract_s)")


def _check_zip(path: Path, raw: str, budget: ExtractBudget) -> None:
    """Refuse a zip bomb before python-docx unpacks it: the members' declared sizes, then the
    bytes they really inflate to (read in chunks, stopping at the budget), must stay under
    ``max_unpacked_bytes``. zipfile also checks each member's CRC and length as it reads."""
    import zipfile

    limit = budget.max_unpacked_bytes
    too_big = f"{raw}: DOCX unpacks to over {limit} bytes (document.max_unpacked_bytes); refusing a zip bomb"
    started = time.monotonic()
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > limit:
            raise BadInput(too_big)
        total = 0
        for member in members:
            with archive.open(member) as fh:
                while chunk := fh.read(1 << 20):
                    total += len(chunk)
                    if total > limit:
                        raise BadInput(too_big)
                    if time.monotonic() - started > budget.max_seconds:
                        seconds = f"{budget.max_seconds:g}"
                        raise BadInput(f"{raw}: unpacking took over {seconds} s (document.max_extract_s)")


def _load_docx(path: Path, raw: str, budget: ExtractBudget) -> LoadedDocument:
    import docx

    started = time.monotonic()
    try:
        _check_zip(path, raw, budget)
        document = docx.Document(str(path))
        blocks = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                blocks.append(" | ".join(cell.text.strip() for cell in row.cells))
    except BadInput:
        raise
    except Exception as exc:  # broken XML, a missing part, not a zip: bad input, one line
        raise BadInput(f"{raw}: unreadable DOCX ({exc.__class__.__name__})") from exc
    text = "\n".join(b for b in blocks if b.strip())
    _check_budget(raw, budget, started, len(text))
    return LoadedDocument(path=str(path), format="docx", text=_tidy(text))


# -- HTML ----------------------------------------------------------------------------------------
_BLOCK_TAGS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
    "article", "header", "footer", "ul", "ol", "blockquote", "pre", "hr",
}  # fmt: skip
_CELL_TAGS = {"td", "th"}


_SKIP_TAGS = {"script", "style", "head", "noscript", "template"}


class _TextExtractor(HTMLParser):
    """HTML → text with one line per block element; scripts and styles dropped, <title> kept apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def parse_html(markup: str) -> tuple[str, str]:
    """``(text, title)``: the body as tidy text (blank line between blocks) and the <title>."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip(" |") for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return _tidy("\n".join(out)), " ".join(parser.title.split())


def is_within(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """True when ``path`` resolves inside ``root`` (used by tests and callers that pre-check)."""
    real, real_root = Path(path).resolve(), Path(root).resolve()
    return real == real_root or real_root in real.parents
