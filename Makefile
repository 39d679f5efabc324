# Plaint: the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is what they are made of.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test setup system-deps lint format bench clean

## run: set up, migrate, load the demo organisation and serve the desk on 127.0.0.1:8000;
##      prints the desk and customer portal addresses, the slug and the demo logins
run: setup
	$(BIN)/plaint migrate --noinput -v0
	$(BIN)/plaint demo --address http://$(HOST):$(PORT)
	$(BIN)/plaint runserver $(HOST):$(PORT) --noreload

## test: set up, then lint, type-check, check the architecture and run the suite
##       on SQLite and on PostgreSQL
test: setup
	scripts/test.sh

## setup: the virtual environment with Plaint and its pinned dependencies
setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock | system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv 2>/dev/null \
		|| $(BIN)/python -m pip install -q uv
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

## system-deps: the Debian packages Plaint needs (installs only what is missing)
system-deps:
	scripts/system-deps.sh

lint:
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

format:
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

## bench: print the benchmark figures (see bench/README.md)
bench: setup
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/bulk_derive_bench.py
	$(BIN)/python bench/verify_bench.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
