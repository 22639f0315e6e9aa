"""Start uvicorn on the app: one process, or ``--workers N`` processes sharing the port.

With several workers uvicorn imports the app by name in each child, so each builds its
own from the same settings (:func:`app_from_environment` reads the config file named in
``AGENTOPS_CONFIG``, as any ``agentops`` command does).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from pathlib import Path
from typing import TYPE_CHECKING

from agentops_cli.config import Settings, load_settings
from agentops_cli.errors import RuntimeFailure

if TYPE_CHECKING:
    import socket

    from uvicorn import Config

FACTORY = "agentops_cli.serving.server:app_from_environment"
WORKER_READY_TIMEOUT_S = 120


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def exposure_warning(settings: Settings, host: str) -> str | None:
    """A warning when the API leaves this machine without API keys."""
    if not is_loopback(host) and not settings.serve.api_keys:
        return f"serving on {host} without API keys: anyone who can reach it may run agents"
    return None


def limits_warning(settings: Settings, workers: int) -> str | None:
    """A warning when ``--workers N`` would multiply the rate limit and quota by N.

    Without ``redis_url`` each worker counts in its own memory, and the kernel spreads a
    caller's connections over the workers: a caller may get up to N times the configured
    figures. With Redis the workers (and replicas) share one count.
    """
    serve = settings.serve
    if workers < 2 or settings.redis_url or not (serve.rate_limit_per_minute or serve.daily_quota):
        return None
    return (
        f"{workers} workers without redis_url: each counts rate limits and quotas on its own, so a caller "
        f"may get up to {workers}× them; set redis_url to share one count"
    )


def app_from_environment():  # type: ignore[no-untyped-def]  # uvicorn's factory signature
    from agentops_cli.config import settings_secrets
    from agentops_cli.observability.redact import register_secrets
    from agentops_cli.serving.app import create_app

    settings = load_settings().settings
    register_secrets(settings_secrets(settings))
    return create_app(settings, freeze=True)


def serve(settings: Settings, host: str, port: int, workers: int, config_file: Path | None) -> None:
    """Run the service until interrupted."""
    import uvicorn

    if workers > 1:
        if config_file is not None:
            os.environ["AGENTOPS_CONFIG"] = str(config_file.resolve())
        config = uvicorn.Config(
            FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            access_log=False,  # as with one worker: the audit log records every request
            # uvicorn's health-check timeout stays at its 5 s: it is also how long the supervisor
            # blocks on a hung worker. Warm-up gets WORKER_READY_TIMEOUT_S (serving.workers).
        )
        from agentops_cli.serving.metrics import workers_metrics_dir

        with workers_metrics_dir():  # one /metrics for all workers (serving.metrics)
            run_workers(config)
        return
    from agentops_cli.observability.metrics_mode import keep_metrics_in_memory

    keep_metrics_in_memory()  # whatever was set: before the app imports prometheus_client
    from agentops_cli.serving.app import create_app

    uvicorn.run(
        create_app(settings, freeze=True), host=host, port=port, log_level="warning", access_log=False
    )


def run_workers(config: Config) -> None:
    """N worker processes, each on its own ``SO_REUSEPORT`` socket (:mod:`.workers`) where the
    platform has it, else uvicorn's shared socket."""
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    from agentops_cli.serving.workers import PerWorkerSockets, ensure_port_free, reuseport_supported

    shared: list[socket.socket] = []  # the fallback's one socket; PerWorkerSockets closes its own
    try:
        # First, on every platform: uvicorn's own bind_socket() would log and exit 3 on a busy
        # port, without the one-line error of a one-worker server.
        ensure_port_free(config.host, config.port)
        if reuseport_supported():
            supervisor: Multiprocess = PerWorkerSockets(config, ready_timeout=WORKER_READY_TIMEOUT_S)
        else:
            shared.append(config.bind_socket())
            supervisor = Multiprocess(config, shared)
    except OSError as exc:
        raise RuntimeFailure(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from exc
    try:
        with contextlib.suppress(KeyboardInterrupt):
            supervisor.run()
    finally:
        for sock in shared:
            sock.close()
    # uvicorn stops the parent when a worker exits with STARTUP_FAILURE (a broken app fails the
    # same way in every worker) but returns normally: without this, `serve` would exit 0.
    failed = [process.pid for process in supervisor.processes if process.exitcode == STARTUP_FAILURE]
    if failed:
        raise RuntimeFailure(f"worker {failed[0]} failed to start (its error is logged above)")
