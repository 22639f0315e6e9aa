"""bench/clinc150_variants_docs.py lays out the CLINC150 variant tables of docs/benchmarks.md from
clinc150_variants.json. Its layout names rows by hand, so it must never drop a measured row
silently, nor show a row that was never measured: both would make the page disagree with its JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import clinc150_variants_docs as docs

sys.path.pop(0)

ROUND_3_NOTE = f"{docs.ROUND_3}, intent-v11 base"


def _row(variant: dict, accuracy: float, note: str = "") -> dict:
    return {
        "variant": variant,
        "fit_cpu_s": 1.5,
        "extra_cpu_s": 0.3,
        "val_accuracy_no_reject": accuracy,
        "budget_1pt": {"accuracy": accuracy - 0.01, "oos_recall": 0.6},
        "budget_3pt": {"accuracy": accuracy - 0.03, "oos_recall": 0.8},
        **({"note": note} if note else {}),
    }


def _round_3_rows(*extra: dict) -> list[dict]:
    layout = [variant for _, _, members in docs.ROUND_3_FAMILIES for variant, _ in members]
    return [_row(json.loads(variant), 0.9, ROUND_3_NOTE) for variant in layout] + list(extra)


def test_a_round_3_row_the_layout_does_not_name_is_still_shown() -> None:
    unnamed = _row({"knn": {"k": 99}}, 0.4242, ROUND_3_NOTE)
    page = "\n".join(docs.section({"results": _round_3_rows(unnamed)}))

    assert '| `{"knn": {"k": 99}}` | 0.4242 | 0.4142 / 0.6 | 0.3942 / 0.8 | 1.5 s (0.3) |' in page


def test_a_row_the_layout_names_but_the_json_lacks_fails_loudly() -> None:
    rows = [row for row in _round_3_rows() if row["variant"] != {"C": 0.7}]

    with pytest.raises(ValueError, match=r'no round-3 validation row for \[\'\{"C": 0.7\}\'\]'):
        docs.section({"results": rows})


def test_a_superseded_entry_is_shown_where_it_stood_and_round_3_rows_are_not_repeated() -> None:
    data = {
        "results": [
            _row({"with_oos_train": True}, 0.91),
            _row({"max_iter": 20}, 0.92),
            _row({"lr_C": 10}, 0.93, ROUND_3_NOTE),
        ],
        "superseded_results": [_row({"lr_C": 10}, 0.8888, "measured on an older base")],
    }
    earlier = docs._earlier_rounds(data)
    rows = [line for line in earlier if line.startswith("| `")]

    assert [line.split("`")[1] for line in rows] == [
        '{"with_oos_train": true}',
        '{"lr_C": 10}',
        '{"max_iter": 20}',
    ]
    assert "(measured on an older base) | 0.8888 |" in rows[1]
    assert not any("| 0.93 |" in line for line in earlier)  # round 3's lr_C belongs to its own table
