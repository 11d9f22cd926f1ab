# socialnb: the two commands are `make report` and `make test`; both set up what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.socialnb-installed
SAMPLE := data/fernway/brand.yaml
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: report test test-fast test-airflow lab sample ingest lint format clean-reports bench help

help:
	@echo "make report   ingest the sample brand and render its last complete month"
	@echo "make test     run the whole test suite"
	@echo "make test-fast  the suite without the tests marked slow (the edit loop)"
	@echo "make test-airflow  run examples/airflow_dag.py under a real Airflow 3 (own env)"
	@echo "make lab      open JupyterLab on notebooks/ (ARGS=\"--port 8890\" passed on)"
	@echo "make lint     ruff check and format check"
	@echo "make bench    run the benchmarks (see BENCHMARKS.md)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "socialnb needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 2; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@# first-run costs paid at install: socialnb's bytecode, matplotlib's font cache, the stack's imports
	$(BIN)/python -m compileall -q socialnb
	MPLBACKEND=Agg $(BIN)/python -c 'import matplotlib.pyplot, seaborn, statsmodels.api, scipy.stats, socialnb.report'
	@touch $@

$(SAMPLE): | $(STAMP)
	$(BIN)/socialnb sample

sample: $(STAMP) $(SAMPLE)

ingest: sample
	$(BIN)/socialnb ingest

report: sample
	$(BIN)/socialnb ingest --quiet
	$(BIN)/socialnb report --brand fernway --month $$($(BIN)/python -c 'from socialnb.sample import LAST_COMPLETE_MONTH; print(LAST_COMPLETE_MONTH)')

# The notebooks run under nbval against the sample brand's warehouse (data/warehouse.duckdb).
test: sample
	$(BIN)/socialnb ingest --quiet
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax --doctest-modules tests notebooks socialnb

# The edit loop: everything but the tests marked slow (simulations, end-to-end reports, browser);
# `make test` stays the whole suite.
test-fast: sample
	$(BIN)/socialnb ingest --quiet
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --doctest-modules -m "not slow" tests socialnb

# examples/airflow_dag.py under a real Airflow 3, in its own environment (.venv-airflow), built
# from examples/airflow-constraints.txt and rebuilt only when that file or pyproject.toml changes.
AF_VENV := .venv-airflow
AF_CONSTRAINTS := examples/airflow-constraints.txt
AF_STAMP := $(AF_VENV)/.installed-$(shell cat $(AF_CONSTRAINTS) pyproject.toml 2>/dev/null | sha256sum | cut -c1-16)

$(AF_STAMP):
	rm -rf $(AF_VENV)
	$(PYTHON) -m venv $(AF_VENV)
	$(AF_VENV)/bin/python -m pip install -qq --upgrade pip
	$(AF_VENV)/bin/python -m pip install -qq -c $(AF_CONSTRAINTS) apache-airflow apache-airflow-providers-papermill -e .
	@touch $@

test-airflow: $(AF_STAMP)
	$(AF_VENV)/bin/python examples/airflow_test.py

# make lab ARGS="--port 8890 --no-browser": ARGS go to jupyter lab; as root (a container) it
# adds --allow-root, which jupyter refuses to start without
LAB_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
lab: sample
	@test -x $(BIN)/jupyter-lab || $(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/socialnb ingest --quiet
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ROOT) $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: sample
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/report.py

clean-reports:
	rm -rf reports/*/
