"""``agentops serve``: every registered agent behind an HTTP API (FastAPI), one process or many.

``create_app(settings)`` builds the app from routers (health, agents, threads) so other
services (A2A, MCP over HTTP) can add theirs. Every run goes through
:func:`agentops_cli.agents.runner.run_agent` — the same entry as ``agentops run``.
"""
