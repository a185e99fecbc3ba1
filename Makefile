# One command per job. Every target sets up what it needs first (a .venv from
# requirements.txt, the pinned npm assets), so a fresh clone needs only these.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
NPM_STAMP := node_modules/.installed-stamp
# The sandboxed grading runtime: NumPy, matplotlib, ipykernel only (autograder/sandbox.py).
RUNTIME   := .venv-runtime
RUNTIME_STAMP := $(RUNTIME)/.installed-stamp

# The targets share names with folders (book/, tests/ ...): never treat them as files.
.PHONY: book test bench setup exercises clean help notebooks pdf

help:
	@echo "make book   - build the site into _build/html"
	@echo "make test   - run every test (library, book build, browser, grading)"
	@echo "make bench  - print the performance tables"
	@echo "make notebooks - refresh notebooks/ (every chapter as a .ipynb) after editing a chapter"
	@echo "make pdf    - the whole course as one PDF: _build/pdf/conv-blocks.pdf"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# A venv of its own, made from the same base Python as .venv; the sandbox mounts it
# read-only, so nothing else (convblocks, SciPy ...) can be imported there.
$(RUNTIME_STAMP): autograder/runtime-requirements.txt | $(STAMP)
	rm -rf $(RUNTIME)
	$(PY) -m venv --without-pip $(RUNTIME)/venv
	$(PY) -m pip --python $(RUNTIME)/venv/bin/python install --quiet --disable-pip-version-check \
		-r autograder/runtime-requirements.txt
	$(PY) -m autograder.sandbox mirror-base $(RUNTIME)
	@touch $@

setup: $(STAMP) $(NPM_STAMP) $(RUNTIME_STAMP)

book: setup
	$(PY) -m tools.build_book

# The whole course printed by the tests' Chromium, joined with pypdf (tools/make_pdf.py).
pdf: book
	$(PY) -m tools.make_pdf

# notebooks/<chapter>.ipynb: what the Binder/Colab/JupyterHub buttons open (commit it).
notebooks: setup
	$(PY) -m tools.notebooks

test: setup
	$(PY) -m pytest --cov=convblocks --cov-report=term --cov-fail-under=95

bench: setup
	$(PY) -m benchmarks.bench
	$(PY) -m benchmarks.demos
	$(PY) -m autograder bench --students 30

clean:
	rm -rf _build
