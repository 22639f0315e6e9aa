"""Entry point for ``agentops`` and ``python -m agentops_cli``.

``agentops --version`` is answered before the command tree (typer, rich, pydantic) is
imported: scripts call it to probe the tool, and it should cost little more than Python.
Anything else runs with the cyclic garbage collector paused until the command body starts
(:mod:`agentops_cli.heap`).
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from agentops_cli import __version__

        sys.stdout.write(f"agentops {__version__}\n")
        return
    from agentops_cli import heap

    heap.pause()
    from agentops_cli.cli.app import main as run_cli

    run_cli()


if __name__ == "__main__":
    main()
