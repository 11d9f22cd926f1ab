# socialnb: the two commands are `make report` and `make test`; both set up what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.socialnb-installed
SAMPLE := data/fernway/brand.yaml
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: report test lab sample ingest lint format clean-reports bench help

help:
	@echo "make report   ingest the sample brand and render its last complete month"
	@echo "make test     run the whole test suite"
	@echo "make lab      open JupyterLab on notebooks/"
	@echo "make lint     ruff check and format check"
	@echo "make bench    run the benchmarks (see BENCHMARKS.md)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "socialnb needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 2; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
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
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax tests notebooks

lab: sample
	$(BIN)/socialnb ingest --quiet
	$(BIN)/jupyter lab --notebook-dir=notebooks

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
