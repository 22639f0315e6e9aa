"""One linear-SVM fit in a separate process, for :class:`agentops_cli.nlp.intent_train.BackgroundFit`.

    python -m agentops_cli.nlp.intent_fit_worker PROBLEM.npz RESULT.npz

The child is started before its problem exists: it imports scikit-learn (about a second)
while the parent counts the texts, then waits for one line on stdin — written once
``PROBLEM.npz`` is complete — and exits without fitting if stdin closes first.

Why a plain child process reading and writing ``.npz`` files rather than ``multiprocessing``:
its ``spawn`` start re-imports the caller's main script in the child, so a user script that
trains a model without an ``if __name__ == "__main__"`` guard would run again inside it; and
arrays in ``.npz`` (``allow_pickle=False``) carry no code. The child imports only this module
and scikit-learn.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from agentops_cli.nlp.intent_train import LinearFit, TrainParams


def save_problem(path: Path, features, labels: Sequence[str], params: TrainParams) -> None:
    """Write the fit's inputs: the CSR features' arrays, the labels and the parameters."""
    np.savez(
        path,
        data=features.data,
        indices=features.indices,
        indptr=features.indptr,
        shape=np.array(features.shape),
        labels=np.array(list(labels), dtype=str),
        params=np.array(json.dumps(asdict(params))),
    )


def load_fit(path: Path) -> LinearFit:
    from agentops_cli.nlp.intent_train import LinearFit

    with np.load(path, allow_pickle=False) as result:
        return LinearFit(
            classes=[str(c) for c in result["classes"]], coef=result["coef"], intercept=result["intercept"]
        )


def main(argv: list[str] | None = None, ready=None) -> int:
    """Fit the problem once ``ready`` (stdin) says it is written; 1 if it never is."""
    import scipy.sparse as sp
    import sklearn.svm  # noqa: F401 - imported while the parent is still counting

    from agentops_cli.nlp.intent_train import TrainParams, fit_svm

    problem_path, result_path = (argv if argv is not None else sys.argv[1:])[:2]
    if not (ready or sys.stdin).readline().strip():
        return 1  # the parent gave up before handing over a problem
    with np.load(problem_path, allow_pickle=False) as problem:
        features = sp.csr_matrix(
            (problem["data"], problem["indices"], problem["indptr"]), shape=tuple(problem["shape"])
        )
        labels = problem["labels"].tolist()
        params = TrainParams(**json.loads(str(problem["params"])))
    fit = fit_svm(features, labels, params)
    with open(result_path, "wb") as fh:
        np.savez(fh, classes=np.array(fit.classes, dtype=str), coef=fit.coef, intercept=fit.intercept)
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a child process; main() is tested in-process
    raise SystemExit(main())
