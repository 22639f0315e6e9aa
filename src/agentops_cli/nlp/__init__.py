"""Offline NLP helpers shared by the agents: text normalisation, language detection, retrieval.

Pure Python (no numpy, no sklearn) so they cost nothing at start-up and behave the same
everywhere; the agents' offline engines build on them.
"""
