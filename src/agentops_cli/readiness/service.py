"""``agentops checklist`` as a function: scan, detect, apply answers, score.

The CLI only parses flags and renders; everything else is here so it can be tested
and reused without a terminal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from agentops_cli.errors import BadInput
from agentops_cli.readiness.answers import default_answers_path, load_answers
from agentops_cli.readiness.catalogue import DOCS_URL, load_catalogue
from agentops_cli.readiness.detectors import INFO, REGISTRY, Context, Finding
from agentops_cli.readiness.models import (
    Answer,
    Catalogue,
    CatalogueItem,
    ItemResult,
    Lang,
    Report,
    SectionResult,
)
from agentops_cli.readiness.scanner import scan
from agentops_cli.readiness.scoring import item_score, status_counts, weighted_pct


@dataclass
class ScanResult:
    """Detector findings for one code base (answers are applied later, so prompts need no rescan)."""

    root: Path
    findings: dict[str, Finding]
    files_scanned: int
    elapsed_ms: int
    project: dict[str, object]


def select_items(catalogue: Catalogue, sections: list[str] | None) -> list[CatalogueItem]:
    """Items of the sections asked for (by id like ``observability`` or prefix like ``OBS``)."""
    if not sections:
        return list(catalogue.items)
    wanted: set[str] = set()
    for name in sections:
        match = next(
            (s for s in catalogue.sections if name.lower() in (s.id.lower(), s.prefix.lower())), None
        )
        if match is None:
            valid = ", ".join(s.id for s in catalogue.sections)
            raise BadInput(f"--section: unknown section '{name}' (one of: {valid})")
        wanted.add(match.id)
    return [item for item in catalogue.items if item.section in wanted]


def scan_repo(root: Path, items: list[CatalogueItem]) -> ScanResult:
    """One walk, then every selected detector over the shared snapshot."""
    if not root.exists():
        raise BadInput(f"{root}: no such directory")
    if not root.is_dir():
        raise BadInput(f"{root}: not a directory")
    started = time.perf_counter()
    snapshot = scan(root)
    ctx = Context(snapshot)
    findings: dict[str, Finding] = {}
    for item in items:
        detect = REGISTRY.get(item.id)
        if detect is None:
            continue
        try:
            findings[item.id] = detect(ctx)
        except Exception as exc:  # a detector bug must not hide the other 74 verdicts
            from agentops_cli.observability.logging import get_logger

            logger = get_logger()

            logger.warning("checklist detector {} failed: {}", item.id, exc)
            findings[item.id] = Finding("manual", note=f"detector error: {type(exc).__name__}: {exc}")
            continue
        why = ctx.uncovered(INFO[item.id].langs)
        if why and findings[item.id].status == "fail":  # the tool cannot see, the project may be fine
            findings[item.id] = Finding("inconclusive", findings[item.id].evidence, note=why)
    elapsed = int((time.perf_counter() - started) * 1000)
    project: dict[str, object] = {
        "python": bool(snapshot.python),
        "server": ctx.is_server,
        "llm": ctx.uses_llm,
        "git": snapshot.git.is_repo,
        "languages": ctx.languages,
        "files_or_db": ctx.touches_files_or_db,
    }
    return ScanResult(root, findings, len(snapshot.files), elapsed, project)


def resolve_item(
    item: CatalogueItem, finding: Finding | None, answer: Answer | None, lang: Lang
) -> ItemResult:
    """Combine detector evidence and a person's answer into the item's verdict."""
    evidence = list(finding.evidence) if finding else []
    status = finding.status if finding else "manual"
    note = finding.note if finding else "needs a person's answer (--answers or --interactive)"
    answered_by = None
    if answer is not None and (item.verification != "auto" or answer.status == "n/a"):
        status = answer.status
        note = answer.note or note
        answered_by = answer.owner or "answers file"
    info = INFO.get(item.id)
    return ItemResult(
        doc=f"{DOCS_URL}#{item.id.lower()}",
        detector_version=info.version if info else None,
        confidence=info.confidence if info else None,
        id=item.id,
        section=item.section,
        title=item.title.get(lang),
        status=status,
        evidence=evidence,
        remediation=item.remediation.get(lang),
        severity=item.severity,
        verification=item.verification,
        score=item_score(status),
        note=note,
        answered_by=answered_by,
    )


def build_report(
    result: ScanResult,
    items: list[CatalogueItem],
    answers: dict[str, Answer],
    lang: Lang = "en",
    answers_file: Path | None = None,
) -> Report:
    catalogue = load_catalogue()
    resolved = [resolve_item(i, result.findings.get(i.id), answers.get(i.id), lang) for i in items]
    sections = []
    for section in catalogue.sections:
        members = [r for r in resolved if r.section == section.id]
        if members:
            sections.append(
                SectionResult(
                    id=section.id,
                    title=section.title.get(lang),
                    score_pct=weighted_pct(members),
                    counts=status_counts(members),
                )
            )
    return Report(
        path=str(result.root),
        score_pct=weighted_pct(resolved),
        sections=sections,
        items=resolved,
        lang=lang,
        counts=status_counts(resolved),
        files_scanned=result.files_scanned,
        elapsed_ms=result.elapsed_ms,
        project=result.project,
        answers_file=str(answers_file) if answers_file else None,
    )


def answers_path(root: Path, explicit: Path | None) -> Path | None:
    """``--answers FILE`` (must exist) or ``PATH/.agentops/checklist.yaml`` when present."""
    if explicit is not None:
        if not explicit.is_file():
            raise BadInput(f"{explicit}: answers file not found")
        return explicit
    default = default_answers_path(root)
    return default if default.is_file() else None


def read_answers(path: Path | None) -> dict[str, Answer]:
    if path is None:
        return {}
    return load_answers(path, {item.id: item for item in load_catalogue().items})


def pending_items(report: Report) -> list[ItemResult]:
    """Items a person should answer: manual ones, and partially verified ones not yet passing."""
    return [
        i
        for i in report.items
        if i.answered_by is None
        and (i.status == "manual" or (i.verification == "partial" and i.status != "pass"))
    ]


def run_checklist(
    root: Path,
    *,
    answers_file: Path | None = None,
    sections: list[str] | None = None,
    lang: Lang = "en",
) -> Report:
    """The whole check in one call (what ``agentops checklist`` does without ``--interactive``)."""
    items = select_items(load_catalogue(), sections)
    path = answers_path(root, answers_file)
    answers = read_answers(path)
    result = scan_repo(root, items)
    return build_report(result, items, answers, lang, path)
