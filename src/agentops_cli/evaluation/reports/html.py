"""A single self-contained HTML report: metrics, gates, confusion matrix, latency histogram
and a filterable per-example table. No external assets (no CDN, fonts or images), so it
opens offline, from a CI artifact or an e-mail attachment exactly as it was written.

Very large runs list failures first and cap the table at ``MAX_ROWS`` rows, so the page
stays openable; the full data is always in ``results.jsonl``.
"""

from __future__ import annotations

import html
import json
import math
import os
from pathlib import Path
from typing import Any

from agentops_cli.evaluation.models import RunSummary
from agentops_cli.evaluation.store import RunStore
from agentops_cli.evaluation.summary import what_differs
from agentops_cli.observability.redact import redact

MAX_ROWS = 5000

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;
color:#1d2330;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.muted{color:#667}.pass{color:#11763a}.fail{color:#b3261e}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;font-weight:600;color:#fff}
.badge.pass{background:#11763a}.badge.fail{background:#b3261e}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #d8dce4;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f3f5f9}td.num{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #d8dce4;border-radius:8px;padding:8px 14px;
min-width:130px}.card b{display:block;font-size:20px}
#filter{padding:5px 8px;width:320px}select{padding:5px}
tr.fail td{background:#fff4f3}tr.error td{background:#fff8e6}
.cm td{text-align:center;min-width:34px}.small{font-size:12px}
"""

JS = """
function examples(sfx){
const $ = id => document.getElementById(id + sfx);
const rows = JSON.parse($('rows-data').textContent);
const body = $('rows');
function esc(s){return String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
function render(){
  const q = $('filter').value.toLowerCase();
  const st = $('status').value;
  const out = [];
  let shown = 0;
  for (const r of rows){
    if (st !== 'all' && r.status !== st) continue;
    const hay = (r.key + ' ' + r.agent + ' ' + r.input + ' ' + r.reasons + ' ' + r.tags).toLowerCase();
    if (q && !hay.includes(q)) continue;
    shown++;
    out.push('<tr class="'+r.status+'"><td>'+esc(r.key)+'</td><td>'+esc(r.agent)+'</td><td>'+esc(r.status)+
      '</td><td class="num">'+r.latency.toFixed(1)+'</td><td class="small">'+esc(r.input)+
      '</td><td class="small">'+
      esc(r.got)+'</td><td class="small">'+esc(r.reasons)+'</td></tr>');
  }
  body.innerHTML = out.join('');
  $('shown').textContent = shown + ' of ' + rows.length;
}
$('filter').addEventListener('input', render);
$('status').addEventListener('change', render);
render();
}
"""


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.4f}" if abs(value) < 10 else f"{value:,.1f}"


def _ci(interval: list[float] | None) -> str:
    return html.escape(" – ".join(_fmt(x) for x in interval or []))


def _metric_row(summary: RunSummary, name: str, value: float | None) -> str:
    """One metrics-table row, with the catalogue's direction and meaning beside the number."""
    from agentops_cli.evaluation.metrics import lookup

    entry = lookup(name)
    interval = summary.metrics_interval.get(name) or summary.metrics_ci.get(name)
    n = summary.metrics_interval_n.get(name)
    return (
        f"<tr><td>{html.escape(name)}</td><td class='small'>{entry.direction}</td>"
        f"<td class='num'>{_fmt(value)}</td><td class='num small'>{_ci(interval)}</td>"
        f"<td class='num small'>{'' if n is None else n}</td>"
        f"<td class='small muted'>{html.escape(entry.description)}</td></tr>"
    )


def _got(output: dict[str, Any] | None) -> str:
    if not output:
        return ""
    keys = ("intent", "escalate", "escalation_reason", "doc_type", "confidence")
    parts = [f"{k}={output[k]}" for k in keys if k in output]
    if "citations" in output:
        parts.append(f"citations={len(output.get('citations') or [])}")
    return ", ".join(parts)


def _histogram_svg(latencies: list[float], bins: int = 20) -> str:
    if not latencies:
        return "<p class='muted'>no latencies</p>"
    lo, hi = min(latencies), max(latencies)
    width = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for v in latencies:
        counts[min(bins - 1, int((v - lo) / width))] += 1
    peak = max(counts)
    w, h, pad = 640, 180, 30
    bar = (w - 2 * pad) / bins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 40}" role="img" '
        f'aria-label="latency histogram">'
    ]
    for i, c in enumerate(counts):
        bh = 0 if peak == 0 else (h - 20) * c / peak
        x = pad + i * bar
        parts.append(
            f'<rect x="{x:.1f}" y="{h - bh:.1f}" width="{bar - 2:.1f}" height="{bh:.1f}" fill="#4a6fd1">'
            f"<title>{lo + i * width:.1f}–{lo + (i + 1) * width:.1f} ms: {c}</title></rect>"
        )
    parts.append(f'<line x1="{pad}" y1="{h}" x2="{w - pad}" y2="{h}" stroke="#999"/>')
    parts.append(f'<line x1="{pad}" y1="20" x2="{pad}" y2="{h}" stroke="#999"/>')
    parts.append(f'<text x="{pad - 4}" y="24" font-size="11" text-anchor="end">{peak}</text>')
    parts.append(f'<text x="{pad - 4}" y="{h}" font-size="11" text-anchor="end">0</text>')
    parts.append(
        f'<text x="12" y="{h / 2 + 10}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {h / 2 + 10})">examples per bin</text>'
    )
    parts.append(f'<text x="{pad}" y="{h + 16}" font-size="11">{lo:.1f} ms</text>')
    parts.append(f'<text x="{w - pad}" y="{h + 16}" font-size="11" text-anchor="end">{hi:.1f} ms</text>')
    parts.append(
        f'<text x="{w / 2}" y="{h + 34}" font-size="11" text-anchor="middle">latency per example '
        f"(n={len(latencies)}, peak bin {peak})</text></svg>"
    )
    return "".join(parts)


def _confusion_html(confusion: dict[str, Any] | None) -> str:
    if not confusion:
        return "<p class='muted'>no classification in this run</p>"
    labels, matrix = confusion["labels"], confusion["matrix"]
    peak = max((max(row) for row in matrix), default=1) or 1
    head = "".join(f"<th class='small'>{html.escape(lb)}</th>" for lb in labels)
    rows = []
    for label, row in zip(labels, matrix, strict=True):
        cells = []
        for j, n in enumerate(row):
            diag = labels[j] == label
            alpha = 0 if n == 0 else 0.15 + 0.75 * math.sqrt(n / peak)
            colour = f"rgba(17,118,58,{alpha:.2f})" if diag else f"rgba(179,38,30,{alpha:.2f})"
            cells.append(f"<td style='background:{colour}'>{n or ''}</td>")
        rows.append(f"<tr><th class='small'>{html.escape(label)}</th>{''.join(cells)}</tr>")
    return (
        f"<p class='muted small'>{html.escape(confusion.get('name', ''))}: rows = expected, "
        f"columns = predicted</p><table class='cm'><tr><th></th>{head}</tr>{''.join(rows)}</table>"
    )


def _counterfactual_html(cf: dict[str, Any] | None) -> str:
    """The counterfactual groups whose variants differ (nothing when the run had no groups)."""
    if not cf:
        return ""
    rows = []
    for group in cf["inconsistent"]:
        differs = what_differs(group)
        trial = f" (trial {group['trial']})" if "trial" in group else ""
        rows.append(
            f"<tr class='fail'><td>{html.escape(str(group['group']) + trial)}</td>"
            f"<td>{html.escape(str(group['attribute']))}</td><td>{html.escape(differs)}</td></tr>"
        )
    table = (
        "<table><tr><th>group</th><th>attribute</th><th>what differs between its variants</th></tr>"
        f"{''.join(rows)}</table>"
        if rows
        else ""
    )
    names = cf.get("errored") or []  # absent from runs stored before it existed
    errored = f"; every variant errored in {html.escape(', '.join(names))}" if names else ""
    return (
        f"<h2>Counterfactual groups</h2><p class='muted'>{cf['consistent']}/{cf['groups']} groups consistent:"
        " variants that differ only in a sensitive attribute got the same decisions and answer"
        f"{errored}</p>{table}"
    )


def _section(store: RunStore, summary: RunSummary, sfx: str, level: int = 1) -> str:
    """One run's report body; ``sfx`` keeps element ids unique when a page holds several runs."""
    failing: list[dict[str, Any]] = []
    passing: list[dict[str, Any]] = []
    latencies: list[float] = []
    for r in store.results():
        latencies.append(r.latency_ms)
        status = "error" if r.error else ("pass" if r.passed else "fail")
        row = {
            "key": r.key,
            "agent": r.agent,
            "status": status,
            "latency": r.latency_ms,
            "input": r.input[:300],
            "got": _got(r.output),
            "reasons": r.error or "; ".join(r.reasons),
            "tags": ",".join(r.tags),
        }
        target = passing if status == "pass" else failing
        if len(target) < MAX_ROWS:
            target.append(row)
    rows = (failing + passing)[:MAX_ROWS]
    verdict = "pass" if summary.passed else "fail"
    cards = [
        ("examples", str(summary.n)),
        ("errors", str(summary.errors)),
        ("pass rate", _fmt(summary.metrics.get("pass_rate"))),
        ("p50 latency", f"{summary.latency_ms.get('p50', 0):.1f} ms"),
        ("p95 latency", f"{summary.latency_ms.get('p95', 0):.1f} ms"),
        ("cost", f"${summary.cost_usd:.4f}"),
    ]
    card_html = "".join(
        f"<div class='card'><span class='muted small'>{k}</span><b>{v}</b></div>" for k, v in cards
    )
    metric_rows = "".join(_metric_row(summary, name, value) for name, value in summary.metrics.items())
    gate_rows = (
        "".join(
            f"<tr class='{'pass' if g.passed else 'fail'}'><td>{html.escape(g.metric)}</td>"
            f"<td class='num'>{_fmt(g.value)}</td>"
            f"<td class='num'>{'≤' if g.bound == 'max' else '≥'} {g.threshold:g}</td><td>{g.source}</td>"
            f"<td class='{'pass' if g.passed else 'fail'}'>{'pass' if g.passed else 'FAIL'}</td></tr>"
            for g in summary.gates
        )
        or "<tr><td colspan='5' class='muted'>no gates</td></tr>"
    )
    data = json.dumps(rows, ensure_ascii=False).replace("</", "<\\/")
    note = f" (first {MAX_ROWS}, failures first; all in results.jsonl)" if summary.n > MAX_ROWS else ""
    title = f"agentops eval {summary.run_id}"
    h = f"h{level}"
    return f"""<section>
<{h}>{html.escape(title)} <span class="badge {verdict}">{verdict.upper()}</span></{h}>
<p class="muted">dataset {html.escape(summary.dataset)} · agents {html.escape(", ".join(summary.agents))} ·
provider {html.escape(summary.provider)} · model {html.escape(summary.model)} · trials {summary.trials} ·
started {html.escape(summary.started_at)}{"" if summary.complete else " · INCOMPLETE"}</p>
<div class="cards">{card_html}</div>
<h2>Gates</h2><table><tr><th>metric</th><th>value</th><th>bound</th><th>from</th><th></th></tr>{gate_rows}</table>
<h2>Metrics</h2><table><tr><th>metric</th><th>better</th><th>value</th><th>95 % CI</th><th>n</th>
<th>meaning</th></tr>{metric_rows}</table>
<p class="muted small">95 % CI of rates: Wilson score interval over n examples (or items), widened by the
spread across trials; other metrics: t-interval across trials.</p>
<h2>Confusion matrix</h2>{_confusion_html(summary.confusion)}
{_counterfactual_html(summary.counterfactual)}
<h2>Latency</h2>{_histogram_svg(latencies)}
<h2>Examples</h2>
<p><input id="filter{sfx}" type="search" placeholder="filter: id, agent, text, reason, tag">
<select id="status{sfx}"><option value="all">all</option><option value="fail">failed</option>
<option value="error">errors</option><option value="pass">passed</option></select>
<span class="muted small" id="shown{sfx}"></span><span class="muted small">{html.escape(note)}</span></p>
<table><thead><tr><th>example</th><th>agent</th><th>status</th><th>ms</th><th>input</th><th>got</th>
<th>why</th></tr></thead><tbody id="rows{sfx}"></tbody></table>
<script type="application/json" id="rows-data{sfx}">{data}</script>
<script>examples({json.dumps(sfx)});</script>
</section>
"""


def _page(title: str, content: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{html.escape(title)}</title><style>{CSS}</style><script>{JS}</script></head><body>
{content}
</body></html>
"""


def render(store: RunStore, summary: RunSummary) -> str:
    return _page(f"agentops eval {summary.run_id}", _section(store, summary, ""))


HEADLINE = ("pass_rate", "intent_accuracy", "escalation_f1", "doc_type_accuracy", "field_f1",
            "citation_validity")  # fmt: skip


def render_many(runs: list[tuple[RunStore, RunSummary]]) -> str:
    """Several providers on one page: a side-by-side table, then each run's full report."""
    summaries = [s for _, s in runs]
    names = [m for m in HEADLINE if any(s.metrics.get(m) is not None for s in summaries)]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ("provider", "model", "n", "errors", *names))
    head += "<th>cost</th><th>p95 ms</th><th>verdict</th>"
    rows = []
    for s in summaries:
        cells = [html.escape(s.provider), html.escape(s.model), str(s.n), str(s.errors)]
        for m in names:
            interval = s.metrics_interval.get(m)
            extra = f"<br><span class='muted small'>{_ci(interval)}</span>" if interval else ""
            cells.append(f"{_fmt(s.metrics.get(m))}{extra}")
        cells += [f"${s.cost_usd:.4f}", f"{s.latency_ms.get('p95', 0):.1f}"]
        verdict = "pass" if s.passed else "fail"
        cells.append(f"<span class='badge {verdict}'>{verdict.upper()}</span>")
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    table = f"<table><tr>{head}</tr>{''.join(rows)}</table>"
    sections = "".join(_section(store, s, f"-{i}", level=2) for i, (store, s) in enumerate(runs))
    title = "agentops eval side by side: " + ", ".join(s.run_id for s in summaries)
    content = (
        f"<h1>{html.escape(title)}</h1><p class='muted'>dataset {html.escape(summaries[0].dataset)} · "
        f"95 % Wilson intervals under each rate</p>{table}{sections}"
    )
    return _page(title, content)


def write(store: RunStore, summary: RunSummary, path: Path) -> None:
    _write_text(path, render(store, summary))


def write_many(runs: list[tuple[RunStore, RunSummary]], path: Path) -> None:
    _write_text(path, render(runs[0][0], runs[0][1]) if len(runs) == 1 else render_many(runs))


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(redact(text), encoding="utf-8")
    os.replace(tmp, path)
