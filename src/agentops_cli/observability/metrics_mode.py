"""Which processes keep Prometheus metrics in files: only the workers of ``serve --workers N``.

prometheus_client chooses, when it is imported, to keep every metric of the process in
memory-mapped files when ``PROMETHEUS_MULTIPROC_DIR`` (or its deprecated lower-case name)
is set, and reads the variable again each time it opens one of those files. So the choice
must be made before it is imported, and the variable must stay set in a process that chose
files. This module does not import prometheus_client, for that reason: ``serve`` with one
worker clears the variable here first; processes we start (``exec:`` agents, the intent-fit
child) get an environment without it, or an instrumented agent would write its own series,
and one file per run, into the serve's directory.
"""

from __future__ import annotations

import os
import sys

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_MULTIPROC_NAMES = (MULTIPROC_ENV, MULTIPROC_ENV.lower())


def keep_metrics_in_memory() -> None:
    """This process keeps its metrics in memory, whatever the environment said.

    Clears the variables, and switches prometheus_client back when something already imported
    it in file mode (its metrics would otherwise fail on the first file they open)."""
    for name in _MULTIPROC_NAMES:
        os.environ.pop(name, None)
    values = sys.modules.get("prometheus_client.values")
    if values is not None:
        values.ValueClass = values.MutexValue


def metrics_in_files() -> bool:
    """Whether prometheus_client, as imported in this process, keeps metrics in files — what it
    chose, not what the environment says now."""
    values = sys.modules.get("prometheus_client.values")
    return values is not None and bool(getattr(values.ValueClass, "_multiprocess", False))


def child_environment(**extra: str) -> dict[str, str]:
    """This process's environment for a child we start, without the metrics directory."""
    env = {key: value for key, value in os.environ.items() if key not in _MULTIPROC_NAMES}
    env.update(extra)
    return env
