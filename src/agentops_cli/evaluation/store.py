"""The one results store: ``<runs_dir>/RUN_ID/`` with ``meta.json``, ``results.jsonl``, ``summary.json``.

``results.jsonl`` gets one line per finished example, written and flushed as it
finishes, so a crash, a SIGKILL or Ctrl-C loses at most the examples in flight. A kill
can leave a torn last line; readers skip it and a resume truncates it before appending,
so no example is lost or counted twice. The summary is always recomputed from the
lines, never kept as the only copy of anything.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from agentops_cli.errors import BadInput
from agentops_cli.evaluation.models import ExampleResult, RunMeta, RunSummary
from agentops_cli.observability.redact import redact

RESULTS = "results.jsonl"
TRANSCRIPTS = "transcripts.jsonl"
META = "meta.json"
SUMMARY = "summary.json"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file and rename: a reader never sees half a summary or report.

    Secrets are redacted here, as in every line of ``results.jsonl``: a key typed into a
    query must not reach a file (every report is built from what the store holds)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(redact(text), encoding="utf-8")
    os.replace(tmp, path)


def _line(result: ExampleResult) -> str:
    return redact(result.model_dump_json()) + "\n"


class RunStore:
    """One run's folder. Create with :meth:`create`, find with :meth:`open`."""

    def __init__(self, root: Path, run_id: str) -> None:
        self.run_id = run_id
        self.dir = root / run_id
        self._fh: IO[str] | None = None
        self._transcripts: IO[str] | None = None

    # -- finding runs ------------------------------------------------------------------------------
    @staticmethod
    def list_ids(root: Path) -> list[str]:
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if (p / META).is_file())

    @classmethod
    def create(cls, root: Path, meta: RunMeta) -> RunStore:
        store = cls(root, meta.run_id)
        store.dir.mkdir(parents=True, exist_ok=False)
        write_atomic(store.dir / META, meta.model_dump_json(indent=2))
        return store

    @classmethod
    def open(cls, root: Path, run_id: str) -> RunStore:
        """``last`` is the newest run; an unknown id is bad input (exit 2), not a crash."""
        if run_id == "last":
            ids = cls.list_ids(root)
            if not ids:
                raise BadInput(f"no runs in {root} to resume")
            run_id = ids[-1]
        store = cls(root, run_id)
        if not (store.dir / META).is_file():
            raise BadInput(f"run '{run_id}' not found in {root}")
        return store

    # -- metadata and summary ----------------------------------------------------------------------
    @property
    def results_path(self) -> Path:
        return self.dir / RESULTS

    def meta(self) -> RunMeta:
        try:
            return RunMeta.model_validate_json((self.dir / META).read_text(encoding="utf-8"))
        except (OSError, ValidationError) as exc:
            raise BadInput(f"{self.dir / META}: unreadable run metadata ({exc})") from exc

    def save_meta(self, meta: RunMeta) -> None:
        write_atomic(self.dir / META, meta.model_dump_json(indent=2))

    def summary(self) -> RunSummary | None:
        path = self.dir / SUMMARY
        if not path.is_file():
            return None
        return RunSummary.model_validate_json(path.read_text(encoding="utf-8"))

    def save_summary(self, summary: RunSummary) -> None:
        write_atomic(self.dir / SUMMARY, summary.model_dump_json(indent=2))

    # -- reading results ---------------------------------------------------------------------------
    def results(self) -> Iterator[ExampleResult]:
        """Stream the stored results; a torn or corrupt line is skipped, never fatal."""
        if not self.results_path.is_file():
            return
        with self.results_path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.endswith("\n"):
                    return  # torn by a kill: the example will run again on resume
                try:
                    yield ExampleResult.model_validate_json(line)
                except ValidationError as exc:
                    self._report_invalid(number, exc)

    def _report_invalid(self, number: int, exc: ValidationError) -> None:
        """A line that does not validate is reported once per line (and left out), never silently."""
        reported = self.__dict__.setdefault("_reported", set())
        if number in reported:
            return
        reported.add(number)
        from agentops_cli.observability.logging import get_logger

        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "line"
        get_logger().warning(
            "{}:{}: invalid result line left out ({}: {})", self.results_path, number, where, first["msg"]
        )

    def transcript(self, key: str) -> dict | None:
        """The stored transcript of one attempt (the last one written for ``key``), or None."""
        import json

        path = self.dir / TRANSCRIPTS
        if not path.is_file():
            return None
        found = None
        needle = json.dumps(key)
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if needle in line and line.endswith("\n"):
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if entry.get("key") == key:
                        found = entry
        return found

    def done_keys(self) -> dict[str, bool]:
        """key → errored, for every stored result (what ``--resume`` skips)."""
        return {r.key: r.error is not None for r in self.results()}

    # -- writing results ---------------------------------------------------------------------------
    def repair(self) -> int:
        """Cut a torn last line so appends start on a fresh line; returns bytes removed."""
        path = self.results_path
        if not path.is_file() or path.stat().st_size == 0:
            return 0
        with path.open("rb+") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - 1))
            if fh.read(1) == b"\n":
                return 0
            chunk = 1 << 16
            pos = size
            while pos > 0:
                start = max(0, pos - chunk)
                fh.seek(start)
                data = fh.read(pos - start)
                idx = data.rfind(b"\n")
                if idx >= 0:
                    cut = start + idx + 1
                    fh.truncate(cut)
                    return size - cut
                pos = start
            fh.truncate(0)
            return size

    def drop_errors(self) -> int:
        """Rewrite ``results.jsonl`` without errored lines (``--retry-errors``); atomic rename."""
        tmp = self.dir / f".{RESULTS}.tmp"
        dropped = 0
        with tmp.open("w", encoding="utf-8") as out:
            for result in self.results():
                if result.error is not None:
                    dropped += 1
                    continue
                out.write(_line(result))
        os.replace(tmp, self.results_path)
        return dropped

    def open_for_append(self) -> None:
        """Open the results file; an exclusive lock stops two processes writing one run.

        The lock is taken *before* a torn last line is repaired: repairing while another
        process still writes would cut off the line it is writing.
        """
        self.results_path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.results_path.open("a", encoding="utf-8")
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - Windows
            pass
        except OSError as exc:
            fh.close()
            raise BadInput(f"run '{self.run_id}' is being written by another process") from exc
        self.repair()
        self._fh = fh

    def append(self, result: ExampleResult) -> None:
        """One line per finished example, flushed now: a kill after this keeps it."""
        assert self._fh is not None, "open_for_append() first"
        if result.transcript is not None:  # first, so a stored result has its transcript
            import json

            if self._transcripts is None:
                self._transcripts = (self.dir / TRANSCRIPTS).open("a", encoding="utf-8")
            self._transcripts.write(
                redact(json.dumps(result.transcript, ensure_ascii=False, default=str)) + "\n"
            )
            self._transcripts.flush()
        self._fh.write(_line(result))
        self._fh.flush()

    def close(self) -> None:
        if self._transcripts is not None:
            self._transcripts.close()
            self._transcripts = None
        if self._fh is not None:
            try:
                os.fsync(self._fh.fileno())
            finally:
                self._fh.close()
                self._fh = None
