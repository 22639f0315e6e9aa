"""Turn a prompt file into chat messages.

A prompt file ``prompts/<agent>/<step>.md`` holds a system part and a user part
separated by a line ``---user---``; ``{name}`` placeholders are filled from the
variables (``str.format_map``; literal braces are written ``{{`` ``}}``).
"""

from __future__ import annotations

from typing import Any

from agentops_cli.resources import load_prompt

USER_MARKER = "---user---"


def build_messages(name: str, variables: dict[str, Any]) -> list[dict[str, str]]:
    template = load_prompt(name)
    system, sep, user = template.partition(USER_MARKER)
    if not sep:
        system, user = "", template
    messages = []
    if system.strip():
        messages.append({"role": "system", "content": system.strip().format_map(variables)})
    messages.append({"role": "user", "content": user.strip().format_map(variables)})
    return messages
