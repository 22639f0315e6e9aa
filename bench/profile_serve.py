"""Where one ``agentops serve`` request spends its CPU: cProfile over the real ASGI app.

    .venv/bin/python bench/profile_serve.py [--requests 1000] [--top 25] [--out FILE.prof]

The app is ``create_app`` on the offline support agent (a temporary home, rate limits off),
warmed as the server warms it; each request is a real ASGI call (routing, middleware,
dependencies, body, validation, the run, metrics, audit line, orjson response) without the
socket and HTTP parsing. cProfile sees one thread, so the run that ``execute`` hands to the
thread pool is called inline here: the profile is the request's work, not the thread hop
(bench_serve.py measures the served request, hop included). cProfile inflates call-heavy code,
so read shares, not milliseconds; the first line prints the unprofiled CPU per request.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RUNS_PATH = "/v1/agents/support/runs"


async def _inline(function: Any, *args: Any, limiter: Any = None) -> Any:
    return function(*args)


async def _post(app: Any, body: bytes) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": RUNS_PATH,
        "raw_path": RUNS_PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    if statuses != [200]:
        raise RuntimeError(f"request answered {statuses}")


async def _profile(app: Any, requests: int, profiler: cProfile.Profile) -> float:
    async with app.router.lifespan_context(app):
        for i in range(100):  # warm-up: first-use caches, not measured
            await _post(app, json.dumps({"query": f"I was charged twice ({i})"}).encode())
        queries = [f"Where is my parcel? (ticket {i})" for i in range(requests)]
        bodies = [json.dumps({"query": query}).encode() for query in queries]
        started = time.process_time()
        for body in bodies:
            await _post(app, body)
        plain = (time.process_time() - started) * 1000 / requests
        profiler.enable()
        for body in bodies:
            await _post(app, body)
        profiler.disable()
    return plain


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="profile-serve-") as home:
        os.environ.update(
            AGENTOPS_HOME=home, AGENTOPS_LLM__PROVIDER="offline", AGENTOPS_SERVE__RATE_LIMIT_PER_MINUTE="0"
        )
        from agentops_cli.config import load_settings
        from agentops_cli.serving import execute
        from agentops_cli.serving.app import create_app

        execute.anyio.to_thread.run_sync = _inline  # type: ignore[assignment]  # see the docstring
        app = create_app(load_settings().settings)
        profiler = cProfile.Profile()
        plain = asyncio.run(_profile(app, args.requests, profiler))
    print(f"CPU per request without the profiler: {plain:.2f} ms ({args.requests} requests, in process)")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    if args.out:
        stats.dump_stats(args.out)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
