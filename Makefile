# Two entry points a new user needs: `make run` and `make test` (each sets up .venv first).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench venv

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

venv: $(STAMP)

run:
	packaging/system-deps.sh run
	$(MAKE) --no-print-directory venv
	$(VENV)/bin/intake-desktop

test:
	packaging/system-deps.sh test
	$(MAKE) --no-print-directory venv
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q
	$(VENV)/bin/ruff check intake_desktop tests bench
	$(VENV)/bin/mypy

lint: venv
	$(VENV)/bin/ruff check intake_desktop tests bench
	$(VENV)/bin/mypy

bench: venv
	for b in bench/bench_*.py; do $(PY) $$b || exit 1; done
