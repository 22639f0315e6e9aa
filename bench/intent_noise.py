"""Messy real inputs (issue 21 part C): CLINC150 validation queries wrapped in e-mail noise.

Real support messages arrive with HTML, signatures, legal footers, quoted replies, links,
SHOUTING, emoji and typos around the request. This bench measures what each kind of noise does
to the intent engine, next to the same queries clean:

- ``noise``: the engine trained as ``bench_clinc150.py`` trains it (``train`` + ``oos_train``,
  calibrated on half of ``val`` + ``oos_val``: bench/clinc150_rejection.py's ``_halves``), then the
  OTHER half's in-scope rows (and its out-of-scope rows) classified clean and in each noise
  wrapping; per kind: accuracy, rejection rate, accuracy without rejection. No ``test`` row is
  read. Run it once with this checkout's engine and once with another's (``--src``, e.g. main
  before the cleaner) to get before/after; each run is stored under its engine version.
- ``adversarial``: the cleaner alone on 1 MB inputs built to defeat regexes (unclosed tags and
  scripts, endless digit groups, ``@`` runs, quote lines): CPU seconds and peak memory each.

    nice -n 10 .venv/bin/python bench/intent_noise.py noise [--src /work/main/src]
    nice -n 10 .venv/bin/python bench/intent_noise.py adversarial
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from clinc150_rejection import _halves
from common import RESULTS, children_cpu, fit_pack, load_clinc, machine

OUT = RESULTS / "intent_noise.json"
SEED = 21

SIGNATURE = "\n\nBest regards,\nJohn Smith\nSenior Accountant | ACME Corp\nTel. +1 (555) 201-7788"
FOOTER = (
    "\n\nThis e-mail and any attachments are confidential and intended solely for the addressee. "
    "If you are not the intended recipient, please notify the sender and delete it."
)
QUOTE = (
    "\n\nOn Mon, 3 Jun 2024 at 10:12, Support <help@example.com> wrote:\n"
    "> Thanks for contacting us.\n> How can we help you today?\n> The Support Team"
)


def _typos(text: str, rng: random.Random) -> str:
    """1-2 words of 4+ letters get one edit each: swap two neighbours, drop or double a letter."""
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    for i in rng.sample(candidates, min(len(candidates), rng.choice((1, 2)))):
        w, at = words[i], rng.randrange(1, len(words[i]) - 1)
        edit = rng.choice(("swap", "drop", "double"))
        if edit == "swap":
            w = w[:at] + w[at + 1] + w[at] + w[at + 2 :]
        elif edit == "drop":
            w = w[:at] + w[at + 1 :]
        else:
            w = w[:at] + w[at] + w[at:]
        words[i] = w
    return " ".join(words)


def _zero_width(text: str, rng: random.Random) -> str:
    words = text.split()
    i = rng.randrange(len(words))
    if len(words[i]) > 1:
        at = rng.randrange(1, len(words[i]))
        words[i] = words[i][:at] + "\u200b" + words[i][at:]
    return " ".join(words)


# kind → wrapping (text, per-row rng) → noisy text. Deterministic: the rng is seeded per row.
NOISE = {
    "clean": lambda t, rng: t,
    "html": lambda t, rng: (
        '<html><head><style>p {margin:0}</style></head><body><div class="msg">'
        f"<p>Hello,</p><p>{t}&nbsp;&#8230;</p></div></body></html>"
    ),
    "script_tag": lambda t, rng: f"<script>alert(1)</script> {t}",
    "signature": lambda t, rng: t + SIGNATURE,
    "mobile_signature": lambda t, rng: t + "\n\nSent from my iPhone",
    "legal_footer": lambda t, rng: t + FOOTER,
    "quoted_reply": lambda t, rng: t + QUOTE,
    "url": lambda t, rng: f"{t} https://www.example.com/account/orders?id={rng.randrange(10**6)}&ref=mail",
    "email_phone": lambda t, rng: f"{t} - you can reach me at jane.doe@example.org or +1 555 201 7788",
    "order_id": lambda t, rng: f"{t} (order #{rng.randrange(10**7, 10**8)})",
    "all_caps": lambda t, rng: t.upper(),
    "emoji_punctuation": lambda t, rng: f"{t} \U0001f621\U0001f64f!!!",
    "zero_width": _zero_width,
    "everything": lambda t, rng: (
        f"<div>{t.upper()} \U0001f621!!! https://example.com/x</div><br>Best regards,<br>Jane"
        + FOOTER
        + QUOTE
    ),
    "typos_1_2_words": _typos,
}


def _noisy(texts: list[str], kind: str) -> list[str]:
    return [NOISE[kind](t, random.Random(f"{SEED}:{kind}:{i}")) for i, t in enumerate(texts)]


def _score(model: Any, texts: list[str], gold: list[str], oos_texts: list[str], kinds: list[str]) -> dict:
    """Per noise kind: accuracy, rejection rate and accuracy without rejection on the in-scope
    rows, out-of-scope recall on the out-of-scope rows, classification CPU per query."""

    def share(hits: list[bool]) -> float:
        return round(sum(hits) / len(hits), 4)

    figures: dict[str, Any] = {}
    for kind in kinds:
        queries = _noisy(texts, kind)
        cpu = time.process_time()
        preds = model.predict(queries)
        oos_preds = model.predict(_noisy(oos_texts, kind))
        per_query_us = (time.process_time() - cpu) / (len(queries) + len(oos_texts)) * 1e6
        figures[kind] = {
            "accuracy": share([p.label == g for p, g in zip(preds, gold, strict=True)]),
            "rejected": share([not p.in_scope for p in preds]),
            "accuracy_no_reject": share([p.top[0][0] == g for p, g in zip(preds, gold, strict=True)]),
            "oos_recall": share([not p.in_scope for p in oos_preds]),
            "cpu_us_per_query": round(per_query_us, 1),
            "example": queries[0],
        }
        print(kind, json.dumps({k: v for k, v in figures[kind].items() if k != "example"}), flush=True)
    return figures


IDENTIFIER_KINDS = ["clean", "url", "email_phone", "order_id", "everything"]


def _identifier_variants(model: Any, texts: list[str], gold: list[str], oos_texts: list[str]) -> dict:
    """How a link, an address, a phone or an order id should reach the classifier (chosen here, on
    the validation half): as placeholder tokens (words and character n-grams), as placeholder
    words without character n-grams, or not at all (the engine's ``IGNORED_TOKENS``)."""
    from agentops_cli.nlp import clean, intent

    saved = (intent.char_words, intent.IGNORED_TOKENS)

    def chars_without_placeholders(text: str) -> list[str]:
        return [w for w in saved[0](text) if w not in clean.PLACEHOLDERS]

    variants = {}
    names = ("placeholder words + char n-grams", "placeholder words, no char n-grams", "skipped (adopted)")
    for name in names:
        if name.startswith("placeholder"):
            intent.IGNORED_TOKENS = frozenset()
        if name.endswith("no char n-grams"):
            intent.char_words = chars_without_placeholders
        model._char_cache.clear()
        try:
            print("--", name, flush=True)
            variants[name] = _score(model, texts, gold, oos_texts, IDENTIFIER_KINDS)
        finally:
            intent.char_words, intent.IGNORED_TOKENS = saved
            model._char_cache.clear()
    return variants


def noise(src: Path | None, model_file: Path | None) -> dict[str, Any]:
    sys.path.insert(0, str(src or Path(__file__).resolve().parent.parent / "src"))
    from agentops_cli.nlp.intent import OOS_LABEL, IntentModel

    data = load_clinc()
    tune, check = _halves(data)[0]
    started, cpu, workers = time.perf_counter(), time.process_time(), children_cpu()
    if model_file and model_file.is_file():  # development only: the reported run trains
        model = IntentModel.load(model_file)
    else:
        model = fit_pack(data["train"] + [[t, OOS_LABEL] for t, _ in data["oos_train"]], tune)
        if model_file:
            model.save(model_file)
    train_s, train_cpu = time.perf_counter() - started, time.process_time() - cpu
    in_rows = [(t, lab) for t, lab in check if lab != OOS_LABEL]
    oos_texts = [t for t, lab in check if lab == OOS_LABEL]
    texts, gold = [t for t, _ in in_rows], [lab for _, lab in in_rows]
    kinds = _score(model, texts, gold, oos_texts, list(NOISE))
    clean_preds = model.predict(texts)
    run = {
        "engine": model.meta["engine"],
        "src": str(src) if src else "this checkout",
        "rows": {"in_scope": len(texts), "out_of_scope": len(oos_texts), "calibration": len(tune)},
        "train_s": round(train_s, 2),
        "train_cpu_s": round(train_cpu, 2),
        "train_worker_cpu_s": round(children_cpu() - workers, 2),
        # Same model, same clean rows → same labels: how before/after runs show bit-identity.
        "clean_predictions_digest": _digest([(p.label, p.top) for p in clean_preds]),
        "kinds": kinds,
    }
    try:
        import agentops_cli.nlp.clean  # noqa: F401  (absent before the cleaner)
    except ImportError:
        return run
    return {**run, "identifier_variants": _identifier_variants(model, texts, gold, oos_texts)}


def _digest(items: list) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]


ADVERSARIAL = {
    "unclosed tags": "<a" * 500_000,
    "unclosed scripts": "<script>" * 131_072,
    "tag-like with no end": "<b " + "x" * 1_048_000,
    "entities with no semicolon": "&amp" * 262_144,
    "digit groups": "12 345 " * 149_796,
    "digits then a letter": ("1234567890" * 3 + "a ") * 33_825,
    "at signs": "a@" * 524_288,
    "dotted e-mail-ish": ("x." * 40 + "@" + "y." * 40) * 6_400,
    "quote lines": "> quoted line\n" * 74_898,
    "url without end": "https://" + "a" * 1_048_568,
    "closing lines": "Thanks,\n" * 131_072,
    "repeated punctuation": "!?" * 524_288,
    "emoji": "\U0001f621" * 262_144,
}


def adversarial() -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from agentops_cli.nlp.clean import clean_message

    cases = {}
    for name, text in ADVERSARIAL.items():
        cpu, wall = time.process_time(), time.perf_counter()
        out = clean_message(text)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        tracemalloc.start()  # a second pass: tracing slows the first several-fold
        clean_message(text)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        cases[name] = {
            "input_bytes": len(text.encode()),
            "output_chars": len(out),
            "cpu_s": round(cpu, 4),
            "wall_s": round(wall, 4),
            "peak_mb": round(peak / 2**20, 1),
        }
        print(name, json.dumps(cases[name]), flush=True)
    return {"cases": cases, "max_cpu_s": max(c["cpu_s"] for c in cases.values())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["noise", "adversarial"])
    parser.add_argument("--src", type=Path, help="another checkout's src/ to measure (e.g. main)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--model", type=Path, help="development: load/save the trained model here")
    args = parser.parse_args(argv)
    result = json.loads(args.out.read_text()) if args.out.is_file() else {}
    if args.what == "noise":
        run = noise(args.src, args.model)
        result.setdefault("noise", {})[run["engine"]] = run
    else:
        result["adversarial"] = adversarial()
    result["machine"] = machine()
    result["command"] = "nice -n 10 .venv/bin/python bench/intent_noise.py noise|adversarial [--src X/src]"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
