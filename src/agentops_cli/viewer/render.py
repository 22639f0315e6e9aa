"""Pages as HTML: Jinja2 templates shipped in the package, autoescaped.

Autoescaping is on for every template, so an agent's output (``<script>...``), a tag or a
run id is always text on the page. The only markup passed through unescaped is the SVG and
table the static report builds (``evaluation/reports/html.py``), which escapes its own labels.

One template set serves two link schemes: :class:`ServerUrls` for ``agentops view`` and
:class:`ExportUrls` for ``--export DIR`` (relative file links that work from a CI artifact).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup

from agentops_cli.evaluation.metrics import lookup
from agentops_cli.evaluation.reports.html import _confusion_html, _histogram_svg


class ServerUrls:
    live = True

    def home(self) -> str:
        return "/"

    def run(self, run_id: str) -> str:
        return f"/runs/{quote(run_id, safe='')}"

    def examples(self, run_id: str, **params: Any) -> str:
        query = urlencode({k: v for k, v in params.items() if v not in ("", None, False)})
        return f"/runs/{quote(run_id, safe='')}/examples" + (f"?{query}" if query else "")

    def example(self, run_id: str, key: str) -> str:
        return f"/runs/{quote(run_id, safe='')}/example?{urlencode({'key': key})}"

    def compare(self, a: str, b: str) -> str:
        return f"/compare?{urlencode({'a': a, 'b': b})}"

    def static(self, name: str) -> str:
        return f"/static/{name}"


class ExportUrls:
    """Relative links between the files ``--export`` writes; ``depth`` is the page's folder depth."""

    live = False

    def __init__(self, depth: int = 0) -> None:
        self.up = "../" * depth

    def home(self) -> str:
        return f"{self.up}index.html"

    def run(self, run_id: str) -> str:
        return f"{self.up}runs/{quote(safe_name(run_id))}/index.html"

    def examples(self, run_id: str, page: int = 1, **_: Any) -> str:
        return f"{self.up}runs/{quote(safe_name(run_id))}/examples-{page}.html"

    def example(self, run_id: str, key: str) -> str:
        return f"{self.up}runs/{quote(safe_name(run_id))}/{example_file(key)}"

    def compare(self, a: str, b: str) -> str:
        return f"{self.up}compare-{safe_name(a)}-{safe_name(b)}.html"

    def static(self, name: str) -> str:
        return f"{self.up}static/{name}"


def safe_name(run_id: str) -> str:
    """A file name for a run id: ids from the store are already plain, this keeps it so."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id).strip(".")
    return cleaned or "run"


def example_file(key: str) -> str:
    return f"example-{hashlib.sha256(key.encode()).hexdigest()[:16]}.html"


def fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"{value:.{digits}f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def show(value: Any) -> str:
    """A field value as a reader wants it: strings bare, everything else as compact JSON."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


@lru_cache(maxsize=1)
def environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("agentops_cli.viewer", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(fmt=fmt, show=show, pretty=pretty)
    env.globals.update(
        metric_info=lookup,
        histogram=lambda latencies: Markup(_histogram_svg(latencies)),  # nosec B704 - escapes its own text
        confusion=lambda c: Markup(_confusion_html(c)),  # nosec B704 - escapes its own labels
    )
    return env


def render(template: str, urls: ServerUrls | ExportUrls, **context: Any) -> str:
    from agentops_cli.observability.redact import redact

    return redact(environment().get_template(template).render(url=urls, **context))
