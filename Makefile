# Two entry points: `make run` cleans the bundled seeds, `make test` runs the test suite.
# Both bootstrap .venv from the pinned lock file on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-fetch clean-out

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/cleaner clean seeds -o out --format jsonl

test: $(STAMP)
	$(BIN)/ruff check cleaner tests bench
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check cleaner tests bench

bench: $(STAMP)
	$(BIN)/python bench/aeb.py

bench-fetch: $(STAMP)
	$(BIN)/python bench/fetch_bench.py

clean-out:
	rm -rf out
