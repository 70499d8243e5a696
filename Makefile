# convo — see README.md.  `make run` serves on SQLite; `make test` runs the whole suite.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 4

PO_FILES := $(wildcard convo/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run serve worker test bench screenshots install install-test translations migrate system-packages fonts i18n-update clean

# The web app and a background worker (sending, issuing) together; Ctrl-C stops both.
run: install translations migrate fonts
	@$(BIN)/convo setup-link --if-needed --base-url http://$(HOST):$(PORT)
	$(BIN)/convo run-with-worker --host $(HOST) --port $(PORT)

# Production: gunicorn serves the web side only.  Run `make worker` (or deploy/convo-worker.service)
# beside it: without a worker, issuing and sending wait (the pages say so).
serve: install translations migrate fonts
	@$(BIN)/convo setup-link --if-needed --base-url http://$(HOST):$(PORT)
	@echo "convo: serving the web side; run the background worker beside it (make worker, or deploy/)." >&2
	$(BIN)/gunicorn -c gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT) \
		'convo:create_app()'

# A background worker on its own (beside `make serve`, or on another machine with CONVO_QUEUE_URL).
worker: install translations migrate
	$(BIN)/convo worker

test: install-test translations system-packages
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# Benchmarks (bench/README.md): ratios against the stack's own limits.  QUICK=1: a smoke run.
bench: install-test translations system-packages
	QUICK=$(QUICK) $(BIN)/python bench/run.py

# Screenshots of every page state in the browser flows, for review by eye: screenshots/.
screenshots: install-test translations system-packages
	$(BIN)/python -m tests.e2e.screenshots

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

translations: $(MO_FILES)

%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

migrate: install
	$(BIN)/convo db upgrade

system-packages:
	@scripts/system-packages.sh test

# The PDF summary's fonts.  Without them PDFs fall back to DejaVu Sans, so a machine where
# they can't be installed still runs convo: this step warns rather than fails.
fonts:
	@scripts/system-packages.sh run || echo "convo: PDF fonts not installed; PDFs will use DejaVu Sans." >&2

i18n-update: install
	$(BIN)/convo i18n update

clean:
	rm -rf $(VENV) .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
