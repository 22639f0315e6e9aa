"""The field scorer reads the document agent's real output shape, extras included."""

from __future__ import annotations

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
