"""``agentops view``: a local web viewer of eval runs (server-rendered pages, a little JavaScript)."""
