"""Where a forecast's numbers come from: flags, a routing mix, a prompt file, a measured run.

Kept apart from the arithmetic so each source can fail with its own clear message (exit 2)
and the estimator only ever sees validated numbers.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from agentops_cli.errors import BadInput

SHARE_TOLERANCE = Decimal("0.000001")


def parse_mix(text: str) -> dict[str, Decimal]:
    """``gpt-4o-mini=0.8,gpt-4o=0.2`` (or ``80%``) → shares that sum to 1."""
    shares: dict[str, Decimal] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        model, sep, raw = part.partition("=")
        model, raw = model.strip(), raw.strip()
        if not sep or not model or not raw:
            raise BadInput(f"--mix: '{part}' is not MODEL=SHARE (e.g. gpt-4o-mini=0.8,gpt-4o=0.2)")
        try:
            share = Decimal(raw[:-1]) / 100 if raw.endswith("%") else Decimal(raw)
        except InvalidOperation as exc:
            raise BadInput(f"--mix: share of '{model}' is not a number: '{raw}'") from exc
        if not share.is_finite() or share <= 0 or share > 1:
            raise BadInput(f"--mix: share of '{model}' must be in (0, 1], got {raw}")
        if model in shares:
            raise BadInput(f"--mix: '{model}' is given twice")
        shares[model] = share
    if not shares:
        raise BadInput("--mix: no MODEL=SHARE pairs given")
    total = sum(shares.values(), Decimal(0))
    if abs(total - 1) > SHARE_TOLERANCE:
        raise BadInput(f"--mix: shares must sum to 1, they sum to {total.normalize():f}")
    return shares


def read_prompt_file(path: Path) -> str:
    """The text of ``--prompt-file`` (UTF-8), with a one-line error when it cannot be read."""
    if not path.is_file():
        raise BadInput(f"--prompt-file: {path}: file not found")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"--prompt-file: {path}: cannot read as UTF-8 text ({exc})") from exc


class MeasuredRun(BaseModel):
    """Average tokens per request measured by an eval run.

    ``defer_build``: its validator is built on first use (``--from-run``), not at every start.
    """

    model_config = ConfigDict(defer_build=True)

    run_id: str
    path: str
    n: int
    model: str | None
    input_tokens: Decimal
    output_tokens: Decimal
    cached_tokens: Decimal

    @property
    def cached_ratio(self) -> Decimal:
        return self.cached_tokens / self.input_tokens if self.input_tokens else Decimal(0)


def _resolve_run_dir(runs_dir: Path, run_id: str) -> Path:
    """``RUN_ID`` or ``last`` (the newest run with a summary), as ``eval --resume`` accepts."""
    if run_id == "last":
        summaries = sorted(runs_dir.glob("*/summary.json"), key=lambda p: p.stat().st_mtime)
        if not summaries:
            raise BadInput(f"--from-run last: no eval run with a summary.json in {runs_dir}")
        return summaries[-1].parent
    if not run_id or "/" in run_id or "\\" in run_id or run_id in {".", ".."}:
        raise BadInput(f"--from-run: '{run_id}' is not a run id")
    return runs_dir / run_id


def read_run(runs_dir: Path, run_id: str) -> MeasuredRun:
    """Average tokens per request from ``<runs_dir>/<RUN_ID>/summary.json``."""
    run_dir = _resolve_run_dir(runs_dir, run_id)
    path = run_dir / "summary.json"
    if not path.is_file():
        raise BadInput(f"--from-run: no eval run '{run_id}' ({path} not found; see 'agentops eval list')")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"--from-run: {path}: unreadable summary ({exc})") from exc
    usage = data.get("usage") if isinstance(data, dict) else None
    n = data.get("n") if isinstance(data, dict) else None
    if not isinstance(usage, dict) or not isinstance(n, int) or isinstance(n, bool):
        raise BadInput(f"--from-run: {path}: summary has no 'n' and 'usage'")
    if n <= 0:
        raise BadInput(f"--from-run: {path}: run has no requests (n = {n})")
    try:
        totals = {
            k: Decimal(int(usage.get(k) or 0)) for k in ("input_tokens", "output_tokens", "cached_tokens")
        }
    except (TypeError, ValueError) as exc:
        raise BadInput(f"--from-run: {path}: usage token counts must be integers") from exc
    if totals["input_tokens"] <= 0:
        raise BadInput(
            f"--from-run: run '{run_id}' recorded no tokens (an offline run?); "
            "measure with an LLM provider or give --input-tokens"
        )
    model = data.get("model")
    return MeasuredRun(
        run_id=run_dir.name,
        path=str(path),
        n=n,
        model=model if isinstance(model, str) and model else None,
        input_tokens=totals["input_tokens"] / n,
        output_tokens=totals["output_tokens"] / n,
        cached_tokens=min(totals["cached_tokens"], totals["input_tokens"]) / n,
    )
