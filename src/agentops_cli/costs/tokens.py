"""Offline token counting, exact for OpenAI models and honestly approximate for the rest.

Why ``bpe-openai`` and not ``tiktoken``: ``tiktoken.get_encoding`` downloads its BPE files on
first use, which fails on an air-gapped laptop or CI runner; the ``bpe-openai`` wheel ships
``o200k_base`` and ``cl100k_base`` byte-identical to OpenAI's. It is large and takes ~0.6 s to
import, so it is imported here, inside the function, only when something is counted.

Anthropic and Google do not publish offline tokenizers; their counts use ``o200k_base`` as a
proxy and are flagged ``exact=False`` so every output can say "approximate".
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from agentops_cli.costs.prices import load_price_table

if TYPE_CHECKING:
    from agentops_cli.config import Settings

PROXY_ENCODING = "o200k_base"


class TokenCount(BaseModel):
    """How many tokens a text is for one model, and how that number was obtained."""

    model: str
    tokens: int
    encoding: str
    exact: bool
    note: str | None = None


@lru_cache(maxsize=4)
def _encoding(name: str) -> Any:
    import bpe_openai

    return bpe_openai.get_encoding(name)


def _count(name: str, text: str) -> int:
    import warnings

    with warnings.catch_warnings():  # bpe-openai loads its data with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        return len(_encoding(name).encode_ordinary(text))


def count_tokens(text: str, model: str, settings: Settings | None = None) -> TokenCount:
    """Tokens of ``text`` for ``model``; special-token strings count as plain text (as in a prompt)."""
    entry = load_price_table(settings).find(model)
    encoding = entry.encoding if entry is not None else None
    exact = encoding is not None
    name = encoding or PROXY_ENCODING
    tokens = _count(name, text) if text else 0
    note = None
    if not exact:
        owner = entry.provider if entry is not None else "this provider"
        note = f"approximate: {owner} tokenizer not available offline, counted with {PROXY_ENCODING}"
    return TokenCount(model=model, tokens=tokens, encoding=name, exact=exact, note=note)
