# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: install run test lint bench-ingest clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,embeddings]"
	touch $@

install: $(VENV)/.installed

# Migrate, train the demo champion if none exists, serve API + UI + worker on 127.0.0.1:8000.
run: install
	$(VENV)/bin/autotriage serve

# The whole suite (slow benchmark-like checks are kept out: `$(PY) -m pytest -m slow`).
test: install
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench

bench-ingest: install
	$(PY) bench/ingest.py

clean:
	rm -rf $(VENV) data artifacts test-artifacts
