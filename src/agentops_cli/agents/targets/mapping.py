"""The mapping rules between a dataset row and a user agent (see docs/agents.md).

Input: a *template* — any JSON value. A string that is exactly ``{{path}}`` becomes the value
at ``path`` (any type); ``{{path}}`` inside longer text is replaced by its text. Paths start
at ``input`` (the row's input) or ``run_id``; ``{{input.customer.name}}`` walks objects,
``{{input.items.0}}`` lists. No template: the row's input is passed as it is.

Output: a path (``answer``, ``messages.-1.content``) or ``{name: path}``; no mapping: the
result's ``output`` key, else the last message's content of a ``messages`` list, else the
whole result. Headers: ``${VAR}`` is read from the environment at run time, never stored.
"""

from __future__ import annotations

import os
import re
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MISSING = object()


class MappingError(ValueError):
    """A path the mapping names is not in the value (an input field, an output field)."""


def lookup(value: Any, path: str) -> Any:
    """``a.b.0.c`` / ``messages.-1.content`` in nested dicts, lists and objects; MappingError when absent."""
    node = value
    for part in path.split(".") if path else []:
        if isinstance(node, dict):
            node = node.get(part, _MISSING)
        elif isinstance(node, list | tuple) and re.fullmatch(r"-?\d+", part):
            index = int(part)
            node = node[index] if -len(node) <= index < len(node) else _MISSING
        else:
            node = getattr(node, part, _MISSING)
        if node is _MISSING:
            raise MappingError(f"field '{path}' missing")
    return node


def fill(template: Any, values: dict[str, Any]) -> Any:
    """The template with its ``{{path}}`` placeholders replaced (see the module docstring)."""
    if template is None:
        return values["input"]
    if isinstance(template, dict):
        return {key: fill(item, values) for key, item in template.items()}
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if not isinstance(template, str):
        return template
    whole = _PLACEHOLDER.fullmatch(template.strip())
    if whole:
        return lookup(values, whole.group(1))
    return _PLACEHOLDER.sub(lambda m: _text(lookup(values, m.group(1))), template)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


def pick_output(result: Any, spec: Any) -> Any:
    """What the scorers read: the mapped field(s) of the agent's result."""
    if isinstance(spec, str):
        return lookup(result, spec)
    if isinstance(spec, dict):
        return {name: lookup(result, str(path)) for name, path in spec.items()}
    if isinstance(result, dict):
        if "output" in result:
            return result["output"]
        messages = result.get("messages")
        if isinstance(messages, list) and messages:
            last = messages[-1]
            return last.get("content") if isinstance(last, dict) else getattr(last, "content", last)
    return result


def env_names(headers: dict[str, str]) -> list[str]:
    return sorted({name for value in headers.values() for name in _ENV.findall(value)})


def expand_env(headers: dict[str, str]) -> dict[str, str]:
    """Header values with ``${VAR}`` read from the environment now (the values are never stored)."""
    return {key: _ENV.sub(lambda m: os.environ.get(m.group(1), ""), value) for key, value in headers.items()}
