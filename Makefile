# agentops — every target sets up .venv when it is missing or out of date, then runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean setup dev dist

setup: $(STAMP)

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/agentops run support "I was charged twice for my order"

dev: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -q -x -p no:cacheprovider tests/unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/bandit -q -r src -ll

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/bandit -q -r src -ll
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile \
		--cov=agentops_cli --cov-report=term --cov-fail-under=95

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

dist: $(STAMP)
	$(BIN)/python scripts/build_dist.py

clean:
	rm -rf $(VENV) .pytest_cache .coverage .coverage.* build dist src/*.egg-info
