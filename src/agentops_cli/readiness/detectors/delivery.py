"""Detectors for "Despliegue", "Arquitectura" and "Interoperabilidad".

checklist: skip-file (the patterns below name the practices; they are not evidence of them)
"""

from __future__ import annotations

import re

from agentops_cli.readiness.detectors.base import Context, Finding, cite, detector, pair, rx, whole
from agentops_cli.readiness.models import Evidence

FROM = rx(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.MULTILINE | re.IGNORECASE)


@detector("DEP-01")
def dockerfile(ctx: Context) -> Finding:
    """A Dockerfile whose base images are pinned: by digest (pass) or exact tag (partial)."""
    if not ctx.dockerfiles:
        return Finding("fail", note="no Dockerfile")
    evidence: list[Evidence] = []
    worst = "pass"
    for docker in ctx.dockerfiles:
        stages: set[str] = set()
        for match in FROM.finditer(docker.text or ""):
            image, alias = match.group(1), match.group(2)
            line = docker.line_at(match.start())
            if alias:
                stages.add(alias.lower())
            if image.lower() in stages or image == "scratch":
                continue
            name, _, tag = image.rpartition("/")[2].partition(":")
            if "@sha256:" in image:
                evidence.append(Evidence(path=docker.path, line=line, note=f"{name} pinned by digest"))
            elif tag and tag != "latest" and "$" not in tag:
                evidence.append(
                    Evidence(path=docker.path, line=line, note=f"{image} pinned by tag, not digest")
                )
                worst = "partial" if worst == "pass" else worst
            else:
                evidence.append(Evidence(path=docker.path, line=line, note=f"{image} is not pinned"))
                worst = "fail"
    if not evidence:
        return Finding(
            "fail", [whole(ctx.dockerfiles[0], "no FROM line")], note="Dockerfile without a base image"
        )
    return Finding(worst, evidence)


CI_TESTS = rx(
    r"\bpytest\b|make (?:test|check|ci)\b|npm (?:run )?test|\btox\b|\bnox\b|go test|mvn |gradle|cargo test"
    r"|\.ci/run|yarn (?:run )?test|pnpm (?:run )?test|\bvitest\b|\bjest\b|unittest|bun test"
)
INSTALL = rx(
    r"^\s*(?:uv\s+)?pip3?\s+install|^\s*(?:npm|yarn|pnpm)\s+(?:install|add|ci)\b|^\s*poetry\s+(?:install|add)"
)
CD_STEPS = rx(
    r"(?i)\bdeploy\b|docker push|build-push-action|gh-action-pypi-publish|twine upload|npm publish"
    r"|pnpm publish|poetry publish|uv publish|flit publish|kubectl (?:apply|rollout|set image)"
    r"|helm (?:upgrade|install)"
    r"|\bfly deploy|gcloud (?:run|app) deploy|vercel\b.*--prod|netlify deploy|aws (?:ecs|lambda|s3 sync)"
    r"|serverless deploy|langgraph (?:deploy|up)|railway up|azure/webapps-deploy|appleboy/ssh-action"
    r"|release-please|semantic-release|softprops/action-gh-release|goreleaser"
)


@detector("DEP-02", version=2, confidence="high", langs=None)
def ci_pipeline(ctx: Context) -> Finding:
    """CI/CD automated (the seed's "CI/CD automatizado"): a CI step *runs* the tests and a step
    delivers (deploy, image push, package publish, release). Pipelines are parsed as YAML, so a
    commented-out ``# - run: pytest`` is not a test run. Tests only, or delivery only: partial."""
    from agentops_cli.readiness.workflows import matching_steps

    if not ctx.ci_files:
        return Finding("fail", note="no CI configuration (.github/workflows, .gitlab-ci.yml, ...)")
    runs = matching_steps(ctx.pipelines, CI_TESTS, limit=20)
    tests = [s for s in runs if not INSTALL.search(s.text)][:2]  # installing pytest runs no test
    delivery = matching_steps(ctx.pipelines, CD_STEPS, limit=2)
    evidence = [
        Evidence(path=s.file.path, line=s.line, note=f"CI runs the tests: {s.text.strip()[:50]}")
        for s in tests
    ]
    evidence += [
        Evidence(path=s.file.path, line=s.line, note=f"CD step: {s.text.strip()[:50]}") for s in delivery
    ]
    if tests and delivery:
        return Finding("pass", evidence)
    if tests:
        return Finding(
            "partial", evidence, note="CI runs the tests, but nothing deploys or publishes (no CD)"
        )
    if delivery:
        return Finding("partial", evidence, note="a pipeline delivers, but no CI step runs the tests")
    return Finding("partial", [whole(ctx.ci_files[0], "CI config")], note="CI does not run the tests")


SEMVER = rx(r"^v?\d+\.\d+(?:\.\d+)?(?:[-+][\w.]+)?$", 0)  # v0.1 is a release tag too
DECLARED_VERSION = rx(
    r"""^\s*["']?version["']?\s*[:=]\s*["'](\d+\.\d+\.\d+[\w.+-]*)["']|__version__\s*=\s*["'](\d+\.\d+\.\d+)"""
)


@detector("DEP-03")
def versioning(ctx: Context) -> Finding:
    """Semver release tags in .git (pass) or a semver version declared without tags (partial)."""
    tags = [t for t in ctx.repo.git.tags if SEMVER.match(t.rpartition("/")[2])]
    files = [
        *ctx.repo.named("pyproject.toml", "package.json", "setup.py", "setup.cfg", "Cargo.toml"),
        *[f for f in ctx.repo.python if f.name in ("__init__.py", "_version.py", "version.py")],
    ]
    declared = ctx.repo.grep(DECLARED_VERSION, files, needles=("version",), limit=1)
    evidence = cite(declared, lambda h: f"version declared: {h.match.split('=')[-1].split(':')[-1].strip()}")
    if tags:
        return Finding(
            "pass", [Evidence(path=".git/refs/tags", note=f"semver tags: {', '.join(tags[-3:])}"), *evidence]
        )
    if declared:
        return Finding("partial", evidence, note="semver version declared but no git tag")
    return Finding("fail", note="no version and no git tag")


ROLLBACK_DOC = rx(r"(?i)\brollback\b|\broll back\b|revert to (?:a |the )?previous")


@detector("DEP-04")
def rollback(ctx: Context) -> Finding:
    docs = ctx.repo.grep(ROLLBACK_DOC, [*ctx.repo.docs, *ctx.ci_files], needles=("roll", "revert"), limit=2)
    tags = [t for t in ctx.repo.git.tags if SEMVER.match(t.rpartition("/")[2])]
    found = pair(
        cite(docs, "rollback documented"),
        [Evidence(path=".git/refs/tags", note=f"{len(tags)} release tags to roll back to")] if tags else [],
        no_first="rollback procedure not documented",
        no_second="no release tags",
    )
    return found or Finding("fail", note="no release tags and no rollback procedure")


C4 = rx(
    r"C4(?:Context|Container|Component|Deployment)\b|!include[^\n]*C4|\bworkspace\s*\{|C4 model|diagrama C4"
)
ARCH_HEADING = rx(r"(?im)^#{1,3}\s+(?:architecture|arquitectura|layout|design|diseño)\b")


@detector("ARC-01")
def c4_diagram(ctx: Context) -> Finding:
    hits = ctx.repo.grep(C4, ctx.repo.docs, needles=("c4", "workspace"), limit=2)
    if hits:
        return Finding("pass", cite(hits, "C4 diagram"))
    arch = [f for f in ctx.repo.docs if re.search(r"(?i)architecture|design|arquitectura", f.name)]
    heading = ctx.repo.grep(
        ARCH_HEADING,
        ctx.repo.docs,
        needles=("architecture", "arquitectura", "layout", "design", "diseño"),
        limit=2,
    )
    evidence = [whole(f, "architecture document") for f in arch[:2]] + cite(heading, "architecture section")
    if evidence:
        return Finding(
            "partial", evidence, note="architecture described, but no C4 container/component diagram"
        )
    return Finding("fail", note="no C4 diagram or architecture document")


@detector("ARC-02")
def module_docs(ctx: Context) -> Finding:
    readme = next(
        (f for f in ctx.repo.files.values() if "/" not in f.path and f.name.lower().startswith("readme")),
        None,
    )
    docs = [
        f
        for f in ctx.repo.docs
        if f.parts[0] in ("docs", "doc") or re.search(r"(?i)architecture|design", f.name)
    ]
    evidence = [whole(readme, f"README, {(readme.text or '').count(chr(10))} lines")] if readme else []
    evidence += [whole(f, "documentation page") for f in docs[:2]]
    if readme and docs and (readme.text or "").count("\n") >= 20:
        return Finding("pass", evidence)
    if readme or docs:
        return Finding("partial", evidence, note="documentation is thin (README only or no README)")
    return Finding("fail", note="no README or docs/")


DEV_TARGET = rx(r"^dev\s*:|^start\s*:|\"dev\"\s*:|^dev\s*$")
OTHER_TARGET = rx(r"^(?:run|setup|install|serve|up)\s*:")


@detector("ARC-03")
def dev_script(ctx: Context) -> Finding:
    scripts = [
        f
        for f in ctx.repo.files.values()
        if f.name
        in (
            "start.sh",
            "dev.sh",
            "run.sh",
            "dev.env",
            "Procfile",
            "docker-compose.yml",
            "compose.yaml",
            "docker-compose.yaml",
            "Tiltfile",
        )
        or (f.parts[0] == "scripts" and f.name.startswith(("dev", "start")))
    ]
    tasks = ctx.repo.named("Makefile", "justfile", "package.json", "Taskfile.yml")
    dev = ctx.repo.grep(DEV_TARGET, tasks, limit=1)
    evidence = [whole(f, "start/dev script") for f in scripts[:2]] + cite(dev, "dev target")
    if evidence:
        return Finding("pass", evidence)
    other = ctx.repo.grep(OTHER_TARGET, tasks, limit=2)
    if other:
        return Finding(
            "partial", cite(other, "task target"), note="no `dev` target or start.sh; other targets exist"
        )
    return Finding("fail", note="no make dev / start.sh")


MCP = rx(
    r"^\s*(?:import|from)\s+(?:mcp|fastmcp|langchain_mcp_adapters)\b|@modelcontextprotocol/sdk|FastMCP\("
    r"|\"mcpServers\""
)
A2A = rx(
    r"^\s*(?:import|from)\s+(?:a2a|python_a2a)\b|@a2a-js/sdk|\bAgentCard\b|\.well-known/agent(?:-card)?\.json"
)


@detector("INT-01")
def mcp(ctx: Context) -> Finding:
    hits = ctx.repo.grep(MCP, [*ctx.repo.code, *ctx.config_text_files], needles=("mcp",), limit=2)
    if hits:
        return Finding("pass", cite(hits, "MCP integration"))
    return Finding("fail", note="no MCP server or client")


@detector("INT-02")
def a2a(ctx: Context) -> Finding:
    hits = ctx.repo.grep(
        A2A, [*ctx.repo.code, *ctx.config_text_files], needles=("a2a", "agentcard", "well-known"), limit=2
    )
    cards = [
        whole(f, "A2A agent card")
        for f in ctx.repo.files.values()
        if f.path.endswith(".well-known/agent.json")
    ]
    if hits or cards:
        return Finding("pass", cards + cite(hits, "A2A integration"))
    return Finding("fail", note="no A2A agent card or client")


STATE = rx(r"\bStateGraph\(|class\s+\w*State\((?:TypedDict|BaseModel)\)|\bTypedDict\b")


@detector("INT-03")
def shared_state(ctx: Context) -> Finding:
    hits = ctx.repo.grep(STATE, ctx.repo.code, needles=("state", "typeddict"), limit=3)
    if hits:
        return Finding("pass", cite(hits, "typed shared state"))
    if not ctx.uses_llm:
        return Finding("n/a", note="no agent code")
    return Finding("manual", note="no typed shared state found; confirm how agents share context")
