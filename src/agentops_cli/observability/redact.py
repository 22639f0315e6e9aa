"""Secret redaction shared by logs, the run log, caches and reports.

Two nets: the exact secret values in force (registered at start-up) and patterns
for anything that looks like a key or a bearer token, so a key pasted into a
query or an error message is caught too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PATTERNS = [
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),  # OpenAI-style keys (sk-, sk-proj-)
    re.compile(r"\blsv2_[A-Za-z0-9_]{8,}"),  # LangSmith keys
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._\-~+/]{8,}=*"),
    re.compile(r"(?i)(api[_-]?key|token|secret|password)(\"?\s*[:=]\s*\"?)([^\s\"',;]{6,})"),
]
# Words without which each pattern cannot match, looked for in the case-folded text first: a
# substring test is ~50x cheaper than the case-insensitive scans, and most lines (every run-log
# and audit line of ``agentops serve``) hold none of them. Case-folded, because ``(?i)`` also
# matches e.g. "ſ" for "s" (a test checks every code point).
_TRIGGERS: list[tuple[str, ...]] = [("sk-",), ("lsv2_",), ("bearer",), ("key", "token", "secret", "password")]

REDACTED = "[REDACTED]"

_known: set[str] = set()


def register_secrets(values: Iterable[str]) -> None:
    """Remember secret values in force so they are removed verbatim wherever they appear."""
    _known.update(v for v in values if v and len(v) >= 6)


def redact(text: str) -> str:
    """Return ``text`` with every known secret and key-looking token replaced."""
    for secret in _known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    folded = text.casefold()
    for pattern, triggers in zip(_PATTERNS, _TRIGGERS, strict=True):
        if not any(word in folded for word in triggers):
            continue
        if pattern.groups == 3:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
        else:
            text = pattern.sub(REDACTED, text)
    return text
