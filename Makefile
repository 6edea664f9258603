# Two commands for a fresh machine: `make demo` and `make test`. Everything else is a convenience.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
# checkov pins its own boto3 (see pyproject.toml [dependency-groups]): it lives in a virtualenv of its own.
CHECKOV_VENV ?= .venv-checkov
PYTHON ?= python3
PY := $(VENV)/bin/python
EXAMPLE ?= basic
PYTEST_ARGS ?=
# What the data plane needs; installed when missing and we are root, else listed.
# chromium + chromium-driver: the console's browser test (headless).
APT_PACKAGES := haproxy nftables iproute2 nginx-light wrk socat graphviz curl fonts-nanum chromium chromium-driver

.PHONY: help deps system-deps venv checkov-venv bytecode demo test test-fast pytest lint plan bench lab clean distclean

help:
	@echo "make demo              apply examples/basic against an embedded AWS emulator, show it, tear down"
	@echo "make test              lint + the whole test suite (offline)"
	@echo "make test-fast         before each commit: static checks, plans, bad input, unit tests (no apply)"
	@echo "make lint              ruff, terraform fmt, generated docs check, checkov"
	@echo "make plan EXAMPLE=x    plan one example against the emulator ($(notdir $(patsubst %/main.tf,%,$(wildcard examples/*/main.tf))))"
	@echo "make bench             time the suite and each example's phases"
	@echo "make lab               start the guided lab"
	@echo "make clean             remove work dirs and caches (make distclean: the virtualenv too)"

# First use: create the virtualenv and install the package with its test tools. Re-runs when
# pyproject.toml changes.
$(VENV)/.alblab-installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

venv: $(VENV)/.alblab-installed

# pip >= 25.1 reads the dependency group from pyproject.toml.
$(CHECKOV_VENV)/.installed: pyproject.toml
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --group lint
	@touch $@

checkov-venv: $(CHECKOV_VENV)/.installed

system-deps:
	@command -v terraform >/dev/null || { echo "terraform (>= 1.9) is required on PATH: https://developer.hashicorp.com/terraform/install" >&2; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing:$$missing"; apt-get update -qq || exit 1; have=""; none=""; \
	  for p in $$missing; do if apt-cache show $$p >/dev/null 2>&1; then have="$$have $$p"; else none="$$none $$p"; fi; done; \
	  [ -z "$$none" ] || echo "NOTE: this distribution has no$$none; the tests that need them skip and say why."; \
	  [ -z "$$have" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$have; \
	else \
	  echo "NOTE: missing system packages:$$missing"; \
	  echo "      install them as root (apt-get install$$missing); until then the data-plane tests skip."; \
	fi

deps: system-deps venv

demo: deps
	$(PY) -m alblab.demo demo

plan: deps
	$(PY) -m alblab.demo plan $(EXAMPLE)

# checkov runs with --skip-download: no Prisma Cloud guidelines to fetch; the scan itself needs no network.
lint: venv checkov-venv
	$(VENV)/bin/ruff check alblab tests benchmarks scripts
	$(VENV)/bin/ruff format --check alblab tests benchmarks scripts
	TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive
	$(PY) scripts/gen_tf_docs.py --check
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml --directory . --skip-download

# pytest exits 5 when it collects nothing: that is a failure here, not a pass.
# The suite starts a few hundred Python processes: byte-compile alblab once rather than in each of them (the
# environment may say PYTHONDONTWRITEBYTECODE; compileall writes only what is stale).
bytecode: venv
	@$(PY) -m compileall -q alblab

pytest: deps bytecode
	@$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc = 5 ]; then echo "pytest collected no tests" >&2; fi; exit $$rc

test: lint pytest

# The fast lane: static checks, plans, bad input and unit tests; no apply, no data plane, no CLI life cycle.
FAST_LANE := not apply and not dataplane and not lifecycle
test-fast: venv bytecode
	@$(PY) -m pytest -p no:cacheprovider -m "$(FAST_LANE)" $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc = 5 ]; then echo "pytest collected no tests" >&2; fi; exit $$rc

bench: deps
	$(PY) benchmarks/suite.py

# The lab's docs call the CLI one way: `source .venv/bin/activate`, then `alblab ...`.
lab: deps
	$(VENV)/bin/alblab lab start
	@echo "next: source $(VENV)/bin/activate, then follow docs/lab/README.md from step 1's 'alblab lab show'"

clean:
	rm -rf .work build .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf
	find examples tests -name .terraform -type d -prune -print0 | xargs -0 rm -rf
	find examples tests \( -name '*.tfstate' -o -name '*.tfstate.*' -o -name '*.tfplan' -o -name .terraform.lock.hcl \) -delete

distclean: clean
	rm -rf $(VENV) $(CHECKOV_VENV) *.egg-info
