# The two commands of the README, and the helpers behind them.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# axe-core for the browser tests' accessibility audit, from the npm registry at package-lock.json's version.
AXE := node_modules/axe-core/axe.min.js
# The suite runs on every core (pytest-xdist; `make test WORKERS=0` runs it in one process, e.g. to use pdb).
# worksteal: a worker that is done takes tests from a busy one, so the few long tests do not hold the end.
WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(WORKERS) --dist worksteal

.PHONY: run test check install install-test fuzz bench crash audit audit-online vi-speech

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(STAMP)

$(AXE): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

install: $(STAMP)
install-test: $(TEST_STAMP) $(AXE) vi-speech

# Real Vietnamese speech for the speech tests and bench (tools/vi_speech.py: from the vieneu wheel via pip, else
# ../shared); quick once the clips are there. Without them those tests skip and say why.
vi-speech: $(TEST_STAMP)
	@$(BIN)/python tools/vi_speech.py || echo "vi-speech: no clips; the real-speech tests will be skipped"

run: $(STAMP)
	$(BIN)/hotline init
	$(BIN)/hotline demo --if-empty
	@# The worker sends the outbox beside the server and stops with it (Ctrl-C, or serve exiting).
	$(BIN)/hotline worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
		$(BIN)/hotline serve

# Every test; the slow crash and fuzz runs (markers slow, fuzz) in their short form.
test: $(TEST_STAMP) $(AXE) vi-speech
	$(PYTEST) $(PYTEST_ARGS)

# Every test with the slow crash and fuzz runs in full (HOTLINE_FULL=1): 60 SIGKILLs of the worker over 2,000
# residents, 1,000 signed requests per webhook. Before a release, or after touching the worker or a webhook.
check: $(TEST_STAMP) $(AXE) vi-speech
	HOTLINE_FULL=1 $(PYTEST) $(PYTEST_ARGS)

# The fuzz runs alone, 10,000 signed requests per webhook (about 40 minutes on 2 cores).
fuzz: $(TEST_STAMP)
	HOTLINE_FUZZ_EXAMPLES=10000 $(PYTEST) -q -m fuzz

# Offline: the installed packages against the advisory records vendored in tools/advisories.json
# (their source and date are in the file and in docs/security.md). Exits 1 when a version is affected.
audit: $(STAMP)
	$(BIN)/python tools/audit.py

# The same question asked live; needs PyPI's JSON API or OSV, which the build machines cannot reach.
audit-online: $(STAMP)
	$(BIN)/pip install -q pip-audit
	$(BIN)/pip-audit --skip-editable

# Every benchmark in bench/, medians of 3 runs, rewriting docs/benchmarks.md (BENCH_QUICK=1: one short run).
bench: $(TEST_STAMP) vi-speech
	$(BIN)/python bench/run.py

# The crash test in its full form: 50 SIGKILLs of the worker during a 10,000-resident broadcast.
crash: $(TEST_STAMP)
	$(BIN)/python bench/run.py --crash
