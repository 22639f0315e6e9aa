"""What every detector shares: the verdict type, the registry and the project profile.

A detector is a small named function ``(Context) -> Finding`` registered under the
catalogue id it decides. It reads the shared :class:`RepoSnapshot` only, so detectors
stay independent and cheap, and a new one is one function in one module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

from agentops_cli.readiness.models import Evidence, Status
from agentops_cli.readiness.scanner import PATTERN_NEEDLES, Hit, RepoSnapshot, SourceFile


@dataclass
class Finding:
    """A detector's verdict with the places that justify it."""

    status: Status
    evidence: list[Evidence] = field(default_factory=list)
    note: str = ""


Detector = Callable[["Context"], Finding]
REGISTRY: dict[str, Detector] = {}
# Languages whose source the pattern detectors read (comments and strings stripped for each).
READ_LANGS = frozenset({"python", "javascript"})


@dataclass(frozen=True)
class DetectorInfo:
    """What the JSON report says about how an item was decided.

    ``version`` goes up whenever a detector's verdicts change meaning, so a score can be
    compared across releases; ``confidence`` is how far a reviewer can trust a verdict from
    files alone (``high``: structure such as imports, parsed YAML or syntax trees; ``medium``:
    names in code; ``low``: conventions a person should confirm); ``langs`` are the languages
    whose code it reads (``None``: it reads no code, only files such as Dockerfiles or CI).
    """

    version: int = 1
    confidence: str = "medium"
    langs: frozenset[str] | None = READ_LANGS


INFO: dict[str, DetectorInfo] = {}


def detector(
    item_id: str, *, version: int = 1, confidence: str = "medium", langs: Iterable[str] | None = READ_LANGS
) -> Callable[[Detector], Detector]:
    """Register ``fn`` as the detector of catalogue item ``item_id`` (one detector per item)."""

    def register(fn: Detector) -> Detector:
        if item_id in REGISTRY:
            raise ValueError(f"two detectors for {item_id}")
        REGISTRY[item_id] = fn
        INFO[item_id] = DetectorInfo(version, confidence, frozenset(langs) if langs is not None else None)
        return fn

    return register


# -- evidence helpers -------------------------------------------------------------------------
def at(hit: Hit, note: str) -> Evidence:
    return Evidence(path=hit.file.path, line=hit.line, note=note)


def whole(file: SourceFile | str, note: str) -> Evidence:
    return Evidence(path=file if isinstance(file, str) else file.path, line=0, note=note)


def cite(hits: Iterable[Hit], note: str | Callable[[Hit], str], limit: int = 5) -> list[Evidence]:
    out = []
    for hit in list(hits)[:limit]:
        out.append(at(hit, note(hit) if callable(note) else note))
    return out


def pair(
    first: list[Evidence], second: list[Evidence], *, no_first: str, no_second: str, note: str = ""
) -> Finding | None:
    """The verdict of two signals that together make the practice: pass with both, partial with
    one (noting the missing one), ``None`` with neither (the detector decides fail, n/a, manual)."""
    evidence = [*first, *second]
    if first and second:
        return Finding("pass", evidence, note=note)
    if first or second:
        return Finding("partial", evidence, note=no_second if first else no_first)
    return None


class LazyPattern:
    """A regex compiled on first use, with the methods of :class:`re.Pattern` that detectors use.

    Why: the detectors declare ~100 patterns at import and compiling them all costs ~20 ms,
    most of it for patterns that never run on a given repository (``grep`` first checks that
    a file holds one of the pattern's literal needles). Compiling on first use keeps
    ``agentops checklist`` fast to start; each pattern is compiled at most once per process.
    """

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int) -> None:
        self._source = source
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return self._compiled

    @property
    def pattern(self) -> str:
        return self._source

    def search(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled.search(string, *args)

    def match(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled.match(string, *args)

    def finditer(self, string: str, *args: int) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, *args)

    def __getattr__(self, name: str) -> Any:  # anything else re.Pattern offers (findall, sub, …)
        return getattr(self.compiled, name)

    def __repr__(self) -> str:
        return f"rx({self._source!r})"


def rx(pattern: str, flags: int = re.MULTILINE) -> re.Pattern[str]:
    """``pattern`` compiled lazily (see :class:`LazyPattern`); typed as the pattern it stands for."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))


def imports(*modules: str) -> re.Pattern[str]:
    """``import m`` / ``from m...`` (Python) and ``require('m')`` / ``from 'm'`` (JS/TS)."""
    names = "|".join(re.escape(m) for m in modules)
    pattern = rx(
        rf"^\s*(?:import|from)\s+(?:{names})\b|require\(\s*['\"](?:{names})['\"/]|from\s+['\"](?:{names})['\"/]"
    )
    PATTERN_NEEDLES[pattern] = tuple(m.lower() for m in modules)
    return pattern


# -- project profile --------------------------------------------------------------------------
SERVER_IMPORTS = imports(
    "fastapi",
    "flask",
    "django",
    "starlette",
    "aiohttp.web",
    "tornado",
    "sanic",
    "litestar",
    "quart",
    "bottle",
    "falcon",
    "http.server",
    "express",
    "koa",
    "fastify",
    "@nestjs/core",
    "net/http",
)
# Chat bots are services too (anyone on the platform can reach, and flood, them) but serve no HTTP.
BOT_IMPORTS = imports(
    "telegram.ext",
    "aiogram",
    "discord",
    "slack_bolt",
    "botbuilder",
    "telegraf",
    "discord.js",
    "@slack/bolt",
)
LLM_IMPORTS = imports(
    "openai",
    "anthropic",
    "langchain",
    "langchain_openai",
    "langchain_core",
    "langchain_anthropic",
    "langgraph",
    "litellm",
    "llama_index",
    "google.generativeai",
    "mistralai",
    "cohere",
    "ollama",
    "@langchain/openai",
    "@anthropic-ai/sdk",
    "agentops_cli.llm",
)
ROUTE = rx(
    r"""@(?:app|router|api|bp|blueprint)\.(?:get|post|put|route|api_route)\(|app\.(?:get|post|listen)\("""
)


LANGUAGE_OF = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "javascript",
    ".tsx": "javascript",
    ".go": "go",
    ".java": "java",
    ".kt": "kotlin",
    ".rb": "ruby",
    ".rs": "rust",
    ".cs": "csharp",
    ".php": "php",
    ".scala": "scala",
    ".swift": "swift",
}


@dataclass
class Context:
    """The snapshot plus facts about the kind of project that several detectors need."""

    repo: RepoSnapshot

    @cached_property
    def languages(self) -> list[str]:
        """Languages of the shipped code, most files first (``javascript`` covers TypeScript)."""
        counts: dict[str, int] = {}
        for file in self.repo.code:
            if not file.not_evidence:
                lang = LANGUAGE_OF.get(file.suffix)
                if lang:
                    counts[lang] = counts.get(lang, 0) + 1
        return sorted(counts, key=lambda k: (-counts[k], k))

    def uncovered(self, langs: frozenset[str] | None) -> str | None:
        """Why a detector reading ``langs`` cannot judge this project (``None`` when it can)."""
        if langs is None or not self.languages or langs & set(self.languages):
            return None
        return (
            f"this check reads {'/'.join(sorted(langs))} code; the project is written in "
            f"{', '.join(self.languages)}: confirm by hand"
        )

    @cached_property
    def server_evidence(self) -> list[Evidence]:
        """Why we think the project is a network service: HTTP or a chat bot (empty: a CLI or library)."""
        evidence = list(self.http_evidence)
        evidence += cite(self.repo.grep(BOT_IMPORTS, self.repo.code, limit=2), "chat-bot service")
        return evidence

    @cached_property
    def http_evidence(self) -> list[Evidence]:
        """Why we think the project serves HTTP (what health endpoints are about)."""
        hits = self.repo.grep(SERVER_IMPORTS, self.repo.code, limit=3)
        hits += self.repo.grep(ROUTE, self.repo.code, needles=("app.", "router.", "api.", "bp."), limit=3)
        evidence = cite(hits, "web server code")
        for docker in self.dockerfiles:
            hits = self.repo.grep(rx(r"^\s*EXPOSE\s+\d+", re.MULTILINE | re.IGNORECASE), [docker], limit=1)
            evidence += cite(hits, "Dockerfile exposes a port")
        return evidence

    @property
    def is_server(self) -> bool:
        return bool(self.server_evidence)

    @cached_property
    def entry_points(self) -> list[Evidence]:
        """Where the project declares a command-line entry point (used in n/a reasons)."""
        pattern = rx(r"^\[project\.scripts\]|console_scripts|^\s*\"bin\"\s*:|^\[tool\.poetry\.scripts\]")
        files = self.repo.named("pyproject.toml", "setup.py", "setup.cfg", "package.json")
        return cite(self.repo.grep(pattern, files, limit=2), "command-line entry point")

    def not_a_server(self, what: str) -> Finding:
        """The n/a verdict for server-only items, with the evidence that decided it."""
        kind = "a command-line tool" if self.entry_points else "not a network service"
        return Finding(
            "n/a",
            list(self.entry_points),
            note=f"{what} apply to network services; no web framework, HTTP route or EXPOSE found ({kind})",
        )

    @cached_property
    def touches_files_or_db(self) -> bool:
        """The code opens files by path or talks to a database (the SCN items apply)."""
        pattern = rx(r"\bopen\(|\.read_text\(|\.write_text\(|\bfs\.(?:read|write)|\bcursor\(|\.execute\(")
        needles = ("open(", "read_text", "write_text", "fs.", "cursor(", "execute(")
        return bool(self.repo.grep(pattern, self.repo.code, needles=needles, limit=1))

    @cached_property
    def uses_llm(self) -> bool:
        return bool(self.repo.grep(LLM_IMPORTS, self.repo.code, limit=1))

    @cached_property
    def dockerfiles(self) -> list[SourceFile]:
        return [
            f
            for f in self.repo.files.values()
            if f.name in ("Dockerfile", "Containerfile")
            or f.name.endswith(".Dockerfile")
            or f.name.startswith("Dockerfile.")
        ]

    @cached_property
    def ci_files(self) -> list[SourceFile]:
        """CI pipeline definitions of the common providers (and a repo-local ``.ci/`` folder)."""
        roots = (".github/workflows/", ".gitlab-ci", ".circleci/", ".ci/", ".buildkite/", ".woodpecker")
        names = {"jenkinsfile", "azure-pipelines.yml", "bitbucket-pipelines.yml", ".travis.yml", ".drone.yml"}
        return [
            f
            for f in self.repo.text_files()
            if f.path.startswith(roots) or f.name.lower() in names or f.path.startswith(".gitlab/ci")
        ]

    @cached_property
    def pipelines(self) -> list[Any]:
        """The CI files parsed (YAML jobs, triggers, executed steps; see :mod:`..workflows`)."""
        if not self.ci_files:
            return []
        from agentops_cli.readiness.workflows import parse_pipeline

        return [parse_pipeline(f) for f in self.ci_files if not f.not_evidence]

    @cached_property
    def build_files(self) -> list[SourceFile]:
        """Files that declare tools and tasks: pyproject, Makefile, pre-commit, tox, nox, package.json."""
        return self.repo.named(
            "pyproject.toml",
            "setup.cfg",
            "setup.py",
            "Makefile",
            "justfile",
            "tox.ini",
            "noxfile.py",
            ".pre-commit-config.yaml",
            "package.json",
            "requirements.txt",
            "requirements-dev.txt",
            "dev-requirements.txt",
            "Taskfile.yml",
        )

    @cached_property
    def config_text_files(self) -> list[SourceFile]:
        """YAML/TOML/INI/JSON/env files (not tests): where settings and toggles are declared."""
        ext = {".yaml", ".yml", ".toml", ".ini", ".cfg", ".json", ".env", ".example"}
        return [
            f
            for f in self.repo.text_files()
            if not f.is_test and (f.suffix in ext or f.name.startswith(".env"))
        ]
