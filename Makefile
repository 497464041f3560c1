# The two commands (README): `make run` and `make test`. Both set up what they need,
# on a fresh clone with only Python 3.11+, make and git, and are safe to repeat.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= data/dijkwacht.duckdb
PORT   ?= 8501

VENDOR := static/vendor/leaflet/leaflet.js

.PHONY: run test test-fast lint setup setup-test demo-db demo demo-accounts system-packages bench screenshots audit clean

run: setup demo-db demo-accounts
	@echo "Dijkwacht op http://localhost:$(PORT) — de inboxbewaker draait mee (Ctrl-C stopt beide)."
	@export DIJKWACHT_DB="$(DB)"; \
	$(BIN)/python -m etl --watch --db "$(DB)" & watcher=$$!; \
	trap 'kill $$watcher 2>/dev/null' EXIT INT TERM; \
	$(BIN)/streamlit run server.py --server.port $(PORT) --server.address localhost

test: setup-test lint
	$(BIN)/python -m pytest

# The working loop: unit, ETL rules, AppTests — no browser, no nginx, nothing marked slow;
# one worker per core (pytest-xdist), property tests with fewer examples (tests/layers.py).
test-fast: $(VENV)/.test $(VENDOR) lint
	DIJKWACHT_TESTLAAG=snel $(BIN)/python -m pytest -q -n auto -m "not browser and not nginx and not slow"

lint: $(VENV)/.test
	$(BIN)/ruff check .

# --- setup ------------------------------------------------------------------------------
setup: $(VENV)/.runtime $(VENDOR)

setup-test: $(VENV)/.test $(VENDOR) system-packages

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 of nieuwer is nodig")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3 || true

# The project itself, editable (pyproject.toml): `import dijkwacht, etl` from anywhere.
$(VENV)/.runtime: requirements.txt constraints.txt pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test: requirements-test.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-test.txt -c constraints.txt
	touch $@

# Leaflet and jQuery for the offline map, copied from pinned PyPI packages (never committed).
$(VENDOR): $(VENV)/.runtime
	$(BIN)/python -m dijkwacht.assets

# Debian's chromium (browser tests; Playwright cannot download browsers here) and nginx
# (the reverse-proxy test), in one apt-get run as root; without root the tests that need
# them are skipped, and this says so.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || missing="$$missing nginx"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installeren voor de tests (apt-get):$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "LET OP: niet geïnstalleerd:$$missing (geen root): die tests worden overgeslagen."; \
	fi

# pip-audit needs PyPI's advisory service: run this on a connected machine (not from here).
audit:
	$(PYTHON) -m venv .venv-audit
	.venv-audit/bin/python -m pip install --quiet pip-audit
	.venv-audit/bin/pip-audit --strict --no-deps --disable-pip -r constraints.txt

# --- data -------------------------------------------------------------------------------
demo-db: setup
	@if $(BIN)/python -m etl.versions "$(DB)"; then echo "Database $(DB) bestaat al."; \
	else $(BIN)/python -m etl --demo --db "$(DB)"; fi

# One account per role for the demo; passwords are printed once, when they are made.
demo-accounts: demo-db
	@DIJKWACHT_DB="$(DB)" $(BIN)/python -m dijkwacht.gebruikers demo

demo: setup
	$(BIN)/python -m etl.demo

# Benchmark at ×1, ×10, ×100 (bench/national.py): writes docs/benchmarks.md; ~15 min.
SCHALEN ?= 1,10,100
bench: setup-test
	$(BIN)/python -m bench.national --schalen $(SCHALEN)

# One PNG per (role, page) in docs/screenshots/, from a real Chromium on the demo data.
screenshots: setup-test
	$(BIN)/python -m tests.browser.screenshots

clean:
	rm -rf $(VENV) .venv-audit .pytest_cache
