# Two promises (README): `make run` serves the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs a second time on PostgreSQL when one answers here.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/commons
# Locations without line numbers keep the catalogue's diffs (and merges) small.
MAKEMESSAGES_ARGS := --no-obsolete --add-location=file --ignore=.venv --ignore=node_modules \
	--ignore=bench --ignore=tests --ignore=staticfiles --ignore=run

# Welsh (cy): the catalogues in locale/ are compiled at install with gettext's msgfmt (what
# `manage.py compilemessages` runs); the .mo files are build output, never committed.
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po locale/vendor/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test install install-test assets browser messages gettext test-sqlite test-postgres fmt lint ci demo bench prod prod-stop prod-env load-run failure-run audit constraints

# Every install is pinned to what the suite last passed with (constraints.txt, pip's -c: it pins a
# package when something asks for it and installs nothing by itself). `make constraints` refreshes
# it from pyproject.toml; then run `make test` and commit both.
CONSTRAINTS := constraints.txt

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml $(CONSTRAINTS)
	$(PIP) install --quiet -c $(CONSTRAINTS) -e '.[test]'
	touch $@

$(VENV)/.installed-audit: $(VENV)/.installed pyproject.toml $(CONSTRAINTS)
	$(PIP) install --quiet -c $(CONSTRAINTS) -e '.[audit]'
	touch $@

# Checks the installed packages against a vulnerability database (tools/audit.py). Exit 0 only when
# every package was looked up and none is known vulnerable; 2, saying so, when it could not check.
audit: $(VENV)/.installed-audit
	$(PY) tools/audit.py

# A fresh virtualenv with the newest versions pyproject.toml allows, frozen into constraints.txt.
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/pip install --quiet --upgrade pip
	.venv-constraints/bin/pip install --quiet -e '.[test,audit]'
	{ sed -n '/^#/p' $(CONSTRAINTS); .venv-constraints/bin/pip freeze --exclude-editable; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)
	rm -rf .venv-constraints
	@echo "constraints.txt refreshed: now make test, then commit pyproject.toml and constraints.txt"

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed $(MO_FILES)
install-test: $(VENV)/.installed-test node_modules/.installed $(MO_FILES) browser
assets: node_modules/.installed

%.mo: %.po
	@command -v msgfmt >/dev/null 2>&1 || $(MAKE) --no-print-directory gettext
	msgfmt --check-format -o $@ $<

gettext:
	@if command -v msgfmt >/dev/null 2>&1; then msgfmt --version | head -1; \
	else echo "Installing Debian's gettext (msgfmt compiles the Welsh catalogue)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gettext >/dev/null) \
	    || { echo "Could not install gettext: the site would run in English only"; exit 1; }; fi

# After changing user-facing strings: refresh the catalogues, translate the new (empty) entries in
# locale/cy/LC_MESSAGES/django.po (docs/cy-glossary.md), then `make install` compiles them.
messages: $(VENV)/.installed-test
	DEBUG=1 $(PY) manage.py makemessages -l cy $(MAKEMESSAGES_ARGS)
	@# The header's date changes on every run and would make every branch's catalogue conflict.
	sed -i '/^"POT-Creation-Date: /d' locale/cy/LC_MESSAGES/django.po
	$(PY) locale/vendor_catalogue.py

# Debian's Chromium drives the browser tests (Playwright's own download does not work here).
browser:
	@if [ -n "$$SKIP_BROWSER_TESTS" ] && [ "$$SKIP_BROWSER_TESTS" != 0 ]; then echo "SKIP_BROWSER_TESTS is set: browser tests will be skipped"; \
	elif command -v chromium >/dev/null 2>&1; then chromium --version; \
	else echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null) \
	    || { echo "Could not install chromium: browser tests need it (set SKIP_BROWSER_TESTS=1 to skip them)"; exit 1; }; \
	  chromium --version; fi

run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

demo: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo

test: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

# Branch coverage is measured on the SQLite run (browser tests included); under the floor
# ([tool.coverage.report] fail_under in pyproject.toml) the run fails.
test-sqlite:
	@echo "== test suite on SQLite, with branch coverage"
	$(VENV)/bin/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

test-postgres:
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)'.rsplit('/',1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== test suite on PostgreSQL ($(PG_TEST_URL))"; \
	  DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS); \
	else echo "== no PostgreSQL answers at $(PG_TEST_URL): PostgreSQL run skipped"; fi

fmt: $(VENV)/.installed-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

ci: test

# --- Production profile on this machine (docs/settings.md) -----------------------------------------
# gunicorn + the task worker against the local PostgreSQL and Redis. Plain http on 127.0.0.1 for
# load runs: SECURE_SSL_REDIRECT, secure cookies and HSTS are OFF here only; behind a TLS proxy
# they must be on (they are by default when these variables are not set).
PROD_PORT ?= 8005
PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/commons_prod
PROD_REDIS_URL ?= redis://127.0.0.1:6379/3
WEB_CONCURRENCY ?= 4
PAGE_CACHE_SECONDS ?= 30
PROD_DIR := run/prod
PROD_ENV = env -u DEBUG SECRET_KEY="$$(cat .secret_key)" ALLOWED_HOSTS=127.0.0.1,localhost \
	SITE_URL=http://127.0.0.1:$(PROD_PORT) DATABASE_URL=$(PROD_DATABASE_URL) DB_CONN_MAX_AGE=60 \
	REDIS_URL=$(PROD_REDIS_URL) CACHE_KEY_PREFIX=commons-prod TASK_BACKEND=database \
	SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0 \
	ANONYMOUS_PAGE_CACHE_SECONDS=$(PAGE_CACHE_SECONDS) \
	WEB_CONCURRENCY=$(WEB_CONCURRENCY) GUNICORN_BIND=127.0.0.1:$(PROD_PORT) $(PROD_EXTRA_ENV)

.secret_key:
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# Prints the environment (for scripts: eval "$$(make -s prod-env)").
prod-env: .secret_key
	@$(PROD_ENV) sh -c 'for v in SECRET_KEY ALLOWED_HOSTS SITE_URL DATABASE_URL DB_CONN_MAX_AGE REDIS_URL CACHE_KEY_PREFIX TASK_BACKEND SECURE_SSL_REDIRECT SESSION_COOKIE_SECURE CSRF_COOKIE_SECURE SECURE_HSTS_SECONDS ANONYMOUS_PAGE_CACHE_SECONDS CALENDAR_ENTRIES_PER_PROCESS WEB_CONCURRENCY GUNICORN_BIND BENCH_VIEWS; do eval "printf \"export %s=%s\n\" $$v \"\$${$$v}\""; done'

prod: install .secret_key prod-stop
	@mkdir -p $(PROD_DIR)
	@$(PY) -c "import psycopg; url='$(PROD_DATABASE_URL)'; base, name = url.rsplit('/', 1); \
	c = psycopg.connect(base + '/postgres', autocommit=True); \
	c.execute('SELECT 1 FROM pg_database WHERE datname = %s', [name]).fetchone() or c.execute('CREATE DATABASE ' + name); c.close()"
	$(PROD_ENV) $(PY) manage.py check --deploy --fail-level ERROR
	$(PROD_ENV) $(PY) manage.py migrate --noinput
	$(PROD_ENV) $(PY) manage.py collectstatic --noinput -v 0
	$(PROD_ENV) $(VENV)/bin/gunicorn -c config/gunicorn.conf.py --daemon --pid $(PROD_DIR)/gunicorn.pid \
		--error-logfile $(PROD_DIR)/gunicorn.log --capture-output
	@# The worker exits when PostgreSQL goes away; a loop (its own process group) restarts it.
	$(PROD_ENV) setsid sh -c 'while :; do $(PY) manage.py requeue_stale_tasks --older-than 60; $(PY) manage.py send_digests --schedule; $(PY) manage.py db_worker --interval 1; echo "db_worker exited ($$?); restarting in 2 s"; sleep 2; done' >> $(PROD_DIR)/worker.log 2>&1 & echo $$! > $(PROD_DIR)/worker.pid
	@for i in $$(seq 1 50); do curl -fsS http://127.0.0.1:$(PROD_PORT)/healthz >/dev/null 2>&1 && break; sleep 0.2; done
	@curl -sS http://127.0.0.1:$(PROD_PORT)/healthz; echo
	@echo "Production profile on http://127.0.0.1:$(PROD_PORT)/ ($(WEB_CONCURRENCY) workers); logs in $(PROD_DIR)/; stop with make prod-stop"

prod-stop:
	@for name in gunicorn worker; do f=$(PROD_DIR)/$$name.pid; pid=$$(cat $$f 2>/dev/null); \
	  if [ -n "$$pid" ] && kill -0 $$pid 2>/dev/null; then \
	    if [ $$name = worker ]; then /bin/kill -TERM -- -$$pid; else kill -TERM $$pid; fi; \
	    for i in $$(seq 1 50); do kill -0 $$pid 2>/dev/null || break; sleep 0.2; done; \
	    echo "stopped $$name"; fi; rm -f $$f; done

# Load run (bench/load_run.py): the production profile with the trivial bench view, then wrk.
LOAD_DURATION ?= 15
load-run: install
	$(MAKE) --no-print-directory prod PROD_EXTRA_ENV="BENCH_VIEWS=1"
	$(PROD_ENV) BENCH_VIEWS=1 $(PY) bench/load_run.py --duration $(LOAD_DURATION) --workers $(WEB_CONCURRENCY) \
	  --as anonymous,member --page-cache off,on --page-cache-seconds $(PAGE_CACHE_SECONDS)

# Failure run (bench/failure_run.py): stops PostgreSQL (<= 10 s) and Redis under write load.
failure-run: install
	$(MAKE) --no-print-directory prod
	$(PROD_ENV) $(PY) bench/failure_run.py
