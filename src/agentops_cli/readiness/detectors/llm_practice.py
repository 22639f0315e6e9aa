"""Detectors for "Costos", "Evaluación cognitiva" and "Éticas y sesgos".

checklist: skip-file (the patterns below name the practices; they are not evidence of them)
"""

from __future__ import annotations

from agentops_cli.readiness.detectors.base import Context, Finding, cite, detector, pair, rx, whole

# A model's "thinking budget" (``budget_tokens``, ``thinking_budget``) caps reasoning tokens of one
# call; it is no spending budget, so names with thinking/reasoning are not evidence.
BUDGET = rx(
    r"(?i)\b(?!\w*(?:thinking|reasoning|budget_tokens))\w*budget\w*|\bmax_cost\w*|--max-cost|cost_limit"
    r"|spend_limit|max_spend|\bmax_usd\b|cost_cap"
)


@detector("COST-01")
def budget(ctx: Context) -> Finding:
    hits = ctx.repo.grep(
        BUDGET,
        [*ctx.repo.code, *ctx.config_text_files],
        needles=("budget", "max_cost", "max-cost", "cost_limit", "spend"),
        limit=3,
    )
    if hits:
        return Finding("pass", cite(hits, "budget / cost limit"))
    return Finding("manual", note="no budget in code or config; confirm it is defined elsewhere")


COST_CALC = rx(
    r"\bcost_usd\b|\btotal_cost\b|get_openai_callback|\bcost_per_\w+|\bprice_per_\w+|\bper_1m\b"
    r"|\b\w*tokens?_price\b|\bcurrent_cost\b|\badd_\w*cost\w*\("
)
TOKENS = rx(
    r"\b(?:input|output|prompt|completion|cached|total)_tokens\b|usage_metadata|\btokens_used\b"
    r"|\b(?:count|add)_\w*tokens\b"
)


@detector("COST-02")
def cost_per_call(ctx: Context) -> Finding:
    cost = ctx.repo.grep(
        COST_CALC,
        ctx.repo.code,
        needles=("cost_", "_cost", "openai_callback", "price_per_", "per_1m", "tokens_price", "token_price"),
        limit=2,
    )
    tokens = ctx.repo.grep(
        TOKENS, ctx.repo.code, needles=("_tokens", "usage_metadata", "tokens_used"), limit=2
    )
    found = pair(
        cite(cost, "cost computed"),
        cite(tokens, "token usage recorded"),
        no_first="tokens recorded but not priced",
        no_second="cost without tokens",
    )
    return found or Finding("fail", note="no per-call token or cost tracking")


RESPONSE_CACHE = rx(
    r"^\s*(?:import|from)\s+(?:diskcache|redis|cachetools|requests_cache|gptcache)\b|set_llm_cache\("
    r"|\b(?:SQLite|InMemory|Redis)Cache\("
)
MEMO_CACHE = rx(r"@(?:functools\.)?(?:lru_cache|cache)\b")


@detector("COST-03")
def caching(ctx: Context) -> Finding:
    hits = ctx.repo.grep(RESPONSE_CACHE, ctx.repo.code, needles=("cache", "redis"), limit=2)
    if hits:
        return Finding("pass", cite(hits, "response cache"))
    memo = ctx.repo.grep(MEMO_CACHE, ctx.repo.code, needles=("cache",), limit=2)
    if memo:
        return Finding(
            "partial", cite(memo, "in-process memoisation only"), note="no persistent LLM response cache"
        )
    return Finding("fail", note="no caching")


SMALL_MODEL = rx(
    r"(?i)gpt-4o-mini|gpt-4\.1-(?:mini|nano)|gpt-5-(?:mini|nano)|\bo[34]-mini|claude-[\w.-]*haiku"
    r"|gemini-[\w.-]*flash"
)
ROUTING = rx(  # choosing a model by task complexity; routing *messages* (route_model_output) is not it
    r"(?i)\b(?:select|choose|pick)_?model\b|\bmodel_?router\b|\broute_?to_?model\b|\b(?:simple|complex|cheap|small|large)_model\b"
    r"|\bmodel_for_\w+|\bcomplexity\w*"
)


@detector("COST-04")
def model_choice(ctx: Context) -> Finding:
    files = [*ctx.repo.code, *ctx.config_text_files]
    small = ctx.repo.grep(SMALL_MODEL, files, raw=True, needles=("mini", "nano", "haiku", "flash"), limit=2)
    routing = ctx.repo.grep(
        ROUTING,
        files,
        needles=(
            "select_model",
            "selectmodel",
            "choose_model",
            "pick_model",
            "model_router",
            "modelrouter",
            "route_to_model",
            "_model",
            "model_for_",
            "complexity",
        ),
        limit=2,
    )
    found = pair(
        cite(small, "small model configured"),
        cite(routing, "model routing by complexity"),
        no_first="no small model configured",
        no_second="no routing by complexity",
    )
    if found:
        return found
    if not ctx.uses_llm:
        return Finding("n/a", note="no LLM client")
    return Finding("fail", note="no small model or routing configured")


EVAL_LIBS = rx(
    r"^\s*(?:import|from)\s+(?:ragas|trulens\w*|deepeval|langsmith\.evaluation|openevals|agentevals)\b"
    r"|from langsmith import[^\n]*\b(?:a?evaluate|testing)\b|\bclient\.a?evaluate\(|promptfoo"
    r"|@pytest\.mark\.langsmith|from\s+['\"](?:langsmith/evaluation|langsmith/vitest|langsmith/jest|openevals|autoevals)['\"]"
)
EVAL_CODE = rx(r"def\s+\w*evaluat\w*\(|class\s+\w*(?:Evaluat|Scorer)\w*|def\s+run_eval\w*\(")
DATA_EXT = (".jsonl", ".json", ".csv", ".yaml", ".yml")


@detector("COG-04")
def automatic_evaluation(ctx: Context) -> Finding:
    """LangSmith/Ragas/TruLens evaluation, or an own harness over golden sets."""
    libs = ctx.repo.grep(  # evaluation code often lives under tests/ (LangSmith pytest/vitest)
        EVAL_LIBS,
        [*ctx.repo.code, *ctx.repo.tests, *ctx.config_text_files],
        needles=(
            "ragas",
            "trulens",
            "deepeval",
            "langsmith",
            "evaluate",
            "promptfoo",
            "openevals",
            "agentevals",
            "autoevals",
        ),
        limit=2,
    )
    if libs:
        return Finding("pass", cite(libs, "evaluation framework"))
    golden = [
        f
        for f in ctx.repo.files.values()
        if {"golden", "evals", "goldens"} & {p.lower() for p in f.parts[:-1]} and f.suffix in DATA_EXT
    ]
    harness = ctx.repo.grep(
        EVAL_CODE, [*ctx.repo.code, *ctx.repo.tests], needles=("evaluat", "scorer", "run_eval"), limit=2
    )
    found = pair(
        [whole(golden[0], f"{len(golden)} golden-set files")] if golden else [],
        cite(harness, "evaluation harness"),
        no_first="harness without data",
        no_second="golden sets without a harness",
        note="own evaluation harness over golden sets",
    )
    return found or Finding("fail", note="no automatic evaluation (LangSmith, Ragas, TruLens or golden sets)")


BIAS = rx(r"(?i)\bfairlearn\b|\bbias(?:es)?\b|\bsesgos?\b|\bfairness\b")


@detector("ETH-01")
def bias_evaluation(ctx: Context) -> Finding:
    files = [
        *ctx.repo.tests,
        *ctx.repo.code,
        *[
            f
            for f in ctx.repo.text_files()
            if not f.is_code and {"datasets", "golden", "evals"} & set(f.parts)
        ],
    ]
    hits = ctx.repo.grep(BIAS, files, needles=("fairlearn", "bias", "sesgo", "fairness"), limit=2, data=True)
    if hits:
        return Finding(
            "partial",
            cite(hits, "bias mentioned in tests/eval"),
            note="bias is considered; confirm sensitive topics are evaluated",
        )
    return Finding("manual", note="no bias evaluation found; confirm it in the answers file")


GROUNDING = rx(
    r"(?i)hallucinat\w*|grounding|grounded|verify_citations?|faithfulness|groundedness"
    r"|unverifi\w+"
)


@detector("ETH-03")
def anti_hallucination(ctx: Context) -> Finding:
    hits = ctx.repo.grep(
        GROUNDING,
        ctx.repo.code,
        needles=("hallucinat", "ground", "verify_cit", "faithful", "unverifi"),
        limit=3,
    )
    if hits:
        return Finding("pass", cite(hits, "grounding / citation check"))
    return Finding(
        "manual", note="no grounding or citation check found; confirm the anti-hallucination mechanism"
    )
