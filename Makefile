# Two commands for a newcomer: `make demo` and `make test`.
# Only python3 and make are needed; everything else is installed into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on one worker per core (pytest-xdist). PYTEST_ARGS comes last:
# `make test PYTEST_ARGS="-n0 tests/demo"` runs a part in one process.
PYTEST_ARGS ?=
# The demo and development run in debug mode (the demo secret key, plain HTTP); a
# production start without OPORA_DEBUG needs OPORA_SECRET_KEY (docs/operations.md).
OPORA_DEBUG ?= true
export OPORA_DEBUG

.PHONY: demo test install lint messages serve bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/python -m uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/opora migrate --no-input -v0
	$(BIN)/opora demo
	$(BIN)/opora runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/opora makemigrations --check --dry-run

messages: install
	cd src/opora && ../../$(BIN)/opora makemessages -l en --no-obsolete && ../../$(BIN)/opora compilemessages

clean:
	rm -rf $(VENV) var/*.sqlite3*
