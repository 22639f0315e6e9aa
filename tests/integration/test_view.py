"""``agentops view`` over real eval runs: pages, filters, escaping, path safety, compare, export, CLI."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from starlette.testclient import TestClient

from tests.conftest import run_cli
from tests.integration.view_runs import REGRESSED, Runs, make_runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return make_runs(tmp_path_factory.mktemp("view"))


@pytest.fixture
def client(runs: Runs):
    from agentops_cli.viewer.app import create_app
    from agentops_cli.viewer.service import Viewer

    viewer = Viewer(runs.root, runs.cache)
    with TestClient(create_app(viewer)) as c:
        yield c
    viewer.close()


def example_url(run_id: str, key: str) -> str:
    return f"/runs/{run_id}/example?key={quote(key)}"


def test_runs_page_lists_every_run_with_its_figures(client: TestClient, runs: Runs) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    for run_id in (runs.a, runs.b):
        assert f'href="/runs/{run_id}"' in page.text
    assert "document, research, support" in page.text
    assert page.text.count('class="badge fail"') == 2  # both runs fail the config gates


def test_run_page_has_metrics_with_intervals_gates_matrix_and_histogram(
    client: TestClient, runs: Runs
) -> None:
    page = client.get(f"/runs/{runs.a}").text
    assert re.search(r"<td>pass_rate</td><td class=\"small\">higher</td><td class=\"num\">0\.7692", page)
    assert "95 % CI" in page and "must_include_recall" in page
    assert "rows = expected" in page  # confusion matrix of the intent classifier
    assert "<svg" in page and "latency per example" in page and "examples per bin" in page
    assert page.count("<td>support</td>") == 1  # per-agent section


def test_examples_page_filters_sorts_and_pages_on_the_server(client: TestClient, runs: Runs) -> None:
    base = f"/runs/{runs.a}/examples"
    failed = client.get(base, params={"status": "fail"}).text
    assert "3 matching" in failed and "sup-billing-005#0" in failed and "sup-billing-001#0" not in failed
    by_agent = client.get(base, params={"agent": "document"}).text
    assert "2 matching" in by_agent
    assert "1 matching" in client.get(base, params={"tag": "xss"}).text
    assert "1 matching" in client.get(base, params={"q": "window.__xss"}).text
    assert "0 matching" in client.get(base, params={"q": "a%b"}).text  # % is text, not a wildcard
    got = client.get(base, params={"got": "intent=shipping"}).text
    assert "matching" in got
    paged = client.get(base, params={"per_page": 5, "page": 3, "sort": "key"}).text
    assert "13 matching · page 3 of 3" in paged
    keys = re.findall(
        r'example\?key=([^"]+)">', client.get(base, params={"sort": "latency", "desc": "1"}).text
    )
    assert len(keys) == 13
    slowest = client.get(base, params={"sort": "latency", "desc": "1", "per_page": 1}).text
    assert keys[0] in slowest


def test_example_page_shows_document_spans_research_citations_and_transcript(
    client: TestClient, runs: Runs
) -> None:
    doc = client.get(example_url(runs.a, "doc-saas-en#0")).text
    assert '<mark data-field="parties"' in doc and "Brightline Software Inc." in doc
    assert 'class="field-link" data-field="effective_date"' in doc
    assert "<td>fields.governing_law</td>" in doc  # expected vs got per field
    research = client.get(example_url(runs.a, "research-001#0")).text
    link = re.search(r'<a class="cite" href="#(a0-cite-\d+)">', research)
    assert link and f'id="{link.group(1)}"' in research
    support = client.get(example_url(runs.a, "sup-billing-001#0")).text
    assert "<h2>Answer</h2>" in support
    assert "<h2>Transcript</h2>" in research and "research/plan" in research
    both = client.get(example_url(runs.a, "sup-billing-005")).text  # an id lists its trials
    assert "sup-billing-005#0" in both and "<h2>Scorers</h2>" in both


def test_agent_output_with_script_is_escaped_everywhere(client: TestClient, runs: Runs) -> None:
    for url in (example_url(runs.a, "sup-xss#0"), f"/runs/{runs.a}/examples?tag=xss"):
        page = client.get(url).text
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
        assert "<script>window" not in page and "<img src=x" not in page
    assert "<script>" not in client.get(f"/runs/{runs.a}/examples", params={"q": "<script>x"}).text


@pytest.mark.parametrize(
    "path",
    [
        "/runs/x%2F..%2F..%2Fmeta.json",
        "/runs/%2E%2E",
        "/runs/%2e%2e/%2e%2e/etc/passwd",
        "/runs/..%2F..%2Fetc%2Fpasswd",
        "/runs/%252e%252e%252fetc",
        "/runs/..%5C..%5Cwindows",
        "/runs/nope/examples",
        "/static/..%2Fapp.py",
        "/static/app.py",
    ],
)
def test_crafted_run_ids_and_assets_cannot_leave_the_runs_folder(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "root:" not in response.text and "import" not in response.text


def test_unknown_example_and_unknown_runs_in_compare_are_404(client: TestClient, runs: Runs) -> None:
    assert client.get(example_url(runs.a, "../../meta.json")).status_code == 404
    assert client.get("/compare", params={"a": "../runs", "b": runs.b}).status_code == 404
    assert client.get("/matrix").status_code == 404
    assert client.get("/no/such/page").status_code == 404


def test_compare_shows_the_regressed_example_and_metric_deltas(client: TestClient, runs: Runs) -> None:
    page = client.get("/compare", params={"a": runs.a, "b": runs.b}).text
    assert 'id="regressed-count">1<' in page and 'id="improved-count">0<' in page
    assert f"<td>{REGRESSED}</td>" in page
    assert re.search(r"<td>intent_accuracy</td>.*?<td class=\"num\">-0\.\d+</td>", page, re.S)
    assert "p (two-proportion z)" in page
    matrix = client.get("/matrix", params=[("run", runs.a), ("run", runs.b)]).text
    assert "13 examples × 2 runs · 1 where the runs disagree" in matrix


def test_export_writes_a_static_site_with_working_relative_links(runs: Runs, tmp_path: Path) -> None:
    from agentops_cli.viewer.export import export
    from agentops_cli.viewer.service import Viewer

    viewer = Viewer(runs.root, runs.cache)
    written = export(viewer, tmp_path / "site")
    viewer.close()
    assert written["runs"] == 2 and written["pages"] == 1 + 2 * (1 + 1 + 13)
    site = tmp_path / "site"
    for page in [site / "index.html", *site.glob("runs/*/*.html")]:
        text = page.read_text(encoding="utf-8")
        assert "<script>window" not in text
        for href in re.findall(r'(?:href|src)="([^"#]+)"', text):
            assert (page.parent / href).resolve().is_file(), f"{page}: broken link {href}"


def test_cli_serves_the_runs_list_and_exports(runs: Runs, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentops_cli", "view", str(runs.root), "--port", "0", "--no-open"],
        env=runs.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url, line
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(url.group(0), timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert response.status_code == 200 and runs.a in response.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    done = run_cli("view", str(runs.root), "--export", str(tmp_path / "out"), env=runs.env)
    assert done.code == 0 and (tmp_path / "out" / "index.html").is_file(), done.stderr
    missing = run_cli("view", str(tmp_path / "nowhere"), "--no-open", env=runs.env)
    assert missing.code == 2 and "no runs folder" in missing.stderr
