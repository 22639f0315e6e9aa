"""agentops: run, evaluate, cost and production-check business LLM agents."""

__version__ = "0.1.0"
