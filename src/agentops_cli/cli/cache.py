"""``agentops cache stats|clear|path``: the response cache on disk (see ``llm/cache.py``)."""

from __future__ import annotations

import typer

from agentops_cli.cli.common import JSON_OPTION, console, print_json, state

app = typer.Typer(help="Inspect or clear the response cache.", no_args_is_help=True)


@app.command("stats")
def stats(json_output: bool = JSON_OPTION) -> None:
    """Entries, size and hit counts."""
    from agentops_cli.llm.cache import cache_stats

    result = cache_stats(state().settings())
    if json_output:
        print_json(result)
        return
    out = console()
    out.print(f"path     {result.path}")
    out.print(f"entries  {result.entries}")
    out.print(f"size     {result.size_bytes / 1024:.1f} KiB")
    out.print(f"hits     {result.hits}  misses {result.misses}")
    ttl = f"{result.ttl_s} s" if result.ttl_s else "never expires"
    out.print(f"enabled  {'yes' if result.enabled else 'no'}  (ttl {ttl})")


@app.command("clear")
def clear(json_output: bool = JSON_OPTION) -> None:
    """Remove every cached response."""
    from agentops_cli.llm.cache import cache_dir, clear_cache

    settings = state().settings()
    removed = clear_cache(settings)
    if json_output:
        print_json({"path": str(cache_dir(settings)), "removed": removed})
    else:
        console().print(f"removed {removed} cached response{'s' if removed != 1 else ''}")


@app.command("path")
def path(json_output: bool = JSON_OPTION) -> None:
    """Where the cache lives."""
    from agentops_cli.llm.cache import cache_dir

    location = str(cache_dir(state().settings()))
    if json_output:
        print_json({"path": location})
    else:
        typer.echo(location)
