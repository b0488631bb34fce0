# make run: set up and serve on http://127.0.0.1:5000 · make test: set up and run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
HOST ?= 127.0.0.1
PORT ?= 5000


.PHONY: run test test-sqlite lint setup setup-dev chromium pango translations db bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.req: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.req-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.req

setup: $(VENV)/.req translations pango

setup-dev: $(VENV)/.req-dev translations chromium pango

# WeasyPrint (invoice PDFs) loads Debian's Pango at run time; pip cannot install it.
pango:
	@libs=$$( { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } ); \
	if ! echo "$$libs" | grep -q 'libpangoft2-1.0.so.0' || ! echo "$$libs" | grep -q 'libharfbuzz-subset.so.0'; then \
	  echo "Installing Debian's Pango for the invoice PDFs (WeasyPrint)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; \
	fi

translations:
	$(BIN)/pybabel compile -d translations --statistics 2>&1 | grep -v "^$$" || true
	@test -f translations/ru/LC_MESSAGES/messages.mo

chromium:
	@if [ -n "$$CHROMIUM_PATH" ] && [ -x "$$CHROMIUM_PATH" ]; then exit 0; fi; \
	if ! command -v chromium >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi

db: setup
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask seed

run: db
	@echo ""
	@echo "Provider console: http://$(HOST):$(PORT)/  (log in as admin; the password was printed at the first seed,"
	@echo "or set ADMIN_PASSWORD before the first 'make run')"
	@echo "The web server and the outbox worker run together (Procfile); Ctrl-C stops both."
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" HOST=$(HOST) $(BIN)/honcho start --procfile Procfile --port $(PORT)

lint: setup-dev
	$(BIN)/ruff check webapp tests bench config.py wsgi.py

test: setup-dev lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@echo "The same suite, less the browser, against PostgreSQL:"
	scripts/with-postgres $(BIN)/python -m pytest -q -m "not browser" $(PYTEST_ARGS)
	@echo "The login throttle, sessions and the worker's queue against Redis (RATELIMIT_STORAGE_URI, REDIS_URL):"
	scripts/with-redis $(BIN)/python -m pytest -q -m "not browser" tests/test_auth.py tests/test_profile.py \
	  tests/test_outbox_redis.py

test-sqlite: setup-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	@command -v wrk >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
