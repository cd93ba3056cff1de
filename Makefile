# OneStop: the two commands a newcomer needs are `make run` and `make test`.
# Everything is installed into .venv; a target reinstalls only when pyproject.toml changed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k audit -x"`.
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test lint format install dev worker demo messages bench clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"

$(VENV)/.runtime-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.runtime-installed
	$(BIN)/python -m pip install --quiet --editable . --group dev
	@touch $@

install: $(VENV)/.runtime-installed ## Create .venv and install OneStop

dev: $(VENV)/.dev-installed ## Install OneStop with the test and lint tools

run: install ## Set up, load demo data into SQLite and serve on http://127.0.0.1:8000
	DEBUG=$${DEBUG:-1} $(BIN)/onestop migrate --no-input --verbosity 0
	DEBUG=$${DEBUG:-1} $(BIN)/onestop demo
	DEBUG=$${DEBUG:-1} $(BIN)/onestop serve --host $(HOST) --port $(PORT)

test: dev ## Lint, then run every test (unit, integration, browser)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DATABASE_URL=sqlite://:memory: $(BIN)/onestop makemigrations --check --dry-run --settings onestop.config.settings_test > /dev/null
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests (exit code 5): the selection or the suite is empty"; fi; \
	exit $$status

lint: dev ## Lint and check the import contracts only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: dev ## Format the code and fix what ruff can fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: install ## Run a background worker (jobs) against the configured database
	DEBUG=$${DEBUG:-1} $(BIN)/onestop worker

demo: install ## Load (or refresh) the demo data
	DEBUG=$${DEBUG:-1} $(BIN)/onestop demo

messages: dev ## Extract Thai translations into src/onestop/locale and compile them
	cd src/onestop && ../../$(BIN)/onestop makemessages --locale th --no-obsolete --ignore "*/tests/*"
	cd src/onestop && ../../$(BIN)/onestop compilemessages --locale th

bench: dev ## Run every benchmark in bench/ (each prints one JSON line)
	@for b in bench/*.py; do echo "# $$b"; $(BIN)/python $$b || exit 1; done

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var test-artifacts
