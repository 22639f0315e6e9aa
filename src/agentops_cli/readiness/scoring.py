"""Scores: item 0-10, sections and overall as severity-weighted percentages.

A critical item weighs four times a low one, so a code base cannot reach a high score
by ticking cosmetic items. ``n/a`` items leave the denominator; unanswered ``manual``
items stay in it with 0 points: what nobody confirmed does not count as passed.
``inconclusive`` items (the detector does not read the project's language) leave it too: the
verdict is missing because of the tool, so it may neither lower nor raise the score; the counts
show how many there are, and a person can answer them in the answers file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from agentops_cli.readiness.models import SEVERITY_WEIGHT, STATUS_SCORE, STATUSES, ItemResult, Status


def item_score(status: Status) -> int | None:
    """10 pass, 5 partial, 0 fail/manual, ``None`` for n/a and inconclusive (not scored)."""
    return STATUS_SCORE.get(status)


def weighted_pct(items: Iterable[ItemResult]) -> float | None:
    """Severity-weighted score in percent, one decimal; ``None`` when nothing applies."""
    earned = possible = 0
    for item in items:
        if item.score is None:
            continue
        weight = SEVERITY_WEIGHT[item.severity]
        earned += weight * item.score
        possible += weight * 10
    return round(100 * earned / possible, 1) if possible else None


def status_counts(items: Iterable[ItemResult]) -> dict[str, int]:
    counts = Counter(item.status for item in items)
    return {status: counts.get(status, 0) for status in STATUSES}


def top_remediations(items: Iterable[ItemResult], limit: int = 5) -> list[ItemResult]:
    """The items whose fix gains the most points: weight x missing score, failures first."""
    open_items = [i for i in items if i.score is not None and i.score < 10]
    return sorted(
        open_items,
        key=lambda i: (-(SEVERITY_WEIGHT[i.severity] * (10 - (i.score or 0))), i.status != "fail", i.id),
    )[:limit]
