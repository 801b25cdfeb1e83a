# `make help` lists the targets. Every target bootstraps .venv from the hashed lock on first use;
# only Python 3.11+ is needed. The CLI is then .venv/bin/cleaner (or `source .venv/bin/activate`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pip-compile flags shared by both locks; `make lock LOCK_ARGS=--upgrade` moves every pin to the newest release.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --no-header $(LOCK_ARGS)

.PHONY: help run test lint lock bench bench-fetch bench-folder bench-import activate clean-out

help:  ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@# The pip Python bundles (23.2 with 3.11) trips over normalised extras in hash mode; the lock
	@# then pins the pip it was made with.
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)  ## clean the bundled seeds/ into out/articles.jsonl
	$(BIN)/cleaner clean seeds -o out --format jsonl
	@echo "The CLI: $(BIN)/cleaner, or run 'source $(BIN)/activate' to put cleaner on PATH."

activate:  ## print the line that puts cleaner on PATH in this shell
	@echo "source $(BIN)/activate"

test: $(STAMP)  ## ruff, mypy --strict and the test suite (what CI runs)
	$(BIN)/ruff check cleaner tests bench
	$(BIN)/ruff format --check cleaner tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff and mypy --strict (its settings: pyproject.toml [tool.mypy])
	$(BIN)/ruff check cleaner tests bench
	$(BIN)/ruff format --check cleaner tests bench
	$(BIN)/mypy

# The dev lock is constrained by the runtime lock, so the two never pin a package differently.
lock: $(STAMP)  ## regenerate requirements.lock and requirements-dev.lock (with hashes) from pyproject.toml
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements.lock -o requirements-dev.lock pyproject.toml

bench: $(STAMP)  ## the article-body benchmark (../shared/benchmarks/aeb-dev and wcxb-dev-article)
	$(BIN)/python bench/aeb.py

bench-fetch: $(STAMP)  ## fetch throughput against a local server
	$(BIN)/python bench/fetch_bench.py

bench-folder: $(STAMP)  ## clean at 1 and 2 workers vs trafilatura --parallel 2 on a 20,000-doc folder (in /tmp)
	$(BIN)/python bench/folder_bench.py

bench-import: $(STAMP)  ## time `import cleaner` (add BASELINE=DIR to compare with another tree)
	$(BIN)/python bench/import_time.py $(if $(BASELINE),--baseline $(BASELINE))

clean-out:  ## remove out/
	rm -rf out
