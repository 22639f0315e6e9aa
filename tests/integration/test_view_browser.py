"""``agentops view`` in a real headless Chromium (Debian's package, driven by Playwright).

Navigates the runs list, filters it, opens a run, filters its examples, opens an example (the
``<script>`` in an agent's input must not run), compares two runs. Screenshots are kept as
test artifacts under pytest's tmp dir; docs/img/ is made by ``scripts/view_screenshots.py``.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from tests.integration.view_runs import REGRESSED, Runs, make_runs, serving

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason="Debian chromium not installed (apt-get install -y chromium)"
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    from agentops_cli.viewer.service import Viewer

    runs = make_runs(tmp_path_factory.mktemp("browser"))
    viewer = Viewer(runs.root, runs.cache)
    with serving(viewer) as url:
        yield url, runs
    viewer.close()


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder


def test_navigate_filter_open_example_and_compare(served: tuple[str, Runs], browser, shots: Path) -> None:
    url, runs = served
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    assert page.locator("#runs tbody tr").count() == 2
    page.fill("#runs-filter", runs.b)
    assert page.locator("#runs tbody tr:visible").count() == 1
    page.screenshot(path=str(shots / "runs.png"), full_page=True)
    page.fill("#runs-filter", "")

    page.click(f"text={runs.a}")
    assert page.locator("#metrics").is_visible()
    assert page.locator("svg[aria-label='latency histogram']").is_visible()
    page.screenshot(path=str(shots / "run.png"), full_page=True)

    page.click("text=all 13 examples")
    page.select_option("select[name=status]", "fail")
    page.click("#filters button[type=submit]")
    assert f"{len(runs.failed_a)} matching" in page.inner_text("#shown")
    page.screenshot(path=str(shots / "examples.png"), full_page=True)

    page.goto(url + f"runs/{runs.a}/examples")  # all 13, documents (long paths, long "got") too
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # cells wrap

    page.goto(url + f"runs/{runs.a}/examples?tag=xss")
    page.click("text=sup-xss#0")
    assert page.evaluate("window.__xss") is None  # the <script> in the input stayed text
    assert "<script>window.__xss=1</script>" in page.inner_text("pre.input")

    page.goto(url + f"runs/{runs.a}/example?key=doc-saas-en%230")
    page.click("a.field-link[data-field=parties]")
    assert page.locator("mark.active[data-field=parties]").count() >= 1
    page.screenshot(path=str(shots / "example-document.png"), full_page=False)

    page.goto(url)
    page.click("#runs th:has-text('run')")  # sorted by id: A (older) is now above B
    assert page.locator("#runs tbody tr").first.inner_text().find(runs.a) >= 0
    page.check(f"input.pick[value='{runs.a}']")
    page.check(f"input.pick[value='{runs.b}']")
    page.click("#compare-btn")
    page.wait_for_url("**/compare?**")
    assert f"a={runs.a}&b={runs.b}" in page.url  # oldest is A, whatever the rows' order
    assert page.inner_text("#regressed-count") == "1"
    assert REGRESSED in page.inner_text("#changed")
    page.screenshot(path=str(shots / "compare.png"), full_page=True)
    assert errors == []
    assert all(
        (shots / f"{name}.png").stat().st_size > 5000 for name in ("runs", "run", "examples", "compare")
    )
    page.close()


def test_a_live_page_does_not_reload_under_the_users_hands(
    served: tuple[str, Runs], browser, tmp_path: Path
) -> None:
    """The runs page reloads every 3 s while a run is written; ticked runs and a typed filter
    must survive that (a reload dropped them), and the reload happens once the user is done."""
    from agentops_cli.viewer.service import Viewer

    _, runs = served
    root = tmp_path / "runs"
    for run_id in (runs.a, runs.b):
        shutil.copytree(runs.root / run_id, root / run_id)
    (root / runs.b / "summary.json").unlink()  # no summary, results just written: "running"
    (root / runs.b / "results.jsonl").touch()
    viewer = Viewer(root, tmp_path / "cache")
    with serving(viewer) as url:
        page = browser.new_page()
        page.goto(url)
        assert page.evaluate("document.body.dataset.refresh") == "3"
        page.check(f"input.pick[value='{runs.a}']")
        page.fill("#runs-filter", runs.a[:8])
        page.locator("h1").click()  # focus leaves the filter: only the changed values hold the reload
        page.locator("body[data-postponed]").wait_for(state="attached", timeout=30_000)  # timer fired
        assert page.is_checked(f"input.pick[value='{runs.a}']") and page.input_value("#runs-filter")
        page.uncheck(f"input.pick[value='{runs.a}']")
        with page.expect_navigation(timeout=30_000):
            page.fill("#runs-filter", "")
            page.locator("h1").click()
        assert page.evaluate("document.body.dataset.postponed") is None  # a fresh page
        page.close()
    viewer.close()


def test_the_examples_page_reloads_itself_until_the_index_is_ready(
    served: tuple[str, Runs], browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a big run is indexed the Examples page says "indexing…" and reloads every second.

    Its filter ``<select>``s start on an option without a ``selected`` attribute ("any status"):
    that untouched state must not count as the user's edit (it did, and the page never reloaded),
    while a status the user picked and has not submitted yet must hold the reload.
    """
    from agentops_cli.viewer import index as index_module
    from agentops_cli.viewer.index import RunIndex
    from agentops_cli.viewer.service import Viewer

    _, runs = served
    root = tmp_path / "runs"
    shutil.copytree(runs.root / runs.a, root / runs.a)
    monkeypatch.setattr(index_module, "INLINE_BYTES", 0)  # any backlog is built in the background
    gate, real_build = threading.Event(), RunIndex._build
    monkeypatch.setattr(RunIndex, "_build", lambda self: (gate.wait(60), real_build(self)))
    viewer = Viewer(root, tmp_path / "cache")
    try:
        with serving(viewer) as url:
            page = browser.new_page()
            page.goto(url + f"runs/{runs.a}/examples")
            assert page.locator("#indexing").is_visible()
            assert page.evaluate("document.body.dataset.refresh") == "1"
            with page.expect_navigation(timeout=30_000):
                pass  # nobody touched anything: the timer reloads the page
            assert page.evaluate("document.body.dataset.postponed") is None
            page.select_option("select[name=status]", "fail")  # picked, not submitted yet
            page.locator("h1").click()
            page.locator("body[data-postponed]").wait_for(state="attached", timeout=30_000)
            assert page.input_value("select[name=status]") == "fail"
            gate.set()  # the index is built; the page shows it once the user is done
            with page.expect_navigation(timeout=30_000):
                page.select_option("select[name=status]", "")
                page.locator("h1").click()
            page.locator("#shown").wait_for(timeout=30_000)  # reloaded until the index was ready
            assert "13 matching" in page.inner_text("#shown")
            assert page.evaluate("document.body.dataset.refresh") is None
            page.close()
    finally:
        gate.set()
        viewer.close()


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        # two runs started in the same second: created_at cannot tell, the ids' milliseconds can
        (("20261130-083001-105-aaaaaa", "2026-11-30T08:30:01+0000"),
         ("20261130-083001-912-bbbbbb", "2026-11-30T08:30:01+0000")),
        # a laptop run at 09:00 CET (08:00 UTC) before a CI run at 08:30 UTC
        (("20261130-090000-000-dddddd", "2026-11-30T09:00:00+0100"),
         ("20261130-083000-000-cccccc", "2026-11-30T08:30:00+0000")),
    ],
    ids=["same-second", "mixed-offsets"],
)  # fmt: skip
def test_compare_takes_the_run_that_started_first_as_a(
    served: tuple[str, Runs], browser, tmp_path: Path, older: tuple[str, str], newer: tuple[str, str]
) -> None:
    import json

    from agentops_cli.viewer.service import Viewer

    _, runs = served
    root = tmp_path / "runs"
    for (run_id, created_at), source in ((older, runs.a), (newer, runs.b)):
        shutil.copytree(runs.root / source, root / run_id)
        meta = json.loads((root / run_id / "meta.json").read_text(encoding="utf-8"))
        meta.update(run_id=run_id, created_at=created_at)
        (root / run_id / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    viewer = Viewer(root, tmp_path / "cache")
    with serving(viewer) as url:
        page = browser.new_page()
        page.goto(url)
        page.check(f"input.pick[value='{older[0]}']")
        page.check(f"input.pick[value='{newer[0]}']")
        page.click("#compare-btn")
        page.wait_for_url("**/compare?**")
        assert f"a={older[0]}&b={newer[0]}" in page.url
        assert page.inner_text("#regressed-count") == "1"  # A → B really is run A → run B
        page.close()
    viewer.close()
