"""``agentops view``: browse eval runs in a local web viewer, or export them as a static site."""

from __future__ import annotations

from pathlib import Path

import typer


def view(
    runs_dir: Path | None = typer.Argument(None, help="Runs folder (default: runs_dir, .agentops/runs)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)."),
    port: int = typer.Option(0, "--port", min=0, max=65535, help="Port (0: any free port)."),
    no_open: bool = typer.Option(False, "--no-open", help="Do not open a browser."),
    export: Path | None = typer.Option(None, "--export", help="Write a static site to DIR and exit."),
) -> None:
    """Browse eval runs: runs, metrics, examples, transcripts, compare (serves until Ctrl-C)."""
    from agentops_cli.cli.common import console, state
    from agentops_cli.errors import BadInput
    from agentops_cli.viewer.service import Viewer

    settings = state().settings()
    root = runs_dir if runs_dir is not None else settings.runs_dir
    if not root.is_dir():
        raise BadInput(f"{root}: no runs folder (run `agentops eval` first, or name one)")
    cache = settings.resolved_cache_dir() / "view"
    if export is not None:
        from agentops_cli.viewer.export import export as write_site

        viewer = Viewer(root, cache, background=False)  # every exported page complete
        try:
            written = write_site(viewer, export)
        finally:
            viewer.close()
        console().print(
            f"wrote {written['pages']} pages for {written['runs']} runs to {export / 'index.html'}"
        )
        return
    from agentops_cli.viewer.server import serve

    def announce(url: str) -> None:
        console().print(f"agentops view: {url}  (runs from {root}; Ctrl-C to stop)")
        console().file.flush()

    try:
        serve(root, cache, host, port, announce, open_browser=not no_open)
    except OSError as exc:
        raise BadInput(f"--host {host} --port {port}: cannot listen ({exc.strerror or exc})") from exc
