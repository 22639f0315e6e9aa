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
  scripts, endless digit groups, ``@`` runs, quote lines): CPU seconds and peak memory each; and
  the legal-threat rule (``signals.legal_threat``) on the same inputs plus 1 MB runs of the
  fragments its lawyer/relative/client patterns try at every occurrence (``LEGAL_FRAGMENTS``).
- ``cost``: CPU of counting 10,000 CLINC150 rows as training does (what the cleaner adds).

    nice -n 10 .venv/bin/python bench/intent_noise.py noise [--src /work/main/src]
    nice -n 10 .venv/bin/python bench/intent_noise.py adversarial
    nice -n 10 .venv/bin/python bench/intent_noise.py cost [--src /work/main/src]
"""

from __future__ import annotations

import argparse
import json
import os
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
    "delimiter lines": "--\n" * 349_526,
    "unclosed comments": "<!--" * 262_144,
    "unclosed blockquotes": "<blockquote>" * 87_382,
    "less-than run": "<" * 1_048_576,
    "header-like lines without evidence": "on monday you wrote: x\n" * 45_591,
    "from/sent pairs without evidence": "From: x\nSent: y\n" * 65_536,
    "country code then groups": "0034 612 " * 116_509,
    "phones back to back": "612 345 678 " * 87_382,
}
# What the legal-threat rule's lookaheads try at every occurrence (a relative lawyer's act or
# opinion window, a client mention, a self-description).
LEGAL_FRAGMENTS = (
    "my wife, a lawyer, ",
    "my wife, an attorney, says ",
    "my wife is a lawyer and she will ",
    "my husband is a lawyer and he will call you to ",
    "mi marido es abogado y ",
    "i'm a lawyer ",
    "my client ",
    "my clients love ",
    "i need to refund my client ",
    "abogado y ",
)


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
    return {"cases": cases, "max_cpu_s": max(c["cpu_s"] for c in cases.values()), "legal_threat": legal()}


def legal() -> dict[str, Any]:
    """CPU seconds of ``legal_threat`` on every adversarial input and 1 MB of each fragment."""
    from agentops_cli.agents.support.signals import legal_threat

    texts = dict(ADVERSARIAL)
    texts |= {f"'{f.strip()}'": (f * (2**20 // len(f) + 1))[: 2**20] for f in LEGAL_FRAGMENTS}
    cpu = {}
    for name, text in texts.items():
        started = time.process_time()
        legal_threat(text)
        cpu[name] = round(time.process_time() - started, 4)
    worst = max(cpu, key=cpu.__getitem__)
    print("legal_threat", json.dumps({"worst": worst, "cpu_s": cpu[worst]}), flush=True)
    return {"cpu_s": cpu, "max_cpu_s": cpu[worst], "worst": worst}


def cost(src: Path | None) -> dict[str, Any]:
    """CPU of tokenising and counting 10,000 CLINC150 ``train`` rows the way training does (word
    and character n-gram counts), best and median of 5 passes with cold caches: what the cleaner
    adds to every training (run with ``--src`` of the code before for the comparison)."""
    sys.path.insert(0, str(src or Path(__file__).resolve().parent.parent / "src"))
    from agentops_cli.nlp import intent
    from agentops_cli.nlp.intent_vectors import count_char_terms, count_word_terms

    try:
        from agentops_cli.nlp.clean import _clean_cached
    except ImportError:  # the code before the cleaner
        _clean_cached = None
    rows = [t for t, _ in load_clinc()["train"]][:10_000]
    passes = []
    for _ in range(5):
        intent._word_char_ngrams.cache_clear()
        if _clean_cached is not None:
            _clean_cached.cache_clear()
        started = time.process_time()
        count_word_terms(rows)
        count_char_terms(rows)
        passes.append(time.process_time() - started)
    return {
        "engine": intent.ENGINE_VERSION,
        "rows": len(rows),
        "count_cpu_s_min": round(min(passes), 3),
        "count_cpu_s_median": round(sorted(passes)[2], 3),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }


LABELS = {
    "clean": "clean",
    "html": "HTML page (`<style>`, `<p>Hello,</p>`, `&nbsp;&#8230;`)",
    "script_tag": "`<script>alert(1)</script>` before the query",
    "signature": "signature (closing, name, title, phone)",
    "mobile_signature": '"Sent from my iPhone"',
    "legal_footer": "legal footer",
    "quoted_reply": "quoted reply (`On … wrote:` + `>` lines)",
    "url": "URL appended",
    "email_phone": '"- you can reach me at ‹e-mail› or ‹phone›"',
    "order_id": '"(order #‹8 digits›)"',
    "all_caps": "ALL CAPS",
    "emoji_punctuation": "emoji + `!!!`",
    "zero_width": "a zero-width space inside a word",
    "everything": "everything at once (HTML, caps, emoji, URL, signature, footer, quote)",
    "typos_1_2_words": "typos in 1–2 words (not cleaned: the scope score's part)",
}

INTRO = """`nice -n 10 .venv/bin/python bench/intent_noise.py noise|adversarial|cost [--src OTHER/src]` →
`bench/results/intent_noise.json`, each engine's run stored under its version ("before" = `--src`
of main at `intent-v11`). The engine is trained as `bench_clinc150.py` trains it (`train` +
`oos_train`), calibrated on one half of `val` + `oos_val` (`clinc150_rejection.py`'s halves); the
*other* half's in-scope and out-of-scope rows are classified clean and wrapped in each kind of
noise (deterministic, seeded per row; `test` is never read). Accuracy = label right after
rejection; rejected = share of in-scope rows called out of scope."""

FINDINGS = """Noisy = clean for every kind whose noise is envelope, but for three greeting-only queries
("hey", "hello") whose signature stays: a closing right after a greeting alone is taken for an
opening thanks ("Hi,\nThanks!\nMy card is blocked" keeps its request). The e-mail/phone and
order-id kinds add words of their own ("you can reach me at", "order"), which move predictions as
any words do.
Before, out-of-scope recall *rose* with noise only because every query, in scope or not, lost word
coverage — the effect that rejected most in-scope ones. Clean predictions are the same in both
runs when their digests (labels + top-3 probabilities) match: no CLINC150 `train`/`val`/`oos_*`
row is changed by the cleaner (two rows change at all, in `test`/`oos_test`: a 7- and an 8-digit
number become skipped placeholders). A pack whose examples hold such numbers, links or markup
trains differently, hence the version bump (the training bench's 10,000-row CLINC subset, which
includes `test` rows, moved by one held-out row: 0.9685 → 0.968)."""

VARIANTS = """A placeholder is a word no CLINC150 row used, so as a token it lowers the scope score's word
coverage (and `_number_`'s character n-grams are those of "number"). The cleaner writes
placeholders (`_url_`, `_email_`, `_phone_`, `_number_`); `IGNORED_TOKENS` in `nlp/intent.py`
skips them — the variant adopted here, on validation rows."""

MEASURED_ELSEWHERE = """Single `cost` runs under load swing by ±0.1 s: four more interleaved pairs
gave 0.41–0.52 s (min) for `intent-v11` and 0.42–0.58 s for `intent-v12` — under +0.1 s of CPU
per 10,000 rows.

Training and batch speed, measured 2026-11-30 under load 6–8 with
`bench_intent_train.py speed --out /tmp/…` run twice each for main and this code, interleaved:
training-process CPU 1.27–1.31 s → 1.34–1.42 s (synthetic pack) and 1.85–2.14 s → 1.79–2.07 s
(CLINC150 subset), fit workers unchanged, warm batch 13,200–14,752 → 13,368–15,324 queries per CPU
second (synthetic) and 8,795–9,005 → 8,877–9,346 (CLINC150): within the noise of the shared
machine (wall times were 2–5× the CPU; rerun on a quiet machine). The cleaner's fast path is one
character-class search, a digit and a repeat search and ten substring tests (~3 µs per text),
cached between the word and the character pass.

Golden support set (`agentops eval --dataset golden --agent support`, offline, 2026-11-30): the
214 rows from before this change score the same on main and here (intent accuracy 0.9112,
escalation F1 0.8929, pass rate 0.785); the 8 `noisy` rows (HTML, quoted reply, signature,
footers, emoji, caps, identifiers; EN/ES) pass 8/8 here, 6/8 on main (an HTML-wrapped billing
question rejected as out of scope; a footer drove a technical question under the confidence
threshold)."""


def section(data: dict | None) -> list[str]:
    """The docs/benchmarks.md section of this benchmark."""
    lines = ["## Messy inputs (issue 21 part C)", "", *INTRO.splitlines(), ""]
    runs = (data or {}).get("noise", {})
    if len(runs) < 2:
        return [*lines, "Not run yet: `bench/intent_noise.py noise` with and without `--src`.", ""]
    (before_engine, before), (after_engine, after) = sorted(runs.items())[0], sorted(runs.items())[-1]
    rows = after["rows"]
    lines += [
        f"{rows['in_scope']:,} in-scope and {rows['out_of_scope']} out-of-scope rows; "
        f"before = `{before_engine}`, after = `{after_engine}`; clean-prediction digests "
        f"`{before['clean_predictions_digest']}` / `{after['clean_predictions_digest']}`.",
        "",
        "| noise | before: accuracy / rejected | after: accuracy / rejected | "
        "no-reject accuracy before → after | OOS recall before → after |",
        "|---|---|---|---|---|",
    ]
    for kind, label in LABELS.items():
        b, a = before["kinds"].get(kind), after["kinds"].get(kind)
        if b and a:
            lines.append(
                f"| {label} | {b['accuracy']:.3f} / {b['rejected']:.3f} | {a['accuracy']:.3f} / "
                f"{a['rejected']:.3f} | {b['accuracy_no_reject']:.3f} → {a['accuracy_no_reject']:.3f} | "
                f"{b['oos_recall']:.2f} → {a['oos_recall']:.2f} |"
            )
    lines += ["", *FINDINGS.splitlines(), ""]
    if variants := after.get("identifier_variants"):
        lines += [
            "How identifiers reach the classifier (accuracy / rejected, same validation half):",
            "",
            "| variant | " + " | ".join(LABELS[k] for k in IDENTIFIER_KINDS[1:]) + " |",
            "|---|" + "---|" * (len(IDENTIFIER_KINDS) - 1),
        ]
        shown = IDENTIFIER_KINDS[1:]
        for name, figures in variants.items():
            cells = [f"{figures[k]['accuracy']:.3f} / {figures[k]['rejected']:.3f}" for k in shown]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += ["", *VARIANTS.splitlines(), ""]
    if costs := (data or {}).get("cost"):
        lines.append(
            "Counting 10,000 CLINC150 `train` rows as training does (`cost`, CPU s, min / median of 5): "
            + "; ".join(
                f"`{engine}` {c['count_cpu_s_min']} / {c['count_cpu_s_median']} (load {c['load_avg_1min']})"
                for engine, c in sorted(costs.items())
            )
            + "."
        )
        lines.append("")
    if adv := (data or {}).get("adversarial"):
        cases = "; ".join(f"{name} {c['cpu_s']} / {c['peak_mb']}" for name, c in adv["cases"].items())
        lines += [
            "Adversarial 1 MB messages (`adversarial`, the cleaner alone; CPU s / peak MB, traced in a "
            f"second pass): {cases}. Linear by construction (markup bodies cut with `str.find`, every "
            "regex repeat anchored on a literal or capped); the support agent caps queries at "
            "`support.max_query_chars` (5,000) before any of it.",
            "",
        ]
        if legal := adv.get("legal_threat"):
            lines += [
                f"The legal-threat rule on the same inputs and 1 MB runs of its lawyer/client fragments "
                f"(`LEGAL_FRAGMENTS`): at most {legal['max_cpu_s']} CPU s ({legal['worst']}), "
                f"over {len(legal['cpu_s'])} inputs.",
                "",
            ]
    return [*lines, *MEASURED_ELSEWHERE.splitlines(), ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["noise", "adversarial", "cost"])
    parser.add_argument("--src", type=Path, help="another checkout's src/ to measure (e.g. main)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--model", type=Path, help="development: load/save the trained model here")
    args = parser.parse_args(argv)
    result = json.loads(args.out.read_text()) if args.out.is_file() else {}
    if args.what == "noise":
        run = noise(args.src, args.model)
        result.setdefault("noise", {})[run["engine"]] = run
    elif args.what == "cost":
        run = cost(args.src)
        result.setdefault("cost", {})[run["engine"]] = run
        print(json.dumps(run))
    else:
        result["adversarial"] = adversarial()
    result["machine"] = machine()
    result["command"] = "nice -n 10 .venv/bin/python bench/intent_noise.py noise|adversarial|cost [--src S]"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
