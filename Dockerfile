# agentops CLI image. Pinned base image; no secrets baked in (pass OPENAI_API_KEY at run time).
# Note: this project's CI machines have no container engine, so this file is not built in CI.
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=0 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    AGENTOPS_HOME=/data/home \
    AGENTOPS_CACHE_DIR=/data/cache

WORKDIR /app
COPY pyproject.toml setup.py README.md config.example.yaml ./
COPY src ./src
COPY prompts ./prompts
COPY datasets ./datasets
RUN pip install . && python -m compileall -q /usr/local/lib/python3.11/site-packages/agentops_cli

RUN useradd --create-home --uid 10001 agentops && mkdir -p /data && chown agentops /data
USER agentops
WORKDIR /work
ENTRYPOINT ["agentops"]
CMD ["--help"]
