"""Report renderers: rich table (terminal), JSON (contract), Markdown (PRs, wikis), SARIF (code scanning)."""

from __future__ import annotations

from agentops_cli.readiness.models import Report

FORMATS = ("table", "json", "markdown", "sarif")


def render_text(report: Report, fmt: str) -> str:
    """The report as text in ``fmt`` (the table is rendered without colours for files)."""
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        from agentops_cli.readiness.renderers.markdown import render_markdown

        return render_markdown(report)
    if fmt == "sarif":
        import json

        from agentops_cli.readiness.renderers.sarif import render_sarif

        return json.dumps(render_sarif(report), indent=2, ensure_ascii=False) + "\n"
    from agentops_cli.readiness.renderers.table import table_text

    return table_text(report)
