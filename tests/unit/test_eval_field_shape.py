"""The field scorer reads the document agent's real output shape, extras included."""

from __future__ import annotations

import pytest

from agentops_cli.evaluation.normalize import field_items, items_match
from agentops_cli.evaluation.scorers import field_counts


def test_fields_with_spans_and_text_are_compared_by_value() -> None:
    expected = {
        "parties": ["Nordvik Marine AS", "Pacific Coast Chandlery Corp."],
        "total_value": {"amount": 1200000, "currency": "USD"},
        "effective_date": "2025-04-01",
    }
    predicted = {
        "parties": {
            "value": ["Nordvik Marine AS", "Pacific Coast Chandlery Corp."],
            "start": 10,
            "end": 80,
            "text": "Nordvik Marine AS … Pacific Coast Chandlery Corp.",
            "spans": [[10, 27], [50, 80]],
        },
        "total_value": {
            "value": {"amount": 1200000.0, "currency": "USD"},
            "start": 120,
            "end": 133,
            "text": "USD 1,200,000",
            "spans": [[120, 133]],
        },
        "effective_date": {
            "value": "2025-04-02",
            "start": 5,
            "end": 18,
            "text": "April 2, 2025",
            "spans": [],
        },
    }
    tp, fp, fn, wrong = field_counts(expected, predicted)
    # parties (2 names) and total_value match; the date is wrong: one false positive, one miss.
    assert (tp, fp, fn) == (3, 1, 1)
    assert wrong == ["effective_date"]


@pytest.mark.parametrize(
    ("name", "expected", "predicted", "match"),
    [
        ("renewal", "automatic", "no automatic renewal", False),
        ("renewal", "automatic renewal", "no automatic renewal", False),
        ("governing_law", "New York", "the laws of the State of New York", True),
        ("governing_law", "New York", "York", False),
        ("payment_terms", "net 30", "net 3", False),
        ("term", "P12M", "P12M", True),
        ("parties", "Acme Iberia", "Acme Iberia Services", True),
        ("parties", "Iberia", "Acme Iberian Services", False),
        ("total_value", {"amount": 1200, "currency": "USD"}, "1,200.00", True),
        ("total_value", {"amount": 1200, "currency": "USD"}, {"amount": 1200, "currency": "EUR"}, False),
    ],
)
def test_items_match_only_equal_values_with_two_allowances(
    name: str, expected: object, predicted: object, match: bool
) -> None:
    gold, pred = field_items(name, expected), field_items(name, predicted)
    assert len(gold) == len(pred) == 1
    assert items_match(name, gold[0], pred[0]) is match
