# One command per job. Every target sets up what it needs first (a .venv from
# requirements.txt, the pinned npm assets), so a fresh clone needs only these.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
NPM_STAMP := node_modules/.installed-stamp

# The targets share names with folders (book/, tests/ ...): never treat them as files.
.PHONY: book test bench setup exercises clean help

help:
	@echo "make book   - build the site into _build/html"
	@echo "make test   - run every test (library, book build, browser, grading)"
	@echo "make bench  - print the performance tables"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(STAMP) $(NPM_STAMP)

book: setup
	$(PY) -m tools.build_book

test: setup
	$(PY) -m pytest --cov=convblocks --cov-report=term --cov-fail-under=95

bench: setup
	$(PY) -m benchmarks.bench
	$(PY) -m benchmarks.demos
	$(PY) -m autograder bench --students 30

clean:
	rm -rf _build
