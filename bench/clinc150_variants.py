"""CLINC150 model variants for issue 21, scored on the VALIDATION split only (never on test).

Each variant trains on ``train`` (optionally + ``oos_train`` as an ``out_of_scope`` class), fits
the temperature on ``val`` and picks the out-of-scope threshold on ``val`` + ``oos_val`` with
the engine's own rule (:func:`tune_threshold`) at a 1-point and a 3-point accuracy budget. A
variant is adopted by the engine only if it beats the current one here; the test split is
read once, by ``bench_clinc150.py``, for the adopted engine.

    .venv/bin/python bench/clinc150_variants.py '{}' '{"char_weight": 0.7}' '{"C": 1.0}' \\
        '{"with_oos_train": true}' '{"lr_C": 10}' [--out bench/results/clinc150_variants.json]

Keys: ``char_weight`` (scale of the character block against the word block), ``C``
(the SVM's), ``with_oos_train``, ``lr_C`` (also fit a multinomial logistic regression and
average its calibrated probabilities with the SVM's).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

from common import RESULTS, load_clinc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def run(variant: dict, data: dict) -> dict:
    import numpy as np
    import scipy.sparse as sp

    from agentops_cli.nlp import intent_train as it
    from agentops_cli.nlp.intent import OOS_LABEL, softmax

    params = it.TrainParams(**{k: v for k, v in variant.items() if k in ("C", "max_iter")})
    rows = data["train"] + (
        [[t, OOS_LABEL] for t, _ in data["oos_train"]] if variant.get("with_oos_train") else []
    )
    val_texts, val_gold = [t for t, _ in data["val"]], [lab for _, lab in data["val"]]
    oos_texts = [t for t, _ in data["oos_val"]]
    n, n_val = len(rows), len(val_texts)
    corpus = it.Corpus.of([t for t, _ in rows] + val_texts + oos_texts)
    vocabularies = corpus.vocabularies(np.arange(n), params)
    char_start = len(vocabularies[0].columns)

    def features(selected):
        matrix = corpus.features(selected, vocabularies)
        weight = variant.get("char_weight", 1.0)
        if weight != 1.0:
            scale = np.ones(matrix.shape[1])
            scale[char_start:] = weight
            matrix = (matrix @ sp.diags(scale)).tocsr()
        return matrix

    train_x, labels = features(np.arange(n)), [lab for _, lab in rows]
    val_x, oos_x = (
        features(np.arange(n, n + n_val)),
        features(np.arange(n + n_val, n + n_val + len(oos_texts))),
    )
    cpu = time.process_time()
    fit = it.fit_svm(train_x, labels, params)
    classes = fit.classes
    gold = np.array([classes.index(g) for g in val_gold])

    def calibrated(val_logits, oos_logits):
        temperature = it.fit_temperature(val_logits, gold)
        return softmax(val_logits, temperature), softmax(oos_logits, temperature)

    val_p, oos_p = calibrated(it._in_order(fit, val_x, classes), it._in_order(fit, oos_x, classes))
    if "lr_C" in variant:
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=variant["lr_C"], max_iter=200).fit(train_x, labels)
        order = [list(lr.classes_).index(c) for c in classes]
        lr_val, lr_oos = calibrated(
            lr.decision_function(val_x)[:, order], lr.decision_function(oos_x)[:, order]
        )
        val_p, oos_p = (val_p + lr_val) / 2, (oos_p + lr_oos) / 2
    cpu = time.process_time() - cpu
    correct = val_p.argmax(axis=1) == gold
    oos_conf = oos_p.max(axis=1)
    if OOS_LABEL in classes:  # rows already labelled out of scope by the class are caught
        oos_conf[oos_p.argmax(axis=1) == classes.index(OOS_LABEL)] = -1.0
    result = {
        "variant": variant,
        "fit_cpu_s": round(cpu, 1),
        "val_accuracy_no_reject": round(float(correct.mean()), 4),
    }
    for budget in (0.01, 0.03):
        threshold, stats = it.tune_threshold(val_p.max(axis=1), correct, oos_conf, budget)
        result[f"budget_{round(budget * 100)}pt"] = {"threshold": threshold, **stats}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", default=["{}"])
    parser.add_argument("--out", type=Path, default=RESULTS / "clinc150_variants.json")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    data = load_clinc()
    results = []
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for variant in args.variants:
            results.append(run(json.loads(variant), data))
            print(json.dumps(results[-1]), flush=True)
    command = ".venv/bin/python bench/clinc150_variants.py " + " ".join(f"'{v}'" for v in args.variants)
    out = {
        "benchmark": "clinc150_variants",
        "date": time.strftime("%Y-%m-%d"),
        "command": command,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
