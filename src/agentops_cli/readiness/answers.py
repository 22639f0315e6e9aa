"""People's answers for what files cannot prove: the ``.agentops/checklist.yaml`` file.

Format (one mapping per item id)::

    PERM-01:
      status: pass          # pass | fail | partial | n/a
      note: agent key is read-only, scoped to the KB bucket
      owner: ana@example.com
      date: 2025-01-15

Answers decide ``manual`` items and override the evidence of ``partial`` ones. An
automatically verified item accepts only ``n/a`` (a documented waiver, note required):
otherwise a file could claim what the code contradicts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from agentops_cli.errors import BadInput
from agentops_cli.readiness.models import Answer, CatalogueItem, ItemResult, Lang

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_ANSWERS = Path(".agentops") / "checklist.yaml"
CHOICES = ("pass", "fail", "partial", "n/a", "skip")
ANSWERS_MAX_BYTES = 1024 * 1024


def default_answers_path(root: Path) -> Path:
    return root / DEFAULT_ANSWERS


def load_answers(path: Path, catalogue: dict[str, CatalogueItem]) -> dict[str, Answer]:
    """Parse and validate an answers file; any problem is ``BadInput`` with ``file:line``."""
    from agentops_cli import safe_yaml  # PyYAML only when there is an answers file to read

    budget = safe_yaml.YamlBudget(max_bytes=ANSWERS_MAX_BYTES)
    text = safe_yaml.read_yaml_text(path, budget, "answers file")
    root = safe_yaml.compose(text, str(path), budget)
    data = None if root is None else safe_yaml.construct(root, str(path))
    lines = {".".join(str(p) for p in key): line for key, line in safe_yaml.key_lines(root).items()}
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadInput(f"{path}:1: answers file must map item ids to answers")
    answers: dict[str, Answer] = {}
    for item_id, raw in data.items():
        line = lines.get(str(item_id), 1)
        item = catalogue.get(str(item_id))
        if item is None:
            raise BadInput(f"{path}:{line}: unknown checklist item '{item_id}'")
        if not isinstance(raw, dict):
            raise BadInput(f"{path}:{line}: {item_id}: expected a mapping with status, note, owner, date")
        try:
            answer = Answer.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            at = lines.get(f"{item_id}.{field.split('.')[0]}", line)
            raise BadInput(f"{path}:{at}: {item_id}.{field}: {message}") from exc
        if item.verification == "auto" and answer.status != "n/a":
            raise BadInput(
                f"{path}:{line}: {item_id} is verified automatically; "
                "only 'n/a' (with a note) can be answered"
            )
        if answer.status == "n/a" and not answer.note.strip():
            raise BadInput(f"{path}:{line}: {item_id}: 'n/a' needs a note saying why")
        answers[str(item_id)] = answer
    return answers


def write_answers(path: Path, answers: dict[str, Answer]) -> None:
    """Write answers sorted by id, atomically (a crash never leaves half a file)."""
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        item_id: {k: v for k, v in answer.model_dump(mode="json").items() if v not in (None, "")}
        for item_id, answer in sorted(answers.items())
    }
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(
        "# agentops checklist answers: status pass|fail|partial|n/a, note, owner, date\n"
        + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    tmp.replace(path)


def prompt_answers(
    pending: list[ItemResult], existing: dict[str, Answer], console: Console, lang: Lang = "en"
) -> dict[str, Answer]:
    """Ask a person about each pending item (rich prompts); ``skip`` leaves it unanswered."""
    from rich.prompt import Prompt

    answers = dict(existing)
    for index, item in enumerate(pending, 1):
        console.print(f"\n[bold]{index}/{len(pending)} {item.id}[/] {item.title}  [dim]({item.severity})[/]")
        for ev in item.evidence[:3]:
            console.print(f"  [dim]evidence: {ev.path}{':' + str(ev.line) if ev.line else ''} {ev.note}[/]")
        if item.note:
            console.print(f"  [dim]{item.note}[/]")
        previous = existing.get(item.id)
        status = Prompt.ask(
            "  status",
            choices=list(CHOICES),
            default=previous.status if previous else "skip",
            console=console,
        )
        if status == "skip":
            continue
        note = Prompt.ask("  note", default=previous.note if previous else "", console=console)
        while status == "n/a" and not note.strip():
            note = Prompt.ask("  note (required for n/a)", console=console)
        owner = Prompt.ask("  owner", default=previous.owner if previous else "", console=console)
        answers[item.id] = Answer(status=status, note=note, owner=owner, date=dt.date.today())
    return answers
