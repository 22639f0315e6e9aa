"""One linear-SVM fit in a separate process, for :class:`agentops_cli.nlp.intent_train.BackgroundFit`.

    python -m agentops_cli.nlp.intent_fit_worker PROBLEM.npz RESULT.npz [PARENT_PID]

The child is started before its problem exists: it imports scikit-learn (about a second)
while the parent counts the texts, then waits for one line on stdin — written once
``PROBLEM.npz`` is complete — and exits without fitting if stdin closes first. Labels travel
as integer codes (the parent keeps their names): a numpy string array is as wide as the
longest label, so one pasted huge label would have cost hundreds of megabytes.

Its files live in a temporary folder the parent removes — unless the parent is killed
(SIGKILL, out of memory). With ``PARENT_PID`` the child therefore removes the problem file as
soon as it has read it, and the whole folder when its parent is gone: when stdin closes before
the problem, or when it is re-parented (checked every ``PARENT_POLL_S`` by a thread, and
before the result is written) — it then exits without writing a result.

Why a plain child process reading and writing ``.npz`` files rather than ``multiprocessing``:
its ``spawn`` start re-imports the caller's main script in the child, so a user script that
trains a model without an ``if __name__ == "__main__"`` guard would run again inside it; and
arrays in ``.npz`` (``allow_pickle=False``) carry no code. The child imports only this module
and scikit-learn.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from agentops_cli.nlp.intent_train import LinearFit, TrainParams

PARENT_POLL_S = 0.2


def save_problem(path: Path, features, codes: np.ndarray, params: TrainParams) -> None:
    """Write the fit's inputs: the CSR features' arrays, the integer label codes
    (:func:`~agentops_cli.nlp.intent_train.label_codes`) and the parameters."""
    np.savez(
        path,
        data=features.data,
        indices=features.indices,
        indptr=features.indptr,
        shape=np.array(features.shape),
        codes=np.asarray(codes, dtype=np.int64),
        params=np.array(json.dumps(asdict(params))),
    )


def load_fit(path: Path) -> LinearFit:
    """The child's fit, its classes as integer codes (name them with ``LinearFit.named``)."""
    from agentops_cli.nlp.intent_train import LinearFit

    with np.load(path, allow_pickle=False) as result:
        return LinearFit(
            classes=[int(c) for c in result["classes"]], coef=result["coef"], intercept=result["intercept"]
        )


class ParentWatch:
    """Removes this child's files and exits once the parent that started it (``parent``) is gone.

    Why a thread polling ``os.getppid()`` rather than ``prctl(PR_SET_PDEATHSIG)``: it is portable,
    and it can clean up, where the signal kills the child at once. liblinear releases the GIL,
    so the thread runs during the fit. ``lock`` keeps the result from being written while the
    files are being removed.
    """

    def __init__(self, problem: Path, result: Path, parent: int) -> None:
        self.problem, self.result, self.parent = problem, result, parent
        self.lock = threading.Lock()

    def start(self) -> ParentWatch:
        threading.Thread(target=self._watch, name="parent-watch", daemon=True).start()
        return self

    def orphaned(self) -> bool:
        return os.getppid() != self.parent

    def clean(self) -> None:
        """Remove the problem and result files, and their folder once empty (only the parent's
        temporary folder holds nothing else)."""
        for path in (self.problem, self.result):
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.problem.parent.rmdir()

    def _watch(self) -> None:
        while not self.orphaned():
            time.sleep(PARENT_POLL_S)
        with self.lock:
            self.clean()
            os._exit(1)


def main(argv: list[str] | None = None, ready=None) -> int:
    """Fit the problem once ``ready`` (stdin) says it is written; 1 if it never is, or if the
    parent (``argv[2]``, when given) is gone before the result is written."""
    import scipy.sparse as sp
    import sklearn.svm  # noqa: F401 - imported while the parent is still counting

    from agentops_cli.nlp.intent_train import TrainParams, fit_coded_svm

    args = argv if argv is not None else sys.argv[1:]
    problem_path, result_path = Path(args[0]), Path(args[1])
    watch = ParentWatch(problem_path, result_path, int(args[2])).start() if len(args) > 2 else None
    if not (ready or sys.stdin).readline().strip():
        if watch is not None:  # stdin closes first only when the parent exits without cancelling
            watch.clean()
        return 1  # the parent gave up before handing over a problem
    with np.load(problem_path, allow_pickle=False) as problem:
        features = sp.csr_matrix(
            (problem["data"], problem["indices"], problem["indptr"]), shape=tuple(problem["shape"])
        )
        codes = problem["codes"]
        params = TrainParams(**json.loads(str(problem["params"])))
    if watch is not None:
        problem_path.unlink(missing_ok=True)  # read: nothing to leave behind if the parent dies
    fit = fit_coded_svm(features, codes, params)
    with watch.lock if watch is not None else contextlib.nullcontext():
        if watch is not None and watch.orphaned():
            watch.clean()
            return 1
        with open(result_path, "wb") as fh:
            np.savez(
                fh, classes=np.array(fit.classes, dtype=np.int64), coef=fit.coef, intercept=fit.intercept
            )
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a child process; main() is tested in-process
    # os._exit, not SystemExit: the result file is written and closed by now, and the parent waits
    # for this process to end. The interpreter's orderly teardown of scikit-learn's ~1,200 modules
    # measured ~0.5 s of CPU per child — on the training's critical path, for nothing (the child
    # holds no other resource: its folder is the parent's, its stdout and stderr go nowhere).
    os._exit(main())
