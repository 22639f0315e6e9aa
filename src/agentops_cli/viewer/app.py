"""The ASGI app behind ``agentops view``: routes parse the request, :class:`Viewer` reads the
store, :mod:`render` writes the page. Static assets ship in the package (no CDN, works offline).

Every route is a plain ``def``: Starlette runs it in its thread pool, because reading
``results.jsonl``, querying the index, folding a killed run's summary and rendering are all
blocking work. On the event loop, one slow page (a 100k-example Compare) would hold up every
other client until it was done; in the pool, the loop keeps accepting and answering requests.

A big run's index is built in the background (see :mod:`index`): its pages answer at once
from what is ready and reload themselves every ``INDEXING_REFRESH_SECONDS`` until it is done;
a request that needs the index (a filter, a sort, Compare) waits at most ``WAIT_SECONDS`` for it
in its worker thread (:meth:`Viewer.settled`), so other pages keep being served meanwhile.

Every response carries a Content-Security-Policy that allows only this origin's own script and
style files, so even markup that slipped past escaping could not run an inline script.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from agentops_cli.viewer.index import Query
from agentops_cli.viewer.render import ServerUrls, render
from agentops_cli.viewer.service import NotFound, Viewer

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
REFRESH_SECONDS = 3
INDEXING_REFRESH_SECONDS = 1
WAIT_SECONDS = 2.0
STATIC = {"view.css": "text/css; charset=utf-8", "view.js": "text/javascript; charset=utf-8"}
URLS = ServerUrls()


def _page(template: str, code: int = 200, **context: Any) -> HTMLResponse:
    response = HTMLResponse(render(template, URLS, **context), status_code=code)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def query_from(params: Any) -> Query:
    def number(name: str, default: int) -> int:
        raw = params.get(name, "")
        return int(raw) if raw.isdigit() and len(raw) < 9 else default

    return Query(
        status=params.get("status", ""),
        agent=params.get("agent", ""),
        tag=params.get("tag", ""),
        expected=params.get("expected", "")[:200],
        got=params.get("got", "")[:200],
        text=params.get("q", "")[:200],
        sort=params.get("sort", "key"),
        desc=params.get("desc", "") == "1",
        page=number("page", 1),
        per_page=number("per_page", 50),
    )


def _indexing_page(viewer: Viewer, run_ids: list[str]) -> HTMLResponse:
    progress = {run_id: viewer.index(run_id).indexing() for run_id in run_ids}
    building = {run_id: p for run_id, p in progress.items() if p is not None}
    return _page("indexing.html", refresh=INDEXING_REFRESH_SECONDS, building=building)


def create_app(viewer: Viewer) -> Starlette:
    def runs(request: Request) -> Response:
        rows = viewer.runs()
        live = any(r.verdict == "running" for r in rows)
        return _page("runs.html", runs=rows, root=str(viewer.root), refresh=REFRESH_SECONDS if live else 0)

    def run(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        data = viewer.run(run_id)
        refresh = INDEXING_REFRESH_SECONDS if data["indexing"] else 0
        refresh = refresh or (REFRESH_SECONDS if data["live"] == "running" else 0)
        return _page("run.html", refresh=refresh, **data)

    def examples(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        q = query_from(request.query_params)
        if not q.is_plain() and not viewer.ready(run_id):
            viewer.settled([run_id], WAIT_SECONDS)
        data = viewer.examples(run_id, q)
        refresh = INDEXING_REFRESH_SECONDS if data["indexing"] else 0
        return _page("examples.html", run_id=run_id, q=q, note="", refresh=refresh, **data)

    def example(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        key = request.query_params.get("key", "")
        return _page("example.html", run_id=run_id, key=key, **viewer.example(run_id, key))

    def compare(request: Request) -> Response:
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        if not viewer.settled([a, b], WAIT_SECONDS):
            return _indexing_page(viewer, [a, b])
        return _page("compare.html", **viewer.compare(a, b))

    def matrix(request: Request) -> Response:
        ids = request.query_params.getlist("run")[:12]
        if not ids:
            raise NotFound("name runs to line up: /matrix?run=A&run=B")
        if not viewer.settled(ids, WAIT_SECONDS):
            return _indexing_page(viewer, ids)
        return _page("matrix.html", **viewer.matrix(ids))

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            raise NotFound(f"no asset {name!r}")
        body = resources.files("agentops_cli.viewer").joinpath("static", name).read_bytes()
        return Response(body, media_type=STATIC[name], headers={"Cache-Control": "no-cache"})

    def not_found(request: Request, exc: Exception) -> Response:
        return _page("error.html", code=404, **_error(exc))

    routes = [
        Route("/", runs),
        Route("/runs/{run_id}", run),
        Route("/runs/{run_id}/examples", examples),
        Route("/runs/{run_id}/example", example),
        Route("/compare", compare),
        Route("/matrix", matrix),
        Route("/static/{name}", static),
    ]
    return Starlette(routes=routes, exception_handlers={NotFound: not_found, 404: not_found})


def _error(exc: Exception) -> dict[str, Any]:
    """A 404 page naming what was asked for (escaped like everything else), never a traceback."""
    detail = getattr(exc, "detail", None) or str(exc)
    return {"status": "404 not found", "message": detail}
