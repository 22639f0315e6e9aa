"""CI pipelines read as YAML: jobs, triggers and the commands their steps run.

checklist: skip-file (the patterns below name CI practices; they are not evidence of them)

Why: a workflow is evidence of what CI *runs*, so only executed commands count. Parsing the
YAML drops comments (``# - run: pytest`` is not a test run) and tells a command (``run:``,
GitLab ``script:``) from a job name or a description. Each command keeps the line of the file
it came from, found by searching the raw text for its first line, so evidence stays
``file:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agentops_cli.readiness.scanner import SourceFile

COMMAND_KEYS = frozenset({"run", "script", "before_script", "after_script", "command", "commands", "cmd"})


@dataclass
class Step:
    """One executed command (``run:``/``script:``) or action (``uses:``) of a pipeline."""

    file: SourceFile
    line: int
    text: str
    job: str = ""
    is_action: bool = False


@dataclass
class Pipeline:
    """A parsed CI file: its triggers and every step, in file order."""

    file: SourceFile
    triggers: set[str] = field(default_factory=set)
    steps: list[Step] = field(default_factory=list)


def _line_of(file: SourceFile, text: str, start: int = 0) -> tuple[int, int]:
    """Line of the first line of ``text`` in the raw file (1 when not found), and where it was."""
    raw = file.text or ""
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    at = raw.find(first, start) if first else -1
    while at >= 0:  # skip occurrences on commented-out lines
        line_start = raw.rfind("\n", 0, at) + 1
        if not raw[line_start:at].lstrip().startswith("#"):
            return raw.count("\n", 0, at) + 1, at + len(first)
        at = raw.find(first, at + len(first))
    return 1, start


def _load(file: SourceFile) -> Any:
    """PyYAML's safe loader (files are ≤ 1 MB, see the scanner). Not the project's ``safe_yaml``:
    that reader refuses non-string keys, and every GitHub workflow has ``on:``, which YAML 1.1
    reads as ``True``. Aliases are safe here because :func:`_walk` visits each node once.
    PyYAML is imported here, when a workflow file is read: not every project has one."""
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(file.text or "", Loader=loader)  # nosec B506 - a safe loader
    except (yaml.YAMLError, RecursionError):
        return None


def _walk(node: Any, job: str, out: list[tuple[str, str, bool]], seen: set[int] | None = None) -> None:
    """Commands and actions under ``node``; each container once (an alias-bomb stays linear)."""
    seen = set() if seen is None else seen
    if isinstance(node, dict | list):
        if id(node) in seen or len(seen) > 100_000:
            return
        seen.add(id(node))
    if isinstance(node, dict):
        for key, value in node.items():
            name = str(key)
            if name in COMMAND_KEYS:
                values = value if isinstance(value, list) else [value]
                out.extend((job, str(v), False) for v in values if isinstance(v, str | int))
            elif name == "uses" and isinstance(value, str):
                out.append((job, value, True))
            else:
                _walk(value, job, out, seen)
    elif isinstance(node, list):
        for value in node:
            _walk(value, job, out, seen)


def parse_pipeline(file: SourceFile) -> Pipeline:
    """Triggers and steps of a GitHub/GitLab/other YAML pipeline; non-YAML files are read as
    scripts (each non-comment line a command), e.g. ``Jenkinsfile`` or ``.ci/run``."""
    pipeline = Pipeline(file)
    is_yaml = file.suffix in (".yml", ".yaml")
    if not is_yaml:
        for number, line in enumerate((file.code or "").splitlines(), 1):
            if line.strip() and not line.lstrip().startswith(("#", "//")):  # shell/Groovy comments
                pipeline.steps.append(Step(file, number, line.strip()))
        return pipeline
    data = _load(file)
    if not isinstance(data, dict):
        return pipeline
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on:` key as True
    if isinstance(on, str):
        pipeline.triggers.add(on)
    elif isinstance(on, list | dict):
        pipeline.triggers.update(str(t) for t in on)
    jobs = data.get("jobs")
    found: list[tuple[str, str, bool]] = []
    if isinstance(jobs, dict):  # GitHub Actions
        for job, body in jobs.items():
            _walk(body, str(job), found)
    else:  # GitLab CI, CircleCI, Woodpecker...: every top-level key may be a job
        for job, body in data.items():
            _walk(body, str(job), found)
    cursor = 0
    for job, text, is_action in found:
        line, cursor = _line_of(file, text, cursor)
        pipeline.steps.append(Step(file, line, text, job, is_action))
    return pipeline


def matching_steps(pipelines: list[Pipeline], pattern: re.Pattern[str], limit: int = 5) -> list[Step]:
    """Steps whose command or action matches ``pattern`` (commands only: never comments)."""
    hits = [s for p in pipelines for s in p.steps if pattern.search(s.text)]
    return hits[:limit]
