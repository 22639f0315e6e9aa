"""``agentops checklist``: production-readiness of a code base (flags → service → render)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from agentops_cli.cli.common import JSON_OPTION, console, err_console, show_progress


class Format(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"


class Lang(StrEnum):
    en = "en"
    es = "es"


def checklist(
    path: Path = typer.Argument(Path("."), help="Code base to check."),
    answers: Path | None = typer.Option(
        None, "--answers", help="Answers for manual items (default PATH/.agentops/checklist.yaml if present)."
    ),
    interactive: bool = typer.Option(
        False, "--interactive", help="Ask for manual items and save the answers."
    ),
    output_format: Format = typer.Option(Format.table, "--format", help="Output format."),
    out: Path | None = typer.Option(None, "--out", help="Write the report to FILE in --format."),
    fail_under: float | None = typer.Option(
        None, "--fail-under", min=0, max=100, help="Exit 1 when the overall score_pct is below PCT."
    ),
    section: list[str] = typer.Option([], "--section", help="Only this section (id or prefix); repeatable."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Language of titles and remediations."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Check a code base against the production checklist of the seeds."""
    from agentops_cli.errors import GateFailed
    from agentops_cli.readiness import service
    from agentops_cli.readiness.answers import default_answers_path, prompt_answers, write_answers
    from agentops_cli.readiness.catalogue import load_catalogue
    from agentops_cli.readiness.renderers import render_text

    items = service.select_items(load_catalogue(), section)
    answers_file = service.answers_path(path, answers)
    given = service.read_answers(answers_file)
    if show_progress():
        with err_console().status(f"scanning {path} …"):
            scanned = service.scan_repo(path, items)
    else:
        scanned = service.scan_repo(path, items)
    report = service.build_report(scanned, items, given, lang.value, answers_file)

    if interactive:
        target = answers_file or default_answers_path(path)
        given = prompt_answers(service.pending_items(report), given, err_console(), lang.value)
        write_answers(target, given)
        err_console().print(f"answers saved to {target}")
        report = service.build_report(scanned, items, given, lang.value, target)

    fmt = "json" if json_output else output_format.value
    if out is not None:
        from agentops_cli.cli.run_flags import write_report

        out.parent.mkdir(parents=True, exist_ok=True)
        write_report(out, render_text(report, fmt))
    if json_output:
        from agentops_cli.cli.common import print_json

        print_json(report)
    elif out is not None:
        err_console().print(f"score {report.score_pct}% · {output_format.value} report written to {out}")
    elif fmt == "table":
        from agentops_cli.readiness.renderers.table import render_table

        render_table(report, console())
    else:
        typer.echo(render_text(report, fmt), nl=False)

    if fail_under is not None and (report.score_pct or 0.0) < fail_under:
        raise GateFailed(f"checklist score {report.score_pct}% is under --fail-under {fail_under:g}")
