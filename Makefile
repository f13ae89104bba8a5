# The two commands: `make run` serves the product, `make test` passes the tests.
# Both create .venv and install from scratch on a machine with only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install clean bench

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/cxledger serve

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/append.py
	$(BIN)/python benchmarks/survey_responses.py
	$(BIN)/python benchmarks/dashboard_query.py
	$(BIN)/python benchmarks/erasure.py
	$(BIN)/python -m benchmarks.reset_timing
	$(BIN)/python -m benchmarks.registration_timing
	$(BIN)/python -m benchmarks.session_check
	$(BIN)/python -m benchmarks.login_memory
	$(BIN)/python -m benchmarks.rebuild

clean:
	rm -rf $(VENV)
