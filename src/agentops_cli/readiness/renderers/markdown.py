"""Markdown report, for pull-request comments and wikis."""

from __future__ import annotations

from agentops_cli.readiness.models import Report
from agentops_cli.readiness.renderers.common import ICONS, pct, where
from agentops_cli.readiness.scoring import top_remediations


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, top: int = 5) -> str:
    lines = [
        f"# Production readiness: {pct(report.score_pct)}",
        "",
        f"`{report.path}` · {report.files_scanned} files · "
        + " · ".join(f"{ICONS[k]} {k}: {v}" for k, v in report.counts.items()),
        "",
        "| Section | Score |",
        "|---|---|",
        *[f"| {s.title} | {pct(s.score_pct)} |" for s in report.sections],
    ]
    for section in report.sections:
        lines += [
            "",
            f"## {section.title} ({pct(section.score_pct)})",
            "",
            "| | Id | Item | Severity | Evidence |",
            "|---|---|---|---|---|",
        ]
        for item in (i for i in report.items if i.section == section.id):
            evidence = "<br>".join(f"`{where(e)}` {_cell(e.note)}" for e in item.evidence[:3])
            if item.note:
                evidence = f"{evidence}<br>{_cell(item.note)}" if evidence else _cell(item.note)
            lines.append(
                f"| {ICONS[item.status]} {item.status} | {item.id} | {_cell(item.title)} | "
                f"{item.severity} | {evidence} |"
            )
    todo = top_remediations(report.items, top)
    if todo:
        lines += ["", "## Top remediations", ""]
        lines += [f"1. **{i.id}** ({i.status}, {i.severity}): {i.remediation}" for i in todo]
    return "\n".join(lines) + "\n"
