# Qunfang — `make run` and `make test` work on a fresh machine with only Python 3.11 and pip.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
QF     := $(BIN)/qunfang
HOST   ?= 127.0.0.1
PORT   ?= 8000
# two test workers: the suite takes about half the time on the usual two cores
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: run test lint format check-migrations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(QF) compile-translations
	$(QF) migrate --no-input -v0
	$(QF) demo --if-empty
	@echo ""
	@echo "Qunfang is running at http://$(HOST):$(PORT)/  (stop with Ctrl+C)"
	@echo "The task worker (rosters, large imports, reminders, digests) runs beside it: qunfang worker"
	@# the worker in the background, stopped with the web server however that ends
	$(QF) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(QF) runserver $(HOST):$(PORT)

test: $(VENV)/.installed-test
	$(QF) compile-translations
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	QUNFANG_ENV=test $(BIN)/mypy src

format: $(VENV)/.installed-test
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

check-migrations: $(VENV)/.installed
	QUNFANG_ENV=test $(QF) makemigrations --check --dry-run

# Refresh the .po catalogues from the source (needs gettext's xgettext), then translate them.
messages: $(VENV)/.installed
	cd src/qunfang && QUNFANG_ENV=test ../../$(QF) makemessages -l zh_Hans -l en --no-obsolete --no-location

clean:
	rm -rf $(VENV) var
