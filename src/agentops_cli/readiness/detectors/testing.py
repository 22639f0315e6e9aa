"""Detectors for "Pruebas", end-to-end flows and load tests.

checklist: skip-file (the patterns below name the practices; they are not evidence of them)
"""

from __future__ import annotations

import re

from agentops_cli.readiness.detectors.base import Context, Finding, cite, detector, imports, pair, rx, whole
from agentops_cli.readiness.models import Evidence

PYTEST_CONFIG = rx(r"^\[tool\.pytest|^\[pytest\]|^\[tool:pytest\]|\"(?:jest|vitest)\"\s*:")


def _test_config(ctx: Context) -> list[Evidence]:
    files = ctx.repo.named("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini", "package.json")
    evidence = cite(ctx.repo.grep(PYTEST_CONFIG, files, limit=1), "test runner configured")
    evidence += [
        whole(f, "test runner config")
        for f in ctx.repo.named("conftest.py", "jest.config.js", "vitest.config.ts")[:1]
    ]
    return evidence


TEST_CASE = rx(r"^\s*(?:async\s+)?def\s+test_|^\s*class\s+Test|\b(?:it|test)\(\s*['\"`]|@Test\b|func\s+Test")


@detector("TST-01", version=2)
def unit_tests(ctx: Context) -> Finding:
    """Test cases (``def test_…``, ``it(…)``/``test(…)``) counted, not files: at least one test
    case per source module and roughly one test file per 4 modules passes; fewer is ``partial``
    (two smoke tests for a whole package are a start, not a unit-test suite)."""
    counted = [(f, sum(1 for _ in ctx.repo.matches(TEST_CASE, f, ("test", "it(")))) for f in ctx.repo.tests]
    tests = [f for f, cases in counted if cases]  # not helpers, data, __init__
    cases = sum(n for _, n in counted)
    code = [f for f in ctx.repo.code if (f.text or "").count("\n") >= 3]
    if not tests:
        return Finding("fail", note="no test files found")
    ratio = len(tests) / max(len(code), 1)
    per_module = cases / max(len(code), 1)
    evidence = [
        Evidence(
            path=tests[0].path, note=f"{cases} test cases in {len(tests)} files for {len(code)} source files"
        )
    ]
    evidence += _test_config(ctx)
    note = f"{per_module:.1f} test cases per source module, {ratio:.2f} test files per module"
    if ratio >= 0.25 and per_module >= 1:
        return Finding("pass", evidence, note=note)
    return Finding("partial", evidence, note=f"thin: {note}")


FAIL_UNDER = rx(
    r"^\s*fail_under\s*=\s*([\d.]+)|--cov-fail-under[= ]([\d.]+)"
    r"|coverage report[^\n]*--fail-under[= ]([\d.]+)"
)
JEST_THRESHOLD = rx(r"coverageThreshold[\s\S]{0,200}?\"(?:lines|statements)\"\s*:\s*([\d.]+)")


@detector("TST-02")
def coverage_threshold(ctx: Context) -> Finding:
    """The strictest coverage gate in config, Makefile or CI: ≥95 % passes, ≥80 % is partial."""
    files = [
        *ctx.repo.named(
            ".coveragerc",
            "pyproject.toml",
            "setup.cfg",
            "tox.ini",
            "Makefile",
            "noxfile.py",
            "package.json",
            "jest.config.js",
        ),
        *ctx.ci_files,
    ]
    hits = ctx.repo.grep(FAIL_UNDER, files, needles=("fail_under", "fail-under"), per_file=5)
    hits += ctx.repo.grep(JEST_THRESHOLD, files, needles=("coveragethreshold",))
    values: list[tuple[float, Evidence]] = []
    for hit in hits:
        match = FAIL_UNDER.search(hit.match) or JEST_THRESHOLD.search(hit.match)
        number = next(g for g in match.groups() if g) if match else "0"
        values.append(
            (float(number), Evidence(path=hit.file.path, line=hit.line, note=f"coverage gate {number} %"))
        )
    if not values:
        return Finding("fail", note="no coverage threshold (fail_under) configured")
    best, _ = max(values, key=lambda v: v[0])
    evidence = [ev for _, ev in sorted(values, key=lambda v: -v[0])]
    if best >= 95:
        return Finding("pass", evidence, note=f"coverage gate {best:g} %")
    if best >= 80:
        return Finding("partial", evidence, note=f"coverage gate {best:g} % (the seeds ask for 95 %)")
    return Finding("fail", evidence, note=f"coverage gate {best:g} % is under 80 %")


def _tests_mention(ctx: Context, pattern: re.Pattern[str], needles: tuple[str, ...], what: str) -> Finding:
    hits = ctx.repo.grep(pattern, ctx.repo.tests, needles=needles, limit=4)
    if hits:
        return Finding("pass", cite(hits, f"test of {what}"))
    return Finding("fail", note=f"no test exercises {what}")


@detector("TST-03")
def timeout_tests(ctx: Context) -> Finding:
    return _tests_mention(
        ctx,
        rx(r"(?i)time[ds]?[_ ]?out|\bhangs?\b|\bhang_"),
        ("timeout", "timed", "times", "hang", "time_out"),
        "timeouts",
    )


@detector("TST-04")
def http_5xx_tests(ctx: Context) -> Finding:
    pattern = rx(
        r"(?i)status(?:_code)?\s*[=:]\s*50[0-4]\b|\b5xx\b|InternalServerError|ServiceUnavailable"
        r"|HTTPStatusError|APIStatusError|\b50[0-4]\b[^\n]{0,40}(?:error|status|server)"
    )
    return _tests_mention(
        ctx, pattern, ("50", "5xx", "servererror", "unavailable", "statuserror"), "HTTP 5xx errors"
    )


@detector("TST-05")
def malformed_data_tests(ctx: Context) -> Finding:
    pattern = rx(
        r"(?i)malformed|invalid json|bad json|JSONDecodeError|ValidationError|truncat|incomplete"
        r"|missing (?:field|key)|corrupt|raises\(\s*(?:ValueError|ValidationError|BadInput)"
    )
    return _tests_mention(
        ctx,
        pattern,
        ("malformed", "json", "validation", "truncat", "incomplete", "missing", "corrupt", "raises"),
        "malformed or incomplete data",
    )


OUTPUT_VALIDATION = rx(
    r"with_structured_output\(|PydanticOutputParser|model_validate_json\(|model_validate\("
    r"|parse_raw\(|parse_obj\(|TypeAdapter\(|\bcerberus\b|jsonschema\.validate|\bz\.object\("
)


@detector("TST-06")
def response_validation(ctx: Context) -> Finding:
    """LLM/API responses are parsed into schemas (pydantic, cerberus, jsonschema, zod)."""
    hits = ctx.repo.grep(
        OUTPUT_VALIDATION,
        ctx.repo.code,
        needles=(
            "structured_output",
            "outputparser",
            "model_validate",
            "parse_",
            "typeadapter",
            "cerberus",
            "jsonschema",
            "z.object",
        ),
        limit=4,
    )
    if hits:
        return Finding("pass", cite(hits, "response validated against a schema"))
    models = ctx.repo.grep(rx(r"\(\s*BaseModel\s*\)"), ctx.repo.code, needles=("basemodel",), limit=2)
    if models:
        return Finding(
            "partial",
            cite(models, "pydantic model (not seen validating responses)"),
            note="models defined, but no response is validated with them",
        )
    return Finding("fail", note="no response format validation (pydantic/cerberus) found")


FIXTURES = rx(r"@pytest\.fixture|\bmonkeypatch\b|unittest\.mock|MagicMock|jest\.mock|\bvi\.mock")
HTTP_MOCK = rx(
    r"pytest_httpx|httpx_mock|\brespx|import responses|@responses\.activate|requests_mock"
    r"|aioresponses|\bnock\b|\bmsw\b|\bvcr\b|HTTPServer|ThreadingHTTPServer|[Ff]ake\w*[Ss]erver"
)


@detector("TST-07")
def mocks_and_fixtures(ctx: Context) -> Finding:
    """Fixtures plus an HTTP mock or local fake server, so tests never reach the network."""
    fixtures = ctx.repo.grep(FIXTURES, ctx.repo.tests, needles=("fixture", "monkeypatch", "mock"), limit=2)
    http = ctx.repo.grep(
        HTTP_MOCK,
        ctx.repo.tests,
        needles=(
            "httpx",
            "respx",
            "responses",
            "requests_mock",
            "aioresponses",
            "nock",
            "msw",
            "vcr",
            "server",
        ),
        limit=2,
    )
    cassettes = [  # recorded HTTP (vcrpy, LangSmith test cache, nock back): replayed, never live
        whole(f, "recorded HTTP cassette")
        for f in ctx.repo.files.values()
        if "cassettes" in f.parts[:-1] and f.suffix in (".yaml", ".yml", ".json")
    ][:1]
    found = pair(
        cite(fixtures, "fixture/mock"),
        cite(http, "HTTP mock or fake server") + cassettes,
        no_first="HTTP mock only",
        no_second="fixtures but no HTTP mock",
    )
    return found or Finding("fail", note="no fixtures or mocks in the tests")


E2E_DIRS = {
    "integration",
    "integration_tests",
    "integration-tests",
    "e2e",
    "e2e_tests",
    "end_to_end",
    "functional",
    "acceptance",
    "system",
}
E2E_CALL = rx(
    r"subprocess\.run\(|CliRunner\(|TestClient\(|AsyncClient\(|playwright|selenium|supertest|run_cli\("
)


def _e2e(ctx: Context) -> list[Evidence]:
    in_dirs = [
        f for f in ctx.repo.tests if E2E_DIRS & set(f.parts[:-1]) or ".e2e." in f.name or ".int." in f.name
    ]
    evidence = [whole(in_dirs[0], f"{len(in_dirs)} end-to-end/integration test files")] if in_dirs else []
    hits = ctx.repo.grep(
        E2E_CALL,
        ctx.repo.tests,
        needles=(
            "subprocess",
            "clirunner",
            "testclient",
            "asyncclient",
            "playwright",
            "selenium",
            "supertest",
            "run_cli",
        ),
        limit=2,
    )
    return evidence + cite(hits, "drives the real entry point")


@detector("TST-08")
def end_to_end_tests(ctx: Context) -> Finding:
    evidence = _e2e(ctx)
    if evidence:
        return Finding("pass", evidence)
    return Finding("fail", note="no integration/end-to-end tests found")


@detector("FUN-01")
def main_flows_work(ctx: Context) -> Finding:
    """Files cannot prove flows work; end-to-end tests are the evidence a person confirms."""
    if not ctx.repo.tests:
        return Finding("fail", note="no tests at all")
    evidence = _e2e(ctx)
    if evidence:
        return Finding("partial", evidence, note="end-to-end tests exist; confirm every main flow is covered")
    return Finding("manual", note="no end-to-end tests; confirm the main flows by hand")


LOAD_LIBS = imports("locust", "k6", "k6/http")
CONCURRENT = rx(r"asyncio\.gather|ThreadPoolExecutor|ProcessPoolExecutor|\bconcurren|Semaphore\(")
BENCH_DIRS = {"bench", "benchmarks", "benchmark", "load", "loadtest", "load_tests", "perf", "performance"}


LOAD_RESULT_NAMES = rx(
    r"(?i)(?:_stats\.csv|_stats_history\.csv|summary\.json|load\w*\.(?:json|csv|html)|k6\w*\.json)$", 0
)
LOAD_RESULT_TEXT = rx(r"(?i)\b(?:concurren\w*|throughput|rps|requests?/s|req/s|p9[59])\b")


def _load_results(ctx: Context) -> list[Evidence]:
    """Measured load: results of a run committed (locust ``*_stats.csv``, k6 summary, bench JSON
    with concurrency/throughput figures), or a benchmarks page that reports them."""
    found = []
    for file in ctx.repo.files.values():
        in_results = {"results", "reports", "bench", "benchmarks", "load", "perf"} & {
            p.lower() for p in file.parts[:-1]
        }
        if (
            in_results
            and file.suffix in (".json", ".csv", ".html")
            and file.text
            and LOAD_RESULT_TEXT.search(file.text[:20000])
        ) or (LOAD_RESULT_NAMES.search(file.name) and in_results):
            found.append(whole(file, "measured load results"))
    pages = [
        f
        for f in ctx.repo.docs
        if "bench" in f.name.lower() or "perf" in f.name.lower() or "load" in f.name.lower()
    ]
    found += cite(
        ctx.repo.grep(
            LOAD_RESULT_TEXT, pages, needles=("concurren", "throughput", "rps", "/s", "p95", "p99"), limit=1
        ),
        "load figures reported",
    )
    return found[:2]


@detector("PERF-03", version=2, confidence="medium")
def load_tests(ctx: Context) -> Finding:
    """ "Concurrencia sin degradación" needs a *measurement*: a load script (locust, artillery, k6,
    concurrent benchmark) plus its results (committed results or a benchmarks page). A script
    alone is ``partial``: it shows the test can be run, not that nothing degrades."""
    evidence = [whole(f, "locust file") for f in ctx.repo.files.values() if f.name.startswith("locustfile")][
        :1
    ]
    evidence += [
        whole(f, "artillery scenario")
        for f in ctx.repo.files.values()
        if "artillery" in f.name.lower() and f.suffix in (".yml", ".yaml", ".json")
    ][:1]
    scripts = [f for f in ctx.repo.text_files() if f.is_code]
    evidence += cite(
        ctx.repo.grep(LOAD_LIBS, scripts, needles=("locust", "k6"), limit=2), "load-test library"
    )
    bench = [f for f in scripts if BENCH_DIRS & {p.lower() for p in f.parts[:-1]}]
    concurrent = ctx.repo.grep(
        CONCURRENT, bench, needles=("gather", "executor", "concurren", "semaphore"), limit=2
    )
    evidence += cite(concurrent, "concurrent benchmark")
    results = _load_results(ctx)
    if evidence and results:
        return Finding("pass", evidence + results)
    if evidence:
        return Finding("partial", evidence, note="a load test can be run, but no measured result is recorded")
    if bench:
        return Finding(
            "partial",
            [whole(bench[0], "benchmark without concurrency")],
            note="benchmarks exist but none loads the system concurrently",
        )
    return Finding("fail", note="no load-test script (locust, artillery, k6, asyncio benchmark)")
