"""``agentops serve``: parse the flags, start the service (``agentops_cli.serving``)."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import err_console, state


def serve(
    host: str | None = typer.Option(None, "--host", help="Bind address (default serve.host: 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="Port (default serve.port: 8000)."),
    workers: int | None = typer.Option(
        None, "--workers", help="Worker processes (default serve.workers: 1)."
    ),
) -> None:
    """Serve every registered agent over HTTP: /v1/agents/{name}/runs, /healthz, /readyz, /metrics."""
    loaded = state().load({"serve.host": host, "serve.port": port, "serve.workers": workers})
    settings = loaded.settings
    from agentops_cli.serving.server import exposure_warning, limits_warning
    from agentops_cli.serving.server import serve as run_server

    for warning in (
        exposure_warning(settings, settings.serve.host),
        limits_warning(settings, settings.serve.workers),
    ):
        if warning:
            err_console().print(f"[yellow]warning:[/yellow] {warning}")
    err_console().print(
        f"agentops serve on http://{settings.serve.host}:{settings.serve.port} "
        f"({settings.serve.workers} worker{'s' if settings.serve.workers > 1 else ''}) · docs at /docs"
    )
    run_server(settings, settings.serve.host, settings.serve.port, settings.serve.workers, loaded.config_file)
