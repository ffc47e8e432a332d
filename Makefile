# Two entry points for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TS     := resources/i18n/tianshu_zh_CN.ts
TS_ALL := $(wildcard resources/i18n/*.ts)
QM_ALL := $(TS_ALL:.ts=.qm)
export QT_QPA_PLATFORM ?= offscreen

PACKAGES := scripts/system-packages

.PHONY: run test setup system-run system-test lint types contracts pytest translations clean

# The system packages first: a bare Debian has no python3-venv, and Qt's xcb platform would abort.
run: system-run setup
	QT_QPA_PLATFORM= $(BIN)/python main.py $(ARGS)

test: system-test setup lint contracts types pytest

# As root: install what scripts/system-packages.txt lists and is missing. Otherwise `make run` stops
# with the one apt-get line to run, and `make test` says it and goes on (tests that need a missing
# tool skip, except in CI).
system-run:
	@$(PACKAGES) run

system-test:
	@if [ "$$(id -u)" = 0 ]; then $(PACKAGES) test; else $(PACKAGES) --warn test; fi

setup: $(STAMP) $(QM_ALL)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Tianshu needs Python 3.11 or newer as $(PYTHON)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

resources/i18n/%.qm: resources/i18n/%.ts $(STAMP)
	$(BIN)/pyside6-lrelease -silent $< -qm $@

translations: $(STAMP)
	$(BIN)/pyside6-lupdate -extensions py app widgets -ts $(TS) -no-obsolete -locations none

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

contracts:
	$(BIN)/lint-imports

types:
	$(BIN)/mypy

pytest:
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
