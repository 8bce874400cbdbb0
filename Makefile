# shebao — 北京市社会保险网上申报查询系统
#
#   make run     set up (venv, packages, font, database, demo data) and serve on :8000
#   make test    lint (ruff, mypy, layers) and the whole pytest suite
#   make lint    ruff, mypy and the layer contract (import-linter)
#   make bench   the benchmarks (bench/; results for docs/BENCHMARKS.md)
#   make guide   the browser tests, refreshing the screenshots of the 操作指南 (reports/static/reports/guide/)
#   make clean   remove var/ (database, keys, demo certificates) and .venv
#
# Needs GNU make and Python 3.11 as python3 (Debian 12). Nothing else: the virtualenv and
# the packages are made here, and the CJK font for PDFs is installed when run as root.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Rewritten after every successful install: pip runs again only when pyproject.toml is newer.
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ARGS ?= --units 50 --persons 3000 --seed 2026 --if-empty

.PHONY: help run test lint bench clean install font guide

help:
	@sed -n 's/^#   //p' Makefile

# The virtualenv. --upgrade-deps brings pip and setuptools up to date (the ones bundled
# with Python 3.11 carry known vulnerabilities).
$(BIN)/pip:
	@if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> installing python3-venv"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv \
	      || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv; }; \
	  else echo "$(PYTHON) has no venv module: install python3-venv" >&2; exit 1; fi; \
	fi
	@echo "==> creating $(VENV)"
	$(PYTHON) -m venv --upgrade-deps $(VENV)

$(STAMP): pyproject.toml | $(BIN)/pip
	@echo "==> installing shebao and its dev tools into $(VENV)"
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	@touch $@

install: $(STAMP)

# PDFs embed a CJK font (WenQuanYi Micro Hei). Missing font: installed when root, else a note.
font:
	@if dpkg -s fonts-wqy-microhei >/dev/null 2>&1 \
	    || fc-list 2>/dev/null | grep -qi 'WenQuanYi Micro Hei'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "==> installing the CJK font for PDFs (fonts-wqy-microhei)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q fonts-wqy-microhei \
	    || { apt-get update -q && apt-get install -y -q fonts-wqy-microhei; } \
	    || echo "WARNING: could not install fonts-wqy-microhei; PDFs will lack Chinese glyphs" >&2; \
	else \
	  echo "NOTE: PDFs need a CJK font: sudo apt-get install fonts-wqy-microhei"; \
	fi

run: install font
	@echo "==> database"
	$(BIN)/shebao migrate --noinput
	$(BIN)/shebao policy load
	$(BIN)/shebao collectstatic --noinput -v 0
	@if [ -n "$(wildcard shebao/*/management/commands/demo.py)" ]; then \
	  echo "==> demo data"; $(BIN)/shebao demo $(DEMO_ARGS); \
	else echo "NOTE: no demo command yet: the database has no demo units or persons"; fi
	@echo
	@echo "==> shebao is at http://$(HOST):$(PORT)/  (units /unit/login/, persons /person/login/, staff /staff/login/; Ctrl-C stops it)"
	@echo
	exec $(BIN)/gunicorn shebao.wsgi:application --bind $(HOST):$(PORT) \
	  --workers 2 --threads 4 --access-logfile - --error-logfile - --no-control-socket

lint: install
	@echo "==> ruff"
	$(BIN)/ruff check .
	@echo "==> mypy"
	$(BIN)/mypy shebao bench
	@echo "==> import-linter (the contracts in pyproject.toml: layers, web above rules, no cycle)"
	$(BIN)/lint-imports --no-cache

test: install font lint
	@echo "==> pytest"
	$(BIN)/pytest

# The 操作指南 shows screenshots the browser tests take: this runs them and copies the
# named ones into the guide's static directory (commit the changed PNGs).
guide: install font
	SHEBAO_GUIDE_SCREENSHOTS=1 SHEBAO_REQUIRE_BROWSER=1 $(BIN)/pytest -m browser

# The benchmarks live in bench/, beside the package (not installed with it).
bench: install
	$(BIN)/python -m bench

clean:
	rm -rf var $(VENV) .mypy_cache .ruff_cache
