"""One walk over a code base: every file listed once, every text file read at most once.

Detectors never touch the disk; they query the :class:`RepoSnapshot` built here, so
75 checks cost one directory walk plus one read per file. The scanner only *reads*:
it never imports or runs the project's code, and it skips what cannot hold evidence
(VCS folders, virtualenvs, ``node_modules``, caches, binaries, files over 1 MB).
"""

from __future__ import annotations

import os
import re
import struct
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentops_cli.readiness.codeview import LiteralMap

MAX_BYTES = 1_000_000

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".eggs",
        "site-packages",
        "dist",
        "build",
        "htmlcov",
        ".idea",
        ".vscode",
        ".cache",
        ".terraform",
        ".next",
        "bower_components",
        "vendor",
        "target",
        ".gradle",
        ".agentops",
    }
)
BINARY_EXT = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".ico",
        ".webp",
        ".pdf",
        ".docx",
        ".xlsx",
        ".pptx",
        ".zip",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".7z",
        ".tar",
        ".whl",
        ".egg",
        ".jar",
        ".war",
        ".so",
        ".dll",
        ".dylib",
        ".exe",
        ".bin",
        ".o",
        ".a",
        ".pyc",
        ".pyo",
        ".class",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".mp3",
        ".mp4",
        ".wav",
        ".avi",
        ".mov",
        ".db",
        ".sqlite",
        ".sqlite3",
        ".pkl",
        ".pickle",
        ".npy",
        ".npz",
        ".parquet",
        ".onnx",
        ".pt",
        ".pth",
        ".h5",
        ".joblib",
    }
)
CODE_EXT = frozenset(
    {
        ".py",
        ".js",
        ".mjs",
        ".cjs",
        ".ts",
        ".tsx",
        ".jsx",
        ".go",
        ".java",
        ".kt",
        ".rb",
        ".rs",
        ".cs",
        ".php",
        ".scala",
        ".swift",
    }
)
DOC_EXT = frozenset({".md", ".rst", ".txt", ".adoc", ".puml", ".dsl", ".mmd"})
OPT_OUT = "checklist: skip-file"
# Literals implied by a pattern (registered by pattern builders such as ``imports()``), used as
# the pre-filter of ``grep`` when the caller gives no needles.
PATTERN_NEEDLES: dict[re.Pattern[str], tuple[str, ...]] = {}
TEST_DIRS = frozenset({"tests", "test", "__tests__", "spec", "testing", "e2e"})
EXAMPLE_DIRS = frozenset({"examples", "example"})  # demos users copy: not the project's production code
# Never evidence of a practice: lock files and vendored/minified/generated code describe other
# people's code; notebooks mix code with outputs (printed data, model answers); data folders
# hold sample text (tweets, prompts, documents) whose words are not the project's behaviour.
LOCK_NAMES = frozenset(
    {
        "poetry.lock",
        "uv.lock",
        "pipfile.lock",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "cargo.lock",
        "go.sum",
        "composer.lock",
        "gemfile.lock",
        "bun.lockb",
    }
)
VENDOR_DIRS = frozenset({"vendor", "vendored", "_vendor", "third_party", "thirdparty", "external"})
DATA_DIRS = frozenset(
    {
        "fixtures",
        "fixture",
        "testdata",
        "test_data",
        "sample_data",
        "samples",
        "sample",
        "data",
        "datasets",
        "examples_data",
        "__snapshots__",
        "snapshots",
        "cassettes",
    }
)
NOT_EVIDENCE_EXT = frozenset({".ipynb", ".lock", ".map", ".svg", ".csv", ".tsv", ".log"})


@dataclass
class SourceFile:
    """A file of the code base; ``text`` is ``None`` for binaries, big or unreadable files."""

    path: str
    size: int
    text: str | None = None

    @cached_property
    def opted_out(self) -> bool:
        """A file that says ``checklist: skip-file`` near its top is never used as evidence.

        Files that *describe* checks (pattern tables, catalogues, the checklist's own tests)
        would otherwise count as evidence of the very practices they look for.
        """
        return self.text is not None and OPT_OUT in self.text[:2000]

    @cached_property
    def name(self) -> str:
        return self.path.rpartition("/")[2]

    @cached_property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    @cached_property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.path.split("/"))

    @cached_property
    def is_test(self) -> bool:
        name = self.name
        return (
            any(p in TEST_DIRS for p in self.parts[:-1])
            or name.startswith("test_")
            or name == "conftest.py"
            or name.endswith(("_test.py", "_test.go"))
            or ".test." in name
            or ".spec." in name
            or any(p.endswith(("_tests", "-tests")) or p.startswith("tests_") for p in self.parts[:-1])
        )

    @cached_property
    def is_data(self) -> bool:
        """Sample or fixture data (``fixtures/``, ``data/``, ``testdata/``…): words, not behaviour."""
        return any(p.lower() in DATA_DIRS for p in self.parts[:-1]) and not self.is_code

    @cached_property
    def not_evidence(self) -> bool:
        """Lock, vendored, minified or notebook files, and opted-out files: never evidence."""
        name = self.name.lower()
        return (
            self.opted_out
            or name in LOCK_NAMES
            or self.suffix in NOT_EVIDENCE_EXT
            or name.endswith((".min.js", ".min.css", ".bundle.js", "_pb2.py", ".generated.ts"))
            or any(p.lower() in VENDOR_DIRS for p in self.parts[:-1])
        )

    @cached_property
    def literals(self) -> list[tuple[int, int]]:
        """Offsets of comments and string literals (see :mod:`.codeview`), computed on first use."""
        from agentops_cli.readiness.codeview import literal_spans

        return literal_spans(self.text or "", self.suffix, self.name)

    @cached_property
    def code(self) -> str:
        """The text with comments and string literals blanked: for the few whole-file questions."""
        from agentops_cli.readiness.codeview import code_view

        return code_view(self.text or "", self.literals)

    @cached_property
    def _literal_map(self) -> LiteralMap:
        from agentops_cli.readiness.codeview import LiteralMap

        return LiteralMap(self.text or "", self.suffix, self.name)

    def in_literal(self, offset: int) -> bool:
        """Whether ``offset`` lies in a comment or string literal (so it is not code)."""
        return self._literal_map.contains(offset)

    @property
    def is_code(self) -> bool:
        return self.suffix in CODE_EXT

    @property
    def is_python(self) -> bool:
        return self.suffix == ".py"

    @property
    def is_doc(self) -> bool:
        return self.suffix in DOC_EXT

    @cached_property
    def lower(self) -> str:
        return (self.text or "").lower()

    def line_at(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return (self.text or "").count("\n", 0, offset) + 1


@dataclass
class Hit:
    """A regex match: the file, its 1-based line and the matched text."""

    file: SourceFile
    line: int
    match: str


@dataclass
class GitInfo:
    """What the scanner reads from ``.git`` (files only, never the git command)."""

    is_repo: bool = False
    tags: list[str] = field(default_factory=list)
    tracked: set[str] | None = None  # None when the index could not be read


@dataclass
class RepoSnapshot:
    """Everything detectors may know about a code base, gathered in one walk."""

    root: Path
    files: dict[str, SourceFile]
    dirs: set[str]
    git: GitInfo
    skipped: dict[str, int] = field(default_factory=dict)

    # -- queries -----------------------------------------------------------------------------
    def get(self, path: str) -> SourceFile | None:
        return self.files.get(path)

    def text(self, path: str) -> str | None:
        found = self.files.get(path)
        return found.text if found else None

    def text_files(self) -> Iterator[SourceFile]:
        return (f for f in self.files.values() if f.text is not None)

    @cached_property
    def code(self) -> list[SourceFile]:
        """Non-test, non-example source files (any language), the ones whose behaviour ships."""
        return [
            f
            for f in self.text_files()
            if f.is_code and not f.is_test and not EXAMPLE_DIRS & set(f.parts[:-1])
        ]

    @cached_property
    def tests(self) -> list[SourceFile]:
        return [f for f in self.text_files() if f.is_test and f.is_code]

    @cached_property
    def python(self) -> list[SourceFile]:
        return [f for f in self.code if f.is_python]

    @cached_property
    def docs(self) -> list[SourceFile]:
        return [f for f in self.text_files() if f.is_doc]

    def named(self, *names: str) -> list[SourceFile]:
        """Files whose base name is one of ``names`` (case-insensitive), anywhere in the tree."""
        wanted = {n.lower() for n in names}
        return [f for f in self.files.values() if f.name.lower() in wanted]

    def under(self, prefix: str) -> list[SourceFile]:
        prefix = prefix.rstrip("/") + "/"
        return [f for f in self.files.values() if f.path.startswith(prefix)]

    def has_dir(self, path: str) -> bool:
        return path.rstrip("/") in self.dirs

    @cached_property
    def _token_index(self) -> tuple[str, list[int], list[list[str]]]:
        """Inverted index of whitespace-separated lower-case tokens -> files containing them.

        Built once (one split per file); afterwards "which files contain this literal?" costs
        a search over the distinct tokens instead of over every byte of every file.
        """
        postings: dict[str, list[str]] = {}
        for file in self.text_files():
            for token in set(file.lower.split()):
                postings.setdefault(token, []).append(file.path)
        words = list(postings)
        joined = "\n".join(words)
        starts, pos = [], 0
        for word in words:
            starts.append(pos)
            pos += len(word) + 1
        return joined, starts, [postings[w] for w in words]

    def files_with(self, needle: str) -> set[str]:
        """Paths of the text files whose lower-cased text contains ``needle`` (memoised)."""
        cache: dict[str, set[str]] = self.__dict__.setdefault("_needle_cache", {})
        if needle in cache:
            return cache[needle]
        pieces = needle.split()
        if len(pieces) != 1 or pieces[0] != needle:  # spans tokens: scan the files holding each piece
            holders = (
                set.intersection(*(self.files_with(p) for p in pieces))
                if pieces
                else {f.path for f in self.text_files()}
            )
            found = {path for path in holders if needle in self.files[path].lower}
        else:
            joined, starts, lists = self._token_index
            found = set()
            at = joined.find(needle)
            while at >= 0:
                index = bisect_right(starts, at) - 1
                found.update(lists[index])
                next_start = starts[index + 1] if index + 1 < len(starts) else len(joined)
                at = joined.find(needle, next_start)
        cache[needle] = found
        return found

    def files_with_any(self, needles: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for needle in needles:
            found |= self.files_with(needle)
        return found

    def grep(
        self,
        pattern: re.Pattern[str],
        files: Iterable[SourceFile],
        *,
        needles: tuple[str, ...] = (),
        limit: int = 20,
        per_file: int = 1,
        raw: bool = False,
        data: bool = False,
        leaks: bool = False,
    ) -> list[Hit]:
        """Matches of ``pattern`` in ``files``, at most ``per_file`` each and ``limit`` in all.

        ``needles`` are lower-case literals of which at least one must occur in a file for
        the regex to run there: a substring test is far cheaper than a regex, which keeps a
        10k-file scan within seconds.

        A match counts only when it starts in *code*, outside comments and string literals (see
        :mod:`.codeview`), unless ``raw``: only detectors that look for literals on purpose
        (secrets, hard-coded model names, route paths, inline prompts) read raw text. Lock,
        vendored and notebook files are never searched (``not_evidence``), nor sample/fixture data
        unless ``data`` (only the detectors whose evidence *is* a data set, such as abuse cases).
        ``leaks`` searches lock, vendored, notebook and log files too (not opted-out ones): they
        prove no practice, but a key written in a notebook's output or a log has leaked all the same.
        """
        hits: list[Hit] = []
        needles = needles or PATTERN_NEEDLES.get(pattern, ())
        candidates = self.files_with_any(needles) if needles else None
        for file in files:
            if file.text is None or (file.is_data and not data):
                continue
            if file.not_evidence and not (leaks and not file.opted_out):
                continue
            if candidates is not None and file.path not in candidates:
                continue
            matches = self.matches(pattern, file, needles)
            if not raw:
                matches = (m for m in matches if not file.in_literal(m.start()))
            for found, match in enumerate(matches, 1):
                hits.append(Hit(file, file.line_at(match.start()), match.group(0)))
                if found >= per_file or len(hits) >= limit:
                    break
            if len(hits) >= limit:
                break
        return hits

    def matches(
        self, pattern: re.Pattern[str], file: SourceFile, needles: tuple[str, ...] = ()
    ) -> Iterator[re.Match[str]]:
        """Matches of ``pattern`` in ``file``'s raw text, in order; with ``needles`` (lower-case
        literals, one of which every match holds), the regex runs only on the lines holding one.

        Only the needles the file holds are searched for (the token index knows which): an
        absent needle would cost a whole-file ``find`` for nothing.
        """
        text = file.text or ""
        if needles and _single_line(pattern) and len(file.lower) == len(text):
            present = tuple(n for n in needles if file.path in self.files_with(n))
            return _lines_with(pattern, text, file.lower, present)
        return getattr(pattern, "compiled", pattern).finditer(text)


_SINGLE_LINE: dict[str, bool] = {}


def _single_line(pattern: re.Pattern[str]) -> bool:
    """Whether every match of ``pattern`` lies on one line (so only needle lines need the regex).

    Memoised by source: ``grep`` asks once per call, and ~120 calls per run re-parsed the source.
    """
    known = _SINGLE_LINE.get(pattern.pattern)
    if known is None:
        source = re.sub(r"\[\^[^\]]*\]", "", pattern.pattern)  # [^\n] keeps a match on its line
        known = "[\\s\\S]" not in source and "\\n" not in source and not pattern.flags & re.DOTALL
        _SINGLE_LINE[pattern.pattern] = known
    return known


def _needle_lines(lower: str, needles: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the lines where a needle occurrence starts, in file order, each once.

    Lazy, because ``grep`` usually stops at a file's first match; ``str.find`` / ``rfind`` only
    (memchr-fast C), and after a hit a needle's search resumes on the next line.
    """
    find, rfind, size = lower.find, lower.rfind, len(lower)
    if len(needles) == 1:  # the common case (only the needles a file holds are passed): no merging
        needle = needles[0]
        at = find(needle)
        while at >= 0:
            end = find("\n", at)
            if end < 0:
                end = size
            yield rfind("\n", 0, at) + 1, end
            at = find(needle, end + 1)
        return
    upcoming = {n: at for n in needles if (at := find(n)) >= 0}
    while upcoming:
        at = min(upcoming.values())
        end = find("\n", at)
        if end < 0:
            end = size
        yield rfind("\n", 0, at) + 1, end
        for needle, position in list(upcoming.items()):
            if position <= end:
                following = find(needle, end + 1)
                if following < 0:
                    del upcoming[needle]
                else:
                    upcoming[needle] = following


def _lines_with(
    pattern: re.Pattern[str], view: str, lower: str, needles: tuple[str, ...]
) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` on the lines holding a needle, in file order.

    Why: most files hold a detector's needle word somewhere (``error``, ``limit``, ``tokens``) but
    not the practice, and a regex that fails scans the whole file; ``str.find`` is memchr-fast, so
    running the regex on needle lines only makes a 14 MB monorepo cost a fraction of a second.
    """
    compiled = getattr(pattern, "compiled", pattern)  # a LazyPattern's compiled regex
    if sum(lower.count(n) for n in needles) > 400:  # needle everywhere: one regex pass is cheaper
        yield from compiled.finditer(view)
        return
    search, finditer = compiled.search, compiled.finditer
    for start, end in _needle_lines(lower, needles):
        if search(view, start, end):  # most needle lines do not match: no iterator for them
            yield from finditer(view, start, end)


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _read(path: str, size: int) -> str | None:
    """Text of a file, or ``None`` when it is binary (a NUL byte early on) or unreadable."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(size + 1)
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace")


def scan(root: Path) -> RepoSnapshot:
    """Walk ``root`` once and read every small text file once."""
    root = root.resolve()
    files: dict[str, SourceFile] = {}
    dirs: set[str] = set()
    skipped = {"dirs": 0, "binary": 0, "large": 0}
    stack: list[tuple[str, str]] = [(str(root), "")]
    while stack:
        abs_dir, rel_dir = stack.pop()
        try:
            entries = list(os.scandir(abs_dir))
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}{entry.name}"
            try:
                if entry.is_dir(follow_symlinks=False):
                    if (
                        entry.name in SKIP_DIRS
                        or entry.name.endswith(".egg-info")
                        or _is_virtualenv(entry.path)
                    ):
                        skipped["dirs"] += 1
                        continue
                    dirs.add(rel)
                    stack.append((entry.path, rel + "/"))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue
                size = entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            source = SourceFile(rel, size)
            files[rel] = source
            if os.path.splitext(entry.name)[1].lower() in BINARY_EXT:
                skipped["binary"] += 1
            elif size > MAX_BYTES:
                skipped["large"] += 1
            else:
                source.text = _read(entry.path, size)
                if source.text is None:
                    skipped["binary"] += 1
    return RepoSnapshot(root=root, files=files, dirs=dirs, git=read_git(root), skipped=skipped)


# -- .git, read as files ---------------------------------------------------------------------
def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():  # worktree or submodule: "gitdir: <path>"
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text.removeprefix("gitdir:").strip())
            target = target if target.is_absolute() else root / target
            return target if target.is_dir() else None
    return None


def read_git(root: Path) -> GitInfo:
    """Tags (loose and packed) and the tracked paths of the index, read without running git."""
    git_dir = _git_dir(root)
    if git_dir is None:
        return GitInfo()
    common = git_dir
    commondir = git_dir / "commondir"
    if commondir.is_file():
        common = (git_dir / commondir.read_text(encoding="utf-8").strip()).resolve()
    tags: set[str] = set()
    tag_dir = common / "refs" / "tags"
    if tag_dir.is_dir():
        tags.update(p.relative_to(tag_dir).as_posix() for p in tag_dir.rglob("*") if p.is_file())
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8", errors="replace").splitlines():
            _, _, ref = line.partition(" ")
            if ref.startswith("refs/tags/"):
                tags.add(ref.removeprefix("refs/tags/"))
    return GitInfo(is_repo=True, tags=sorted(tags), tracked=read_git_index(git_dir / "index"))


def read_git_index(path: Path) -> set[str] | None:
    """Paths in a git index (versions 2 and 3), to tell *committed* from merely present."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < 12 or data[:4] != b"DIRC":
        return None
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3):
        return None
    paths: set[str] = set()
    pos = 12
    for _ in range(count):
        if pos + 62 > len(data):
            return None
        flags = struct.unpack(">H", data[pos + 60 : pos + 62])[0]
        start = pos + 62 + (2 if version == 3 and flags & 0x4000 else 0)
        end = data.find(b"\0", start)
        if end < 0:
            return None
        paths.add(data[start:end].decode("utf-8", errors="replace"))
        entry_len = end - pos
        pos += (entry_len // 8 + 1) * 8
    return paths
