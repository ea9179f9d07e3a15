# Two entry points a new user needs: `make run` and `make test` (each sets up .venv first).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench venv bundle

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

# The desktop bundle: dist/intake-desktop/ (one folder, no Python needed beside it) with
# share/ holding the .desktop entry, icons and AppStream metadata. See packaging/README.md.
bundle: venv
	$(PY) -m pip install --quiet 'pyinstaller>=6.3'
	QT_QPA_PLATFORM=offscreen $(PY) packaging/make_icons.py build/icons
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/intake-desktop.spec
	packaging/bundle-share.sh dist/intake-desktop build/icons
