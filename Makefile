# Rollout-Cockpit. Two commands matter:
#   make demo   install everything, import the official data, run http://127.0.0.1:8000
#   make test   the whole test suite against real PostgreSQL and Redis (started if needed)
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Touched after a successful install; older than pyproject.toml means "install again".
STAMP := $(VENV)/.installed-pyproject
WITH_SERVICES := scripts/with-services.sh
DEMO_ADDR := 127.0.0.1:8000
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: help setup demo test check lint typecheck migrations-check fmt bench worker beat \
	venv system-deps

help: ## List the targets
	@echo "Rollout-Cockpit: make TARGET"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
		| awk -F ':.*## ' '{ printf "  %-17s %s\n", $$1, $$2 }'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

venv: $(STAMP) ## Create .venv and install the project (again only when pyproject.toml changed)

system-deps: ## Install missing Debian packages (skipped with a message without root/sudo)
	@scripts/install-system-deps.sh

.env:
	$(PYTHON) scripts/write-dotenv.py $@

setup: venv system-deps .env ## Install, migrate, import the official data, create demo accounts
	$(MANAGE) migrate --no-input
	$(MANAGE) import_gemeindeverzeichnis
	$(MANAGE) import_grenzen
	$(MANAGE) import_programm
	$(MANAGE) zustaendigkeiten_aufloesen
	$(MANAGE) import_checkliste
	$(MANAGE) onboardings_abgleichen
	$(MANAGE) seed_demo
	$(MANAGE) coverage --aktualisieren

demo: setup ## setup, then run the development server on http://127.0.0.1:8000
	@$(MANAGE) seed_demo --nur-anzeigen
	@echo
	@echo "Rollout-Cockpit läuft gleich auf http://$(DEMO_ADDR)/ (beenden mit Strg+C)"
	@echo
	$(MANAGE) runserver $(DEMO_ADDR)

test: venv system-deps .env ## Whole test suite on real PostgreSQL + Redis (PYTEST_ARGS=... to narrow)
	$(WITH_SERVICES) $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv ## ruff check + ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv .env ## mypy with django-stubs
	$(VENV)/bin/mypy .

migrations-check: venv .env ## Fail if a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

check: lint typecheck migrations-check test ## lint + types + migrations check + tests

fmt: venv ## Fix what ruff can fix and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: venv system-deps .env ## Run the benchmarks in bench/benchmarks (BENCH_ARGS="--only NAME --repeat 3")
	$(WITH_SERVICES) $(PY) -m bench $(BENCH_ARGS)

worker: venv .env ## Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A rollout worker -l info

beat: venv .env ## Celery beat, the periodic jobs (needs REDIS_URL)
	$(VENV)/bin/celery -A rollout beat -l info
