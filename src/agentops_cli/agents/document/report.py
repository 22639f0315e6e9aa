"""Render a document result (the contract's JSON dict) as a Markdown report for ``--out``.

Takes the plain dict so a saved JSON result can be rendered again later.
"""

from __future__ import annotations

from typing import Any


def show_value(value: Any) -> str:
    if isinstance(value, dict) and "amount" in value:
        return f"{value['amount']:,.2f} {value['currency']}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _cell(text: str, limit: int = 160) -> str:
    flat = " ".join(str(text).split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def to_markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# Document analysis: {result['path'].rsplit('/', 1)[-1]}",
        "",
        f"- **Type:** {result['doc_type']} (confidence {result.get('type_confidence', 0):.2f})",
        f"- **Language:** {result.get('language', '?')} · **Format:** {result.get('format', '?')}",
        f"- **Provider:** {result.get('provider', '?')} / {result.get('model', '?')}"
        + (" · **degraded**" if result.get("degraded") else ""),
        f"- **Run:** {result.get('run_id', '?')} · {result.get('latency_ms', 0):.0f} ms"
        f" · ${result.get('cost_usd', 0):.4f}",
    ]
    if result.get("flags"):
        lines.append(f"- **Flags:** {', '.join(result['flags'])}")
    lines += ["", "## Summary", "", result.get("summary") or "_(none)_", "", "## Fields", ""]
    fields = result.get("fields") or {}
    if fields:
        lines += ["| Field | Value | Source text | Offsets |", "|---|---|---|---|"]
        for name, field in fields.items():
            lines.append(
                f"| {name} | {_cell(show_value(field['value']))} | {_cell(field.get('text', ''), 90)} "
                f"| {field['start']}–{field['end']} |"
            )
    else:
        lines.append("_No fields for this document type._")
    lines += ["", "## Risks", ""]
    risks = result.get("risks") or []
    if risks:
        lines += ["| Severity | Risk | Evidence | Offsets |", "|---|---|---|---|"]
        for risk in risks:
            where = f"{risk['start']}–{risk['end']}"
            lines.append(f"| {risk['severity']} | {risk['type']} | {_cell(risk['evidence'])} | {where} |")
    else:
        lines.append("_No risks found._")
    lines += ["", "## Clauses", ""]
    for clause in result.get("clauses") or []:
        lines.append(
            f"- **{clause['type']}** ({clause['start']}–{clause['end']}): {_cell(clause['text'], 200)}"
        )
    if not result.get("clauses"):
        lines.append("_No clauses recognised._")
    return "\n".join(lines) + "\n"
