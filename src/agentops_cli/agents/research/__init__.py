"""The research agent: plan sub-questions, gather passages from a corpus, write a cited report.

Heavy imports (langgraph) live in ``graph.py`` only; the CLI imports ``service`` lazily.
"""
