"""agentops for other programs: MCP tools/resources (:mod:`.mcp_server`) and A2A (:mod:`.a2a_app`).

Both protocols call the same operations (:mod:`.operations`) the CLI calls, so sandboxes
(the document root), redaction, budgets and the run JSON are the CLI's, not copies.
"""
