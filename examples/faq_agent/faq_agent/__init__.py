"""A small LangGraph agent of "the user's own": retrieve an FAQ entry, answer with a chat model."""
