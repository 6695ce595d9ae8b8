# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test fuzz lint check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## Start the app on the bundled scripts (pass options as ARGS="--kiosk").
run: $(STAMP)
	$(BIN)/sobesednik $(ARGS)

## Lint, the import contracts, types, the bundled scripts, then the test suite.
test: $(STAMP)
	$(BIN)/ruff check tui tests bench tools
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/sobesednik check
	$(BIN)/pytest -q -n auto

## The fuzz suite with many more examples and random keys (minutes; not part of `make test`).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=deep SOBESEDNIK_FUZZ_KEYS=10000 $(BIN)/pytest -q tests/fuzz

check: $(STAMP)
	$(BIN)/sobesednik check

bench: $(STAMP)
	$(BIN)/python bench/replay.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/store.py
	$(BIN)/python bench/reclassify.py --n 10000
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/calls.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
