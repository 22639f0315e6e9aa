"""The FAQ agent: ``retrieve`` picks the FAQ entry sharing most words with the question,
``answer`` asks a chat model (any OpenAI-compatible server: ``OPENAI_BASE_URL``) to answer from it.

agentops evaluates it through ``agentops.yaml`` (``target: python:faq_agent.graph:graph``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TypedDict

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from langgraph.graph import END, START, StateGraph

FAQ = {
    "password": "To reset your password, open Settings > Security and click 'Reset password'; "
    "a reset link arrives by email within 5 minutes.",
    "invoice": "Invoices are issued on the 1st of each month and can be downloaded from Billing > Invoices.",
    "refund": "Refunds are possible within 30 days of purchase; write to billing@acme.example.",
    "outage": "Service status is published at status.acme.example; incidents are updated every 30 minutes.",
}
PROMPT = (Path(__file__).with_name("answer_prompt.txt")).read_text(encoding="utf-8")


class State(TypedDict, total=False):
    question: str
    faq: str
    answer: str


def retrieve(state: State) -> State:
    words = set(re.findall(r"\w+", state["question"].lower()))
    best = max(FAQ, key=lambda key: (key in words, len(words & set(re.findall(r"\w+", FAQ[key].lower())))))
    return {"faq": FAQ[best]}


def answer(state: State) -> State:
    model = ChatOpenAI(
        model=os.environ.get("FAQ_MODEL", "gpt-4o-mini"), temperature=0, timeout=20, max_retries=1
    )
    reply = model.invoke([SystemMessage(PROMPT.format(faq=state["faq"])), HumanMessage(state["question"])])
    return {"answer": str(reply.content)}


builder = StateGraph(State)
builder.add_node("retrieve", retrieve)
builder.add_node("answer", answer)
builder.add_edge(START, "retrieve")
builder.add_edge("retrieve", "answer")
builder.add_edge("answer", END)
graph = builder.compile()
