"""The terminal view: one table per section, icons, first evidence, then the top remediations."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from agentops_cli.readiness.models import Report
from agentops_cli.readiness.renderers.common import ICONS, STYLES, pct, where
from agentops_cli.readiness.scoring import top_remediations


def build(report: Report, top: int = 5) -> Group:
    parts: list = [
        Text.assemble(
            ("Production readiness ", "bold"),
            (report.path, "cyan"),
            "  score ",
            (pct(report.score_pct), "bold"),
        )
    ]
    counts = "  ".join(f"{ICONS[k]} {k} {v}" for k, v in report.counts.items())
    parts.append(Text(f"{counts}   ({report.files_scanned} files, {report.elapsed_ms} ms)", style="dim"))
    for section in report.sections:
        table = Table(
            title=f"{section.title} — {pct(section.score_pct)}",
            title_justify="left",
            expand=True,
            show_edge=False,
            pad_edge=False,
        )
        table.add_column("", width=1)
        table.add_column("id", style="bold", no_wrap=True)
        table.add_column("item", ratio=3)
        table.add_column("sev", no_wrap=True)
        table.add_column("evidence", ratio=3, overflow="fold")
        for item in (i for i in report.items if i.section == section.id):
            first = item.evidence[0] if item.evidence else None
            detail = f"{where(first)} {first.note}" if first else ""
            if item.note:
                detail = f"{detail} · {item.note}" if detail else item.note
            # Text, not str: rich parses a str cell as markup each time it measures or renders
            # it, and catalogue text is plain (a "[...]" in a title must print as written).
            table.add_row(
                Text(ICONS[item.status], style=STYLES[item.status]),
                Text(item.id),
                Text(item.title),
                Text(item.severity),
                Text(detail, style="dim"),
            )
        parts.append(table)
    todo = top_remediations(report.items, top)
    if todo:
        parts.append(Text("\nTop remediations", style="bold"))
        for item in todo:
            parts.append(
                Text.assemble((f" {ICONS[item.status]} {item.id} ", STYLES[item.status]), item.remediation)
            )
    return Group(*parts)


def render_table(report: Report, console: Console, top: int = 5) -> None:
    console.print(build(report, top))


def table_text(report: Report, top: int = 5, width: int = 140) -> str:
    buffer = io.StringIO()
    render_table(report, Console(file=buffer, width=width, no_color=True, force_terminal=False), top)
    return buffer.getvalue()
