"""CLINC150 benchmark of the offline intent engine (the support agent's classifier).

Trains on ``train`` (15,000 rows, 150 intents) + ``oos_train`` (100 out-of-scope rows, as a
pack holds its own out-of-scope examples; since intent-v11), calibrates the temperature on
``val``, fits the out-of-scope rule on ``val`` + ``oos_val`` + ``oos_train`` (the calibration
fit never trains on out-of-scope rows), refits on all of them (as the engine refits a
pack on every row), then reports in-scope accuracy on
``test`` (4,500) and out-of-scope recall on ``oos_test`` (1,000). An in-scope query
counts as correct only when its label is right AND it was not rejected as out of scope.

Targets (issue 5): accuracy ≥ 0.90, out-of-scope recall ≥ 0.60.

    .venv/bin/python bench/bench_clinc150.py [--data PATH] [--out bench/results/clinc150.json]

The data set is read in place from ../shared/datasets/clinc150 (never copied).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from common import children_cpu, ok_mark

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "clinc150" / "data_full.json"
TARGETS = {"in_scope_accuracy": 0.90, "oos_recall": 0.60}
TARGETS_ISSUE_21 = {"in_scope_accuracy": 0.93, "oos_recall": 0.70}


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "os": platform.system()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "clinc150.json")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    from agentops_cli.nlp.intent import OOS_LABEL
    from agentops_cli.nlp.intent_train import TrainParams, train_intent_model

    if not args.data.is_file():
        sys.stderr.write(
            f"{args.data} not found: CLINC150 is read in place from ../shared/datasets/clinc150 "
            "(absent in a plain clone); benchmark skipped\n"
        )
        return 2
    data = json.loads(args.data.read_text(encoding="utf-8"))
    # The pack holds the data set's out-of-scope training examples too (since intent-v11; a
    # user's pack holds all of its own), which the engine sends to its scope rule.
    train = data["train"] + [[text, OOS_LABEL] for text, _ in data["oos_train"]]
    val = data["val"] + [[text, OOS_LABEL] for text, _ in data["oos_val"]]

    started, cpu_started, worker_started = time.perf_counter(), time.process_time(), children_cpu()
    model = train_intent_model(
        [t for t, _ in train],
        [lab for _, lab in train],
        val_texts=[t for t, _ in val],
        val_labels=[lab for _, lab in val],
        params=TrainParams(),
    )
    train_s, train_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    train_worker_cpu_s = children_cpu() - worker_started

    test_texts = [t for t, _ in data["test"]]
    oos_texts = [t for t, _ in data["oos_test"]]
    started, cpu_started = time.perf_counter(), time.process_time()
    test_pred = model.predict(test_texts)
    oos_pred = model.predict(oos_texts)
    predict_s, predict_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started

    correct = sum(p.label == gold for p, (_, gold) in zip(test_pred, data["test"], strict=True))
    raw_correct = sum(p.top[0][0] == gold for p, (_, gold) in zip(test_pred, data["test"], strict=True))
    caught = sum(p.label == OOS_LABEL for p in oos_pred)
    n_queries = len(test_texts) + len(oos_texts)
    figures = {
        "in_scope_accuracy": round(correct / len(test_texts), 4),
        "in_scope_accuracy_no_threshold": round(raw_correct / len(test_texts), 4),
        "oos_recall": round(caught / len(oos_texts), 4),
    }
    result = {
        "benchmark": "clinc150",
        "date": time.strftime("%Y-%m-%d"),
        "command": ".venv/bin/python bench/bench_clinc150.py",
        "machine": machine(),
        "data": {k: len(v) for k, v in data.items()},
        "model": {
            "engine": model.meta["engine"],
            "features": "tf-idf: word 1-2 grams over stemmed, accent-folded tokens"
            " + char_wb 2-5 grams (min_df 2), sublinear tf",
            "classifier": "Crammer-Singer multi-class linear SVM (class-balanced), temperature-calibrated;"
            " the calibration fit and the final fit at once, each in a child process",
            "temperature": model.temperature,
            "oos_threshold": model.oos_threshold,
            "n_features": model.meta["n_features"],
            "val_accuracy": model.meta["heldout_accuracy"],
            "val_accuracy_no_reject": model.meta["heldout_accuracy_no_reject"],
            "val_oos_recall": model.meta["heldout_oos_recall"],
        },
        "figures": figures,
        "targets": TARGETS,
        "passed": all(figures[k] >= v for k, v in TARGETS.items()),
        "targets_issue_21": TARGETS_ISSUE_21,
        "passed_issue_21": all(figures[k] >= v for k, v in TARGETS_ISSUE_21.items()),
        "train_s": round(train_s, 2),
        "train_cpu_s": round(train_cpu_s, 2),
        "train_worker_cpu_s": round(train_worker_cpu_s, 2),
        "predict_queries_per_s": round(n_queries / predict_s, 1),
        "predict_queries_per_cpu_s": round(n_queries / predict_cpu_s, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if result["passed"] else 1


# -- docs/benchmarks.md section ------------------------------------------------------------------------
# intent-v6 (issue 21) was measured once from a driver script making this file's exact
# ``train_intent_model`` call, on a loaded machine, and its JSON was never written: those figures
# are kept here (not in bench/results) and shown beside the last JSON until this script is rerun.
# A JSON from intent-v6 or later has ``model.val_accuracy_no_reject``; then only the JSON is shown.
V6_BY_HAND = """Measured 2026-11-29 on the 2-core Xeon under heavy load from other jobs (load average ~10):
the same `train_intent_model(train, val = val + oos_val)` call the bench makes, from a driver
script; `bench/results/clinc150.json` is regenerated by the command above.

| metric | intent-v6 | intent-v5 (before) | target (issue 21) | |
|---|---|---|---|---|
| in-scope accuracy (`test`) | **0.9242** | {in_scope_accuracy} | ≥ 0.93 | ❌ missed |
| out-of-scope recall (`oos_test`) | **0.62** | {oos_recall} | ≥ 0.70 | ❌ missed |
| in-scope accuracy without the OOS threshold | 0.9331 | {in_scope_accuracy_no_threshold} | — | |
| validation accuracy / no-reject / OOS recall | 0.918 / 0.9277 / 0.64 | \
{val_accuracy} / — / {val_oos_recall} | — | |
| temperature / OOS threshold / features | 0.1456 / 0.315 / 56,947 | \
{temperature} / {oos_threshold} / {n_features:,} | — | |
| training CPU time (two fits + calibration) | 59.7 s (839 s wall under load) | \
{train_s:.0f} s wall (quiet machine) | — | |

With a 3-point budget instead of 1 (same model), the threshold moves to 0.54: 0.9109 in-scope
accuracy, 0.764 out-of-scope recall. The linear SVM also beat logistic regression in a
cross-validated comparison on 77 CLINC150 intents (8,000/2,000 split: LR C = 20 0.971 at
16.2 s CPU, SVM C = 0.5 0.9695 at 5.7 s CPU; SVM C = 1 on full CLINC150 0.9291 test
accuracy vs LR's 0.9251). Neither of the two accuracy goals of issue 21 is reached by a
linear model over these features; see the notes below."""
V6_SUMMARY = (
    "| CLINC150 in-scope accuracy / OOS recall | 0.9242 / 0.62 | ≥ 0.90 / ≥ 0.60 "
    "(issue 21: ≥ 0.93 / ≥ 0.70) | ✅ met (issue 21 ❌ missed) |"
)


V7_NOTES = """What was tried for issue 21's accuracy goals, in exploratory runs (the driver script
was not kept, so its figures are not reproduced here): the intent-v7 model fitted on `train` +
`oos_train` (an explicit `out_of_scope` class), and five rejection rules — top-1 probability,
top-1 minus P(out_of_scope), top-1 minus top-2, the raw SVM score, and the explicit class — each
rule's threshold chosen on `val` + `oos_val` only, then read once on `test` + `oos_test`. None
reached 0.93 / 0.70 on `test`: without any rejection this model is already at about 0.93 test
accuracy, which leaves almost no room to reject anything, and the explicit out-of-scope class
raised the *validation* recall without carrying over to `oos_test`. The bench keeps its
protocol (no `oos_train`)."""


def _oos_pack_table() -> list[str]:
    """Issue 21 round 2: the pack's own out-of-scope examples, validation only, when run."""
    import clinc150_oos_pack

    path = ROOT / "bench" / "results" / "clinc150_oos_pack.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    return clinc150_oos_pack.section(data)


def _variants_table() -> list[str]:
    """Issue 21 part A: the validation-only comparison of model variants, when it has been run."""
    import clinc150_variants_docs

    path = ROOT / "bench" / "results" / "clinc150_variants.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    return clinc150_variants_docs.section(data)


def _rejection_table() -> list[str]:
    """The validation-only comparison of out-of-scope rejection rules, when it has been run."""
    import clinc150_rejection

    path = ROOT / "bench" / "results" / "clinc150_rejection.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    return clinc150_rejection.section(data)


def _from_v6(data: dict) -> bool:
    return "val_accuracy_no_reject" in data.get("model", {})


def section(data: dict | None) -> list[str]:
    """The docs/benchmarks.md section of this benchmark."""
    lines = [
        "## CLINC150 — offline intent engine",
        "",
        "The support agent's offline classifier, measured on an external, public data set:",
        "[CLINC150](https://github.com/clinc/oos-eval) (Larson et al., EMNLP 2019, CC BY 3.0),",
        "150 intents over 10 domains plus out-of-scope queries. Read in place from",
        "`../shared/datasets/clinc150/data_full.json` (never copied into the project).",
        "",
        "- **Protocol** (since `intent-v11`): the pack is `train` (15,000 rows) + `oos_train` (100",
        "  out-of-scope rows: a user's pack holds all of its out-of-scope examples); fit the",
        "  temperature on `val` and the out-of-scope rule on `val` + `oos_val` + `oos_train` (3,200",
        "  rows: the calibration fit trains on `train` alone, so no out-of-scope row it scores was",
        "  trained on), then refit on every row, `oos_train` + `oos_val` as an out-of-scope class (as",
        "  the engine refits a pack on every row); report in-scope accuracy on",
        "  `test` (4,500 rows; a query counts as correct only if its label is right *and* it was",
        "  not rejected as out of scope) and out-of-scope recall on `oos_test` (1,000 rows).",
        "- **Model** (the same code the support agent runs, `agentops_cli/nlp/intent*.py`, engine",
        "  `intent-v14`): TF-IDF over word 1–2-grams (accent-folded, lightly stemmed tokens) and",
        "  character 2–5-grams inside word boundaries (min_df 2), sublinear tf; Crammer–Singer",
        "  multi-class linear SVM (C = 1, class-balanced, tolerance 0.1, liblinear capped at 5",
        "  passes, one thread per process; the calibration fit and the final fit run at once, each",
        "  in a child process),",
        "  temperature-calibrated; the out-of-scope rule is a logistic score of the top-1 probability,",
        "  entropy and four word coverages (seen in in-scope examples; in the predicted intent's;",
        "  idf-weighted; typos of seen words counted as seen — `intent-v13`), fitted with typo'd",
        "  copies of the held-out in-scope rows weighing 0.25 (`intent-v14`), its threshold",
        "  maximising validation accuracy + out-of-scope recall among those costing at most 1 point",
        "  of validation accuracy.",
        "- **Protocol change** (issue 21, round 2): up to `intent-v10` the pack was `train` alone and",
        "  the rule saw the 100 `oos_val` rows only; figures before `intent-v11` below are on that",
        "  protocol.",
        "- **Command**: `.venv/bin/python bench/bench_clinc150.py` → `bench/results/clinc150.json`",
        "",
    ]
    if not data:
        return [*lines, "_Not measured yet._", ""]
    f, m = data["figures"], data["model"]
    if not _from_v6(data):
        lines += V6_BY_HAND.format(**f, **m, train_s=data["train_s"]).splitlines()
    else:
        mach = data.get("machine", {})
        lines += [
            f"Measured {data.get('date')} on {mach.get('cpu', '?')}, {mach.get('cores', '?')} cores, "
            f"Python {mach.get('python', '?')}.",
            "",
            "| metric | result | target | |",
            "|---|---|---|---|",
            f"| in-scope accuracy (`test`) | **{f['in_scope_accuracy']}** | ≥ 0.90 | "
            f"{ok_mark(f['in_scope_accuracy'] >= 0.90)} |",
            f"| out-of-scope recall (`oos_test`) | **{f['oos_recall']}** | ≥ 0.60 | "
            f"{ok_mark(f['oos_recall'] >= 0.60)} |",
            f"| in-scope accuracy without the OOS threshold | {f['in_scope_accuracy_no_threshold']} | — | |",
            f"| validation accuracy / no-reject / OOS recall | {m['val_accuracy']} / "
            f"{m['val_accuracy_no_reject']} / {m['val_oos_recall']} | — | |",
            f"| temperature / OOS threshold / features | {m['temperature']} / {m['oos_threshold']} / "
            f"{m['n_features']:,} | — | |",
            f"| training time (calibration fit + final fit) | {data['train_s']:.1f} s wall, "
            f"{data.get('train_cpu_s', float('nan')):.1f} s CPU + "
            f"{data.get('train_worker_cpu_s', 0.0):.1f} s CPU in the fit workers | — | |",
            f"| prediction throughput (numpy inference, one batch) | "
            f"{data['predict_queries_per_s']:,.0f} queries/s wall, "
            f"{data.get('predict_queries_per_cpu_s', float('nan')):,.0f} per CPU second | — | |",
            "",
            "Before (`intent-v13`, the six-signal scope score without typo'd copies, same protocol):",
            "in-scope accuracy 0.9273, out-of-scope recall 0.745, 0.9364 without the threshold",
            "(validation 0.9233 / 0.933 / 0.77).",
            "Before (`intent-v11`, the scope score of the top-1 probability, word coverage and entropy",
            "only, same protocol): in-scope accuracy 0.928, out-of-scope recall 0.695, 0.9364 without",
            "the threshold (validation 0.923 / 0.933 / 0.695).",
            "Before (`intent-v10`, out-of-scope rows training both fits; old protocol: the pack without",
            "`oos_train`, the rule fitted on the 100 `oos_val` rows): in-scope accuracy 0.9282,",
            "out-of-scope recall 0.667, 0.9356 without the threshold (validation 0.9233 / 0.933 / 0.78).",
            "Before (`intent-v9`, one-vs-rest SVM with the scope score, same protocol): in-scope",
            "accuracy 0.9247, out-of-scope recall 0.677, 0.9351 without the threshold (validation",
            "0.9213 / 0.9307 / 0.77).",
            "Before (`intent-v8`, same protocol and classifier, the threshold on the top-1 probability:",
            "see the rejection rules below): in-scope accuracy 0.9244, out-of-scope recall 0.643 (validation",
            "0.9207 / 0.66).",
            "Before (`intent-v7`, same protocol, 2026-11-30): in-scope accuracy 0.9249, out-of-scope",
            "recall 0.614, 38.8 s wall / 38.7 s CPU to train in one process; `intent-v6`: 0.9242 / 0.62,",
            "59.7 s CPU. Issue 21 asks for ≥ 0.93 / ≥ 0.70, which no version reaches.",
            "(v6 also found the linear SVM as accurate as logistic regression on 77 CLINC150 intents,",
            "at about a third of the CPU time; a 3-point budget gives 0.9109 / 0.764 with the v6 model.)",
        ]
    lines += ["", *_oos_pack_table(), "", *V7_NOTES.splitlines(), "", *_variants_table(), *_rejection_table()]
    lines += [
        "",
        "For comparison, the CLINC150 paper reports about 91 % in-scope accuracy for its linear",
        "baselines (SVM, fastText) with much lower out-of-scope recall when out-of-scope queries",
        "are caught by a confidence threshold.",
    ]
    return [*lines, ""]


def summary(data: dict | None) -> list[str]:
    if not data:
        return []
    if not _from_v6(data):
        return [V6_SUMMARY]
    f = data["figures"]
    return [
        f"| CLINC150 in-scope accuracy / OOS recall | {f['in_scope_accuracy']} / {f['oos_recall']} | "
        f"≥ 0.90 / ≥ 0.60 (issue 21: ≥ 0.93 / ≥ 0.70) | {ok_mark(data.get('passed'))} "
        f"(issue 21 {ok_mark(data.get('passed_issue_21', False))}) |"
    ]


if __name__ == "__main__":
    raise SystemExit(main())
