"""``agentops view --export DIR``: the viewer's pages as a static site (for CI artifacts).

``DIR/index.html`` lists the runs; each run gets ``runs/ID/index.html``, its examples in pages
(failures first, at most ``MAX_PAGES`` pages) and one page per listed example. Links are
relative, so the folder opens from a zip or an artifact store exactly as written. Every file
goes through the same templates (and escaping) as the server.
"""

from __future__ import annotations

import os
from dataclasses import replace
from importlib import resources
from pathlib import Path

from agentops_cli.viewer.index import Query
from agentops_cli.viewer.render import ExportUrls, example_file, render, safe_name
from agentops_cli.viewer.service import Viewer

PER_PAGE = 100
MAX_PAGES = 10


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def export(viewer: Viewer, out: Path) -> dict[str, int]:
    """Write the site; returns how many runs and pages were written."""
    pages = 0
    for name in ("view.css", "view.js"):
        body = resources.files("agentops_cli.viewer").joinpath("static", name).read_bytes()
        (out / "static").mkdir(parents=True, exist_ok=True)
        (out / "static" / name).write_bytes(body)
    rows = viewer.runs()
    _write(
        out / "index.html", render("runs.html", ExportUrls(0), runs=rows, root=str(viewer.root), refresh=0)
    )
    pages += 1
    for row in rows:
        pages += _export_run(viewer, row.run_id, out / "runs" / safe_name(row.run_id))
    return {"runs": len(rows), "pages": pages}


def _export_run(viewer: Viewer, run_id: str, folder: Path) -> int:
    urls = ExportUrls(2)
    _write(folder / "index.html", render("run.html", urls, refresh=0, **viewer.run(run_id)))
    written = 1
    data = viewer.examples(run_id, Query(sort="status", per_page=PER_PAGE))  # error < fail < pass
    total_pages = min(data["page"].pages, MAX_PAGES)
    note = (
        f"first {MAX_PAGES * PER_PAGE} shown; all in results.jsonl" if data["page"].pages > MAX_PAGES else ""
    )
    for number in range(1, total_pages + 1):
        q = Query(sort="status", per_page=PER_PAGE, page=number)
        page_data = viewer.examples(run_id, q)
        page = replace(page_data["page"], pages=total_pages)
        page_data["page"] = page
        _write(folder / f"examples-{number}.html",
               render("examples.html", urls, run_id=run_id, q=q, note=note, **page_data))  # fmt: skip
        written += 1
        for row in page.rows:
            html = render(
                "example.html", urls, run_id=run_id, key=row["key"], **viewer.example(run_id, row["key"])
            )
            _write(folder / example_file(row["key"]), html)
            written += 1
    return written
