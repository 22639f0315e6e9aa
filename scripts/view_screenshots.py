"""Regenerate the screenshots of docs/view.md (docs/img/*.png) from real runs, in one command.

    .venv/bin/python scripts/view_screenshots.py [--out docs/img]

What it does, all with the real tools a user has:

1. ``agentops eval --dataset golden`` — run A, the shipped golden sets (offline provider).
2. ``agentops eval --dataset COPY`` — run B, a copy of the same golden sets in which one support
   row's expected intent is changed (``sup-billing-001``: billing → shipping), so Compare has one
   example that really regresses. Nothing is written into a ``results.jsonl`` by hand.
3. ``agentops view RUNS --port 0 --no-open`` serves both, and Debian's headless Chromium (the one
   ``tests/integration/test_view_browser.py`` drives, installed by ``.ci/run``), driven by
   Playwright, opens each page and saves a screenshot: runs, run, examples (failures),
   example (a document with a field's spans highlighted) and compare.

Everything runs in a temporary folder (own runs dir, cache and home); only the PNGs are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "datasets" / "golden"
CHANGED_ID = "sup-billing-001"
DOCUMENT_KEY = "doc-saas-en#0"  # a plain-text contract: its text is shown with the spans marked
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}


def _agentops(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # nosec B603 - our own CLI, fixed arguments
        [sys.executable, "-m", "agentops_cli", "-q", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _eval(dataset: str, env: dict[str, str], cwd: Path) -> str:
    done = _agentops("eval", "--dataset", dataset, "--json", env=env, cwd=cwd)
    if done.returncode not in (0, 1):  # 1: a gate failed, the run is still complete
        raise SystemExit(f"agentops eval --dataset {dataset} failed ({done.returncode}): {done.stderr}")
    return str(json.loads(done.stdout)["run_id"])


def _changed_golden(dest: Path) -> Path:
    """The golden sets with one expectation changed, so run B regresses on exactly that row."""
    shutil.copytree(GOLDEN, dest)
    support = dest / "support.jsonl"
    rows = [json.loads(line) for line in support.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        if row["id"] == CHANGED_ID:
            row["expected"] = {**row["expected"], "intent": "shipping"}
    support.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return dest


def _serve(root: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """``agentops view`` as a user starts it; returns the process and the URL it printed."""
    proc = subprocess.Popen(  # nosec B603 - our own CLI, fixed arguments
        [sys.executable, "-m", "agentops_cli", "view", str(root), "--port", "0", "--no-open"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    found = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not found:
        proc.terminate()
        raise SystemExit(f"agentops view printed no URL: {line!r}")
    return proc, found.group(0)


def _shoot(url: str, run_a: str, run_b: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(url)  # the socket listens before the URL is printed: no retry needed

        def save(name: str, full_page: bool = True) -> None:
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=full_page)
            shots.append(path)

        save("runs")
        page.goto(f"{url}runs/{quote(run_a)}")
        save("run")
        page.goto(f"{url}runs/{quote(run_a)}/examples?status=fail")
        save("examples", full_page=False)  # 50 rows a page: the first screen shows the idea
        page.goto(f"{url}runs/{quote(run_a)}/example?key={quote(DOCUMENT_KEY)}")
        page.click("a.field-link[data-field=parties]")
        save("example-document", full_page=False)  # the text is long: the first screen shows the idea
        page.goto(url)
        page.check(f"input.pick[value='{run_a}']")
        page.check(f"input.pick[value='{run_b}']")
        page.click("#compare-btn")
        page.wait_for_url("**/compare?**")
        save("compare")
        browser.close()
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    args = parser.parse_args()
    if not Path(CHROMIUM).is_file():
        raise SystemExit("Debian chromium not installed (apt-get install -y chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="view-shots-") as tmp:
        base = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENTOPS_", "OPENAI_"))}
        env.update(
            AGENTOPS_RUNS_DIR=str(base / "runs"),
            AGENTOPS_CACHE_DIR=str(base / "cache"),
            AGENTOPS_HOME=str(base / "home"),
        )
        run_a = _eval("golden", env, base)
        run_b = _eval(str(_changed_golden(base / "golden-changed")), env, base)
        proc, url = _serve(base / "runs", env)
        try:
            shots = _shoot(url, run_a, run_b, args.out)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    for path in shots:
        print(f"{path}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
