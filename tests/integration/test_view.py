"""``agentops view`` over real eval runs: pages, filters, escaping, path safety, compare, export, CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from starlette.testclient import TestClient

from tests.conftest import run_cli
from tests.integration.view_runs import REGRESSED, Runs, big_run, make_runs, serving


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
    rate = runs.pass_rate_a
    assert re.search(rf"<td>pass_rate</td><td class=\"small\">higher</td><td class=\"num\">{rate:.4f}", page)
    assert "95 % CI" in page and "must_include_recall" in page
    ci = re.search(
        r"<td>pass_rate</td>(?:(?!</tr>).)*<td class=\"num small\">(0\.\d{4}) – (0\.\d{4})</td>", page, re.S
    )
    assert ci and float(ci.group(1)) < rate < float(ci.group(2))  # a Wilson interval around the rate
    assert "rows = expected" in page  # confusion matrix of the intent classifier
    assert "<svg" in page and "latency per example" in page and "examples per bin" in page
    assert page.count("<td>support</td>") == 1  # per-agent section


def test_examples_page_filters_sorts_and_pages_on_the_server(client: TestClient, runs: Runs) -> None:
    base = f"/runs/{runs.a}/examples"
    failed = client.get(base, params={"status": "fail"}).text
    assert f"{len(runs.failed_a)} matching" in failed and all(key in failed for key in runs.failed_a)
    assert "sup-billing-001#0" not in failed
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


# -- a big run opens before its index is built; live runs; the index is only a cache ----------------
def _copy_run(
    runs: Runs, run_id: str, dest: Path, lines: int | None = None, summary: bool = True, name: str = ""
) -> Path:
    """A copy of a real run (its own result lines, none hand-written), optionally cut short."""
    import shutil

    folder = dest / (name or run_id)
    shutil.copytree(runs.root / run_id, folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    (folder / "meta.json").write_text(json.dumps({**meta, "run_id": folder.name}), encoding="utf-8")
    if not summary:
        (folder / "summary.json").unlink()
    if lines is not None:
        kept = (folder / "results.jsonl").read_bytes().splitlines(keepends=True)[:lines]
        (folder / "results.jsonl").write_bytes(b"".join(kept))
    return folder


@pytest.fixture
def gated_build(monkeypatch: pytest.MonkeyPatch):
    """Every run is "big" (built in the background), and the build waits until the test says go."""
    from agentops_cli.viewer import app as app_module
    from agentops_cli.viewer import index as index_module

    gate = threading.Event()
    real_build = index_module.RunIndex._build

    def build_when_released(self: index_module.RunIndex) -> None:
        gate.wait(60)
        real_build(self)

    monkeypatch.setattr(index_module, "INLINE_BYTES", 0)
    monkeypatch.setattr(index_module.RunIndex, "_build", build_when_released)
    monkeypatch.setattr(app_module, "WAIT_SECONDS", 0.2)
    yield gate
    gate.set()


def test_first_page_is_read_from_the_file_while_the_index_builds(
    runs: Runs, tmp_path: Path, gated_build: threading.Event
) -> None:
    from agentops_cli.viewer.app import create_app
    from agentops_cli.viewer.service import Viewer

    viewer = Viewer(runs.root, tmp_path / "cache")
    results = runs.root / runs.a / "results.jsonl"
    file_order = [json.loads(line)["key"] for line in results.read_text(encoding="utf-8").splitlines()]
    with TestClient(create_app(viewer)) as c:
        first = c.get(f"/runs/{runs.a}/examples", params={"per_page": 5}).text
        assert "indexing… 0 rows (0 % of results.jsonl)" in first and "in file order" in first
        assert re.findall(r'example\?key=([^"]+)">', first) == [quote(k) for k in file_order[:5]]
        assert 'data-refresh="1"' in first and 'rel="next"' in first
        second = c.get(f"/runs/{runs.a}/examples", params={"per_page": 5, "page": 3}).text
        assert re.findall(r'example\?key=([^"]+)">', second) == [quote(k) for k in file_order[10:13]]
        assert 'rel="next"' not in second
        # a filter needs the index: after a bounded wait, a notice and no rows that only look filtered
        filtered = c.get(f"/runs/{runs.a}/examples", params={"status": "fail"}).text
        assert "Filters and sorting need the index" in filtered and "waiting for the index" in filtered
        assert "sup-billing-005#0" not in filtered
        example = c.get(example_url(runs.a, REGRESSED))  # found by reading the file
        assert example.status_code == 200 and "<h2>Answer</h2>" in example.text
        assert c.get(example_url(runs.a, "no-such-example")).status_code == 404
        run = c.get(f"/runs/{runs.a}").text
        assert "indexing…" in run and "pass_rate" in run and "<svg" not in run  # summary now, histogram later
        compare = c.get("/compare", params={"a": runs.a, "b": runs.b})
        assert compare.status_code == 200 and "<h1>Indexing…</h1>" in compare.text
        assert "<h1>Indexing…</h1>" in c.get("/matrix", params=[("run", runs.a), ("run", runs.b)]).text
        gated_build.set()
        ready = c.get(f"/runs/{runs.a}/examples", params={"status": "fail"}).text  # waits, then answers
        assert (
            f"{len(runs.failed_a)} matching" in ready
            and "sup-billing-005#0" in ready
            and "indexing…" not in ready
        )
        assert "<svg" in c.get(f"/runs/{runs.a}").text
        assert 'id="regressed-count">1<' in c.get("/compare", params={"a": runs.a, "b": runs.b}).text
    viewer.close()
    assert not list((tmp_path / "cache").glob("*.building-*"))  # the build file became the index


def test_live_run_status_and_index_follow_appends_and_rewrites(
    runs: Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentops_cli.viewer.app import create_app
    from agentops_cli.viewer.service import Viewer

    root = tmp_path / "runs"
    folder = _copy_run(runs, runs.a, root, lines=4, summary=False)
    results = folder / "results.jsonl"
    all_lines = (runs.root / runs.a / "results.jsonl").read_bytes().splitlines(keepends=True)
    with results.open("ab") as fh:
        fh.write(all_lines[4][:40])  # a line still being written: not shown yet
    from agentops_cli.evaluation import service as eval_service

    folds = []
    real_fold = eval_service.summarise_store
    monkeypatch.setattr(eval_service, "summarise_store", lambda store: folds.append(1) or real_fold(store))
    viewer = Viewer(root, tmp_path / "cache")
    with TestClient(create_app(viewer)) as c:
        listing = c.get("/").text
        assert 'class="badge running"' in listing and 'data-refresh="3"' in listing
        assert "4 matching" in c.get(f"/runs/{runs.a}/examples").text
        run_page = c.get(f"/runs/{runs.a}").text
        assert 'data-refresh="3"' in run_page and "<span>examples</span><b>4</b>" in run_page
        assert 'data-refresh="3"' in c.get(f"/runs/{runs.a}").text
        assert len(folds) == 1  # the same lines are folded into a summary once, not per reload
        with results.open("ab") as fh:  # the eval finishes that line and writes the rest
            fh.write(all_lines[4][40:] + b"".join(all_lines[5:]))
        assert "13 matching" in c.get(f"/runs/{runs.a}/examples").text
        assert "<span>examples</span><b>13</b>" in c.get(f"/runs/{runs.a}").text
        assert len(folds) == 2  # new lines: folded again
        results.write_bytes(b"".join(all_lines[:2]))  # rewritten shorter (--retry-errors): rebuilt
        assert "2 matching" in c.get(f"/runs/{runs.a}/examples").text
        results.write_bytes(b"".join(reversed(all_lines[-2:])))  # same size class, other content
        page = c.get(f"/runs/{runs.a}/examples").text
        assert "2 matching" in page and quote(json.loads(all_lines[-1])["key"]) in page
        old = time.time() - 3600
        os.utime(results, (old, old))  # nothing written for an hour, no summary: incomplete
        assert 'class="badge incomplete"' in c.get("/").text
    viewer.close()


def test_index_cache_is_disposable(runs: Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentops_cli.viewer import index as index_module
    from agentops_cli.viewer.index import Query, RunIndex

    cache = tmp_path / "cache"
    idx = RunIndex(runs.root / runs.a, cache)
    idx.refresh()
    assert idx.query(Query()).total == 13
    idx.close()
    idx.path.write_bytes(b"not a database" * 100)  # a corrupted cache file is rebuilt, not an error
    again = RunIndex(runs.root / runs.a, cache)
    again.refresh()
    assert again.query(Query(status="fail")).total == len(runs.failed_a)
    again.close()
    # a background build that fails says so in the next request instead of serving a half index
    monkeypatch.setattr(index_module, "INLINE_BYTES", 0)

    def broken(*_args: object, **_kw: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(index_module, "_ingest", broken)
    idx.path.unlink()
    failing = RunIndex(runs.root / runs.a, cache)
    failing.refresh()
    with pytest.raises(RuntimeError, match=r"could not be indexed.*disk full"):
        failing.wait(30)
    failing.close()


def test_compare_lists_missing_and_new_examples_with_p_values(runs: Runs, tmp_path: Path) -> None:
    from agentops_cli.viewer.app import create_app
    from agentops_cli.viewer.service import Viewer, rate_difference_p

    root = tmp_path / "runs"
    _copy_run(runs, runs.a, root, name="full")
    _copy_run(runs, runs.a, root, lines=10, summary=False, name="cut")
    for run_id in (runs.a, runs.b):
        _copy_run(runs, run_id, root)
    cut_keys = [
        json.loads(line)["key"] for line in (root / "full" / "results.jsonl").read_text().splitlines()
    ]
    viewer = Viewer(root, tmp_path / "cache")
    with TestClient(create_app(viewer)) as c:
        shrunk = c.get("/compare", params={"a": "full", "b": "cut"}).text
        assert "<h2>Missing in B</h2>" in shrunk and "<h2>New in B</h2>" not in shrunk
        assert all(key in shrunk for key in cut_keys[10:])
        grown = c.get("/compare", params={"a": "cut", "b": "full"}).text
        assert "<h2>New in B</h2>" in grown and "<h2>Missing in B</h2>" not in grown
        same = c.get("/compare", params={"a": runs.a, "b": runs.b}).text
        assert re.search(
            r"<td>pass_rate</td>(?:(?!</tr>).)*"
            r"<td class=\"num\">0\.\d{4}</td><td><span class=\"muted\">could be noise",
            same,
            re.S,
        )
    viewer.close()
    # 50 % vs 70 % over 100 examples each: z = 2.887, p = 0.0039 (significant); 1 of 13 is not
    assert rate_difference_p(0.5, 100, 0.7, 100) == pytest.approx(0.00389, abs=1e-4)
    assert rate_difference_p(0.5, 13, 0.4, 13) > 0.05
    assert rate_difference_p(0.5, None, 0.7, 100) is None and rate_difference_p(1.0, 5, 1.0, 5) == 1.0


# -- one slow page does not hold up the others ---------------------------------------------------------
BIG_RUN_LINES = 6_000


def test_a_slow_page_does_not_block_other_clients(
    runs: Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the run page of a big killed run indexes and folds its 6,000 lines (seconds of CPU),
    another client's pages are answered: the handlers do that work in worker threads, not on the
    event loop. Only the order of completion is checked, and that the slow page is the one a
    lone request gets (the same bytes). Two requests for the slow page fold its lines once."""
    from agentops_cli.evaluation import service as eval_service
    from agentops_cli.viewer.service import Viewer

    root = tmp_path / "runs"
    _copy_run(runs, runs.b, root)
    big = big_run(runs, root, BIG_RUN_LINES)
    old = time.time() - 3600  # written an hour ago: "incomplete" on both requests, never "running"
    os.utime(root / big / "results.jsonl", (old, old))
    folds: list[str] = []
    real_fold = eval_service.summarise_store
    monkeypatch.setattr(
        eval_service, "summarise_store", lambda store: folds.append(store.run_id) or real_fold(store)
    )
    viewer = Viewer(root, tmp_path / "cache", background=False)  # its index is built in that request too
    done: list[tuple[str, int, str]] = []

    def fetch(url: str, label: str) -> None:
        response = httpx.get(url, timeout=300)
        done.append((label, response.status_code, response.text))

    with serving(viewer) as url:
        assert httpx.get(url + "static/view.css", timeout=30).status_code == 200  # the server is up
        slow = [threading.Thread(target=fetch, args=(f"{url}runs/{big}", "slow")) for _ in range(2)]
        for thread in slow:
            thread.start()
        time.sleep(0.3)  # a head start, so the slow page is being built when the others arrive
        for path in (f"runs/{runs.b}", f"runs/{runs.b}/examples?status=fail", "static/view.js"):
            fetch(url + path, path)
        fast_done = len(done)
        for thread in slow:
            thread.join(timeout=300)
    viewer.close()
    labels = [label for label, _, _ in done]
    assert fast_done == 3 and labels[-2:] == ["slow", "slow"], labels  # answered while it was in flight
    assert all(code == 200 for _, code, _ in done)
    assert folds == [big]  # the second request waited for the first one's fold
    assert done[-1][2] == done[-2][2] and f"<span>examples</span><b>{BIG_RUN_LINES}</b>" in done[-1][2]
