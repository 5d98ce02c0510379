# Vanguard. The README's two commands are `make demo` and `make test`; everything
# they need is installed from here, so a fresh Debian machine with python3, make
# and npm is enough. Steps that need Debian packages install them with apt-get
# when run as root, and otherwise stop with the exact command to run.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SIZE ?= demo
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per CPU; TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= auto
# How hard the generated-request tests push (tests/test_api_schemathesis.py): all of it
# here and in CI; a bare `pytest` runs the quick depth.
export VANGUARD_FUZZ_DEPTH ?= full
# The browser tests' Chromium (tests/chromium.py): Debian's headless shell of it, or what
# VANGUARD_CHROMIUM names (e.g. /usr/bin/chromium, the whole browser); passed on to them.
CHROMIUM ?= $(or $(VANGUARD_CHROMIUM),/usr/bin/chromium-headless-shell)
CHROMIUM_PACKAGE = $(if $(findstring headless-shell,$(CHROMIUM)),chromium-headless-shell,chromium)
export VANGUARD_CHROMIUM := $(CHROMIUM)
export VANGUARD_DEVELOPMENT ?= 1
export PIP_DISABLE_PIP_VERSION_CHECK ?= 1
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends
# $(call apt_ensure,<packages>): install Debian packages when root, otherwise stop
# with the command to run. (A shell snippet, so that `make -n` stays harmless.)
apt_ensure = if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo ">>> Installing $(1)"; { apt-get update -qq && $(APT_INSTALL) $(1) >/dev/null; } || exit 1; \
	else \
	  echo "ERROR: missing system packages: $(1)" >&2; \
	  echo "    sudo apt-get update && sudo apt-get install $(1)" >&2; exit 1; \
	fi

.DEFAULT_GOAL := help
.PHONY: help demo test check lint fmt worker install install-demo install-dev lock assets messages \
	migrate bench bench-dashboards bench-vote bench-burst bench-scale system-test-deps ci clean deploy-check

help:
	@echo "make demo    build the demo college in a SQLite database and serve it on http://127.0.0.1:$(PORT)/"
	@echo "             (make demo PORT=8123 for another port)"
	@echo "make test    run the whole test suite (installs chromium-headless-shell and a CJK font when root)"
	@echo "make check   ruff (lint and format), mypy, import contracts, makemigrations --check, check --deploy"
	@echo "make lint    ruff check and ruff format --check;  make fmt: format and fix"
	@echo "make worker  run the background-task worker (with VANGUARD_TASKS=database)"
	@echo "make bench   pages against hello-world (gunicorn, wrk) at demo and L, growth, bulk jobs,"
	@echo "             the voting burst on SQLite and PostgreSQL: one table with PASS/FAIL, also in"
	@echo "             var/bench/result.md (SIZE=M: quicker)"
	@echo "make bench-dashboards   progress dashboards timed at size L (SIZE=M for another size)"
	@echo "make bench-vote   1,000 voters in 50 sessions voting at once through gunicorn on"
	@echo "             loopback, on SQLite then PostgreSQL (127.0.0.1:5432, user postgres)"
	@echo "make bench-scale   a million members generated in PostgreSQL (vanguard_scale), the pages"
	@echo "             timed and their slowest queries explained (MEMBERS=30000 to compare; docs/scale.md)"
	@echo "make ci      the CI run: make check, make test, then the suite again on PostgreSQL (.ci/run)"
	@echo "make deploy-check   production settings on PostgreSQL and Redis, two gunicorn instances"
	@echo "             and the worker on loopback, a login-to-vote journey through both (deploy/check.py)"
	@echo "make install the server's Python packages (requirements/base.lock), assets, translations"
	@echo "make lock    recompile the locks in requirements/ from pyproject.toml, keeping pinned versions;"
	@echo "             make lock UPGRADE=django (or UPGRADE=\"django pillow\", UPGRADE=all) upgrades"

# --- Python ---------------------------------------------------------------------
# Debian ships venv support separately (python3-venv): without it `python3 -m venv`
# leaves a half-made folder with no pip, which is why pip is the marker here.
$(VENV)/bin/pip:
	@rm -rf $(VENV)
	@if ! $(PYTHON) -m venv $(VENV); then \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo ">>> '$(PYTHON) -m venv' failed: installing Debian's python3-venv"; \
	    { apt-get update -qq && $(APT_INSTALL) python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); } || exit 1; \
	  else \
	    echo "ERROR: '$(PYTHON) -m venv' failed. On Debian or Ubuntu install venv support first:" >&2; \
	    echo "    sudo apt-get install python3-venv" >&2; \
	    exit 1; \
	  fi; \
	fi

# Python packages come from the locks in requirements/, never from pyproject.toml's
# ranges: every version pinned and every file's sha256 checked by pip (--require-hashes),
# wheels only (no build step runs code fetched at install time):
#   base.lock  the server's packages                  make install
#   demo.lock  those and Faker, for the demo's data   make demo, make bench (install-demo)
#   dev.lock   those and the tests' and tools'        make install-dev (test, check, lint)
# Vanguard itself is then installed in place without its dependencies, built by the
# setuptools that the lock installed (requirements/build.in) rather than one fetched.
PIP_LOCKED = $(PY) -m pip install --quiet --require-hashes --only-binary=:all:
PIP_SELF = $(PY) -m pip install --quiet --no-deps --no-build-isolation -e .

$(VENV)/.installed: requirements/base.lock pyproject.toml | $(VENV)/bin/pip
	$(PIP_LOCKED) -r requirements/base.lock
	$(PIP_SELF)
	touch $@

$(VENV)/.installed-demo: $(VENV)/.installed requirements/demo.lock
	$(PIP_LOCKED) -r requirements/demo.lock
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.lock
	$(PIP_LOCKED) -r requirements/dev.lock
	touch $@

install: $(VENV)/.installed assets messages
install-demo: $(VENV)/.installed-demo assets messages
install-dev: $(VENV)/.installed-dev assets messages

# `make lock` recompiles the three locks from pyproject.toml and requirements/build.in
# with uv (in dev.lock): one universal resolution for Python 3.11 (markers pick what a
# platform needs; Debian x86_64 is what runs it), with the hash of every file. Versions
# already pinned stay while they fit; only what is new or no longer fits is resolved.
# UPGRADE=django moves one package (and what it needs) to the newest that fits,
# UPGRADE="django pillow" several, UPGRADE=all everything. dev.lock is resolved first
# and the other two are held to its versions, so the tests run what a server installs.
# pyproject's other extras (not demo, not dev: a server's options, such as an error
# reporter's SDK) are in all three locks: installed, and idle until configured.
LOCK_PYTHON := 3.11
UPGRADE ?=
# (Read once, and only when `make lock` runs.)
server_extras = $(eval server_extras := $$(shell $(PYTHON) -c 'import tomllib; \
	extras = tomllib.load(open("pyproject.toml", "rb"))["project"].get("optional-dependencies", {}); \
	print(" ".join("--extra " + e for e in extras if e not in ("demo", "dev")))'))$(server_extras)
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --universal --python-version $(LOCK_PYTHON) \
	--generate-hashes --no-build --custom-compile-command "make lock" \
	pyproject.toml requirements/build.in $(server_extras)
lock_upgrade = $(if $(filter all,$(UPGRADE)),--upgrade,$(foreach p,$(UPGRADE),--upgrade-package $(p)))

# uv itself comes from its entry in dev.lock (hash-checked like the rest), and nothing
# else is installed first: a stale or broken lock never stops `make lock` mending it.
$(VENV)/bin/uv: | $(VENV)/bin/pip
	awk '/^uv==/ { keep = 1; print; next } keep && /^[ \t]/ { print; next } { keep = 0 }' \
	  requirements/dev.lock > $(VENV)/uv-lock.txt
	$(PIP_LOCKED) --no-deps -r $(VENV)/uv-lock.txt
	rm -f $(VENV)/uv-lock.txt

lock: | $(VENV)/bin/uv
	$(UV_COMPILE) --extra dev --extra demo $(lock_upgrade) -o requirements/dev.lock
	$(UV_COMPILE) --extra demo --constraints requirements/dev.lock -o requirements/demo.lock
	$(UV_COMPILE) --constraints requirements/dev.lock -o requirements/base.lock
	@git diff --stat -- requirements/ 2>/dev/null || true
	@echo "Locks written. Install them: make install-dev (a server: make install)."

# --- Front-end assets: installed from the committed lock file, never committed ------
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "ERROR: npm is missing: sudo apt-get install npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Source maps too: collectstatic's manifest storage refuses a file whose map is missing.
static/vendor/.installed: node_modules/.installed Makefile
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	cp node_modules/@picocss/pico/css/pico.min.css static/vendor/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/
	touch $@

assets: static/vendor/.installed

# --- Translations: compiled from the committed .po files (gettext's msgfmt) --------
messages: $(VENV)/.installed
	@if [ -z "$$(find . \( -path ./.venv -o -path ./node_modules -o -path ./.git \) -prune \
	      -o -name '*.po' -print -quit)" ]; then \
	  echo "No translation files (.po) yet: nothing to compile."; \
	else \
	  command -v msgfmt >/dev/null || { $(call apt_ensure,gettext); }; \
	  $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0 || exit 1; \
	fi

# Debian's Chromium for the browser tests (a browser download cannot work here; the
# package chromium-headless-shell, the same build in Playwright's headless shell), a
# CJK font so that pages, screenshots and PDFs show Chinese rather than boxes, and
# gettext, dovecot (the IMAP server the e-mail channel's tests start on loopback), and
# LibreOffice's headless writer (the smallest Debian package that converts .docx: the
# strict reader tests/test_word_documents.py opens every Word document with), and a C
# compiler with Python's headers (tests/arenas.py builds the suite's allocator with them:
# a fifth of its time; without them the suite runs, slower).
# Not root: a missing chromium stops the run loudly (rather than skipping the browser
# tests); a missing font, gettext, dovecot, LibreOffice, compiler or header only warns.
system-test-deps:
	@missing=""; \
	[ -x "$(CHROMIUM)" ] || missing="$$missing $(CHROMIUM_PACKAGE)"; \
	{ [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] \
	  || fc-list 2>/dev/null | grep -qi -e wqy -e "noto sans cjk"; } || missing="$$missing fonts-wqy-microhei"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -x /usr/sbin/dovecot ] || missing="$$missing dovecot-imapd"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	command -v cc >/dev/null || command -v gcc >/dev/null || missing="$$missing gcc"; \
	$(PYTHON) -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
	  || missing="$$missing python3-dev"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] || [ ! -x "$(CHROMIUM)" ]; then $(call apt_ensure,$${missing# }); \
	  else echo "WARNING: not installed:$$missing (sudo apt-get install$$missing)" >&2; fi; \
	fi; \
	[ -x "$(CHROMIUM)" ] || { echo "ERROR: no chromium at $(CHROMIUM)" >&2; exit 1; }
	@# nginx for the deployment test (tests/test_deploy_files.py runs deploy/nginx's site
	@# on loopback ports); installed without being started (policy-rc.d says no to the
	@# package's own start: nothing takes port 80 on a developer's machine).
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo ">>> Installing nginx (not started)"; guard=""; \
	    if [ ! -e /usr/sbin/policy-rc.d ]; then \
	      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1; \
	    fi; \
	    { apt-get update -qq && $(APT_INSTALL) nginx-light >/dev/null; }; rc=$$?; \
	    [ -z "$$guard" ] || rm -f /usr/sbin/policy-rc.d; [ $$rc = 0 ] || exit 1; \
	  else echo "WARNING: nginx is not installed: its test is skipped (sudo apt-get install nginx-light)" >&2; fi; \
	fi

# --- Running ----------------------------------------------------------------------
migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0

demo: install-demo migrate
	$(PY) manage.py build_demo --size $(SIZE) --url http://127.0.0.1:$(PORT)/
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# db_worker with a heartbeat every 30 s, which /healthz checks (vanguard/operations).
worker: install migrate
	VANGUARD_TASKS=database $(PY) manage.py worker

# Bytecode is written even where the environment forbids it (container images set
# PYTHONDONTWRITEBYTECODE): pytest rewrites the asserts of its plugins' packages
# (schemathesis, hypothesis, faker...: 320 modules) in every process it starts, and keeps
# the result only where bytecode may be written: 1.4 s of CPU a process otherwise.
test: system-test-deps install-dev
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The deployment on loopback (deploy/check.py): PostgreSQL on 127.0.0.1:5432 trusting the
# user postgres (database vanguard_deploycheck, created and dropped; Debian's cluster is
# started when none answers, as root), Redis on 127.0.0.1:6379 (database 12; one of its
# own when none answers), production settings, migrate, collectstatic, the demo, two
# gunicorn instances and the worker, then the smoke journey, PASS/FAIL per step. It stops
# what it started; the timeout's SIGTERM makes it clean up too.
DEPLOY_CHECK_ARGS ?=
deploy-check: install-demo
	timeout --kill-after=60s 25m $(PY) deploy/check.py --timeout 1380 $(DEPLOY_CHECK_ARGS)

ci:
	bash .ci/run

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy vanguard config
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	VANGUARD_DEVELOPMENT=0 VANGUARD_SECRET_KEY=check-only-$$(head -c 48 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  VANGUARD_ALLOWED_HOSTS=vanguard.example.edu.cn \
	  $(PY) manage.py check --deploy --fail-level WARNING

# Issue 17's benchmark in one command (manage.py bench_pages): every page against a
# hello-world view served by the same gunicorn (2 sync workers, production settings),
# loaded by wrk, at demo size and at SIZE (L unless SIZE=M; SIZE=M is quicker); the
# growth between the two; the bulk jobs (a 30,000-row roster through its import page,
# the registration forms, the statistics workbook); the voting burst (bench_burst, as
# make bench-burst runs it: SQLite, then PostgreSQL at 127.0.0.1:5432 as the user
# postgres); one table with PASS/FAIL per goal, printed and written to
# var/bench/result.md. The built databases are cached in var/bench/cache/ by size and
# the demo builders' code, so reruns skip the build.
# BENCH_ARGS: e.g. --seconds 15 --connections 8, --skip-bulk or --skip-burst.
BENCH_ARGS ?=
bench: install-demo
	@command -v wrk >/dev/null || { $(call apt_ensure,wrk); }
	@mkdir -p var/bench
	$(PY) manage.py bench_pages --size $(if $(filter demo,$(SIZE)),L,$(SIZE)) $(BENCH_ARGS)

# The dashboards timed on an organisation of size L (or SIZE=M) in a database of their own.
BENCH_DASHBOARDS_DB := $(CURDIR)/var/bench-dashboards.sqlite3
bench-dashboards: install-demo
	mkdir -p var
	rm -f $(BENCH_DASHBOARDS_DB) $(BENCH_DASHBOARDS_DB)-wal $(BENCH_DASHBOARDS_DB)-shm
	DATABASE_URL=sqlite:///$(BENCH_DASHBOARDS_DB) $(PY) manage.py migrate --noinput -v 0
	DATABASE_URL=sqlite:///$(BENCH_DASHBOARDS_DB) $(PY) manage.py bench_dashboards \
	  --size $(if $(filter demo,$(SIZE)),L,$(SIZE))

# The card-voting page under load: 1,000 voters in 50 sessions at once through gunicorn
# on loopback (manage.py bench_vote; it stops by itself). First on a fresh SQLite file,
# then in a fresh PostgreSQL database of its own, vanguard_bench_vote, on a server that
# trusts the user postgres (as .ci/run uses it). Both run; either failing fails the target.
BENCH_VOTE_DB := $(CURDIR)/var/bench-vote.sqlite3
BENCH_VOTE_PG_HOST ?= 127.0.0.1
BENCH_VOTE_PG_PORT ?= 5432
BENCH_VOTE_PG := postgres://postgres@$(BENCH_VOTE_PG_HOST):$(BENCH_VOTE_PG_PORT)
BENCH_VOTE_ARGS ?=
bench-vote: install-dev
	@mkdir -p var
	@status=0; \
	echo ">>> bench-vote on SQLite: $(BENCH_VOTE_DB)"; \
	rm -f $(BENCH_VOTE_DB) $(BENCH_VOTE_DB)-wal $(BENCH_VOTE_DB)-shm; \
	{ DATABASE_URL=sqlite:///$(BENCH_VOTE_DB) $(PY) manage.py migrate --noinput -v 0 \
	  && DATABASE_URL=sqlite:///$(BENCH_VOTE_DB) $(PY) manage.py bench_vote $(BENCH_VOTE_ARGS); \
	} || status=1; \
	echo ">>> bench-vote on PostgreSQL: database vanguard_bench_vote at $(BENCH_VOTE_PG_HOST):$(BENCH_VOTE_PG_PORT)"; \
	if ! (exec 3<>/dev/tcp/$(BENCH_VOTE_PG_HOST)/$(BENCH_VOTE_PG_PORT)) 2>/dev/null; then \
	  echo "ERROR: no PostgreSQL answers on $(BENCH_VOTE_PG_HOST):$(BENCH_VOTE_PG_PORT): start one that" \
	    "trusts the user postgres (make ci sets one up when run as root), then run make bench-vote again." >&2; \
	  status=1; \
	elif ! $(PY) -c "import sys, psycopg; \
	    c = psycopg.connect(sys.argv[1] + '/postgres', autocommit=True, connect_timeout=5); \
	    c.execute('DROP DATABASE IF EXISTS vanguard_bench_vote WITH (FORCE)'); \
	    c.execute('CREATE DATABASE vanguard_bench_vote')" "$(BENCH_VOTE_PG)"; then \
	  echo "ERROR: could not create the database vanguard_bench_vote as the user postgres" \
	    "at $(BENCH_VOTE_PG_HOST):$(BENCH_VOTE_PG_PORT) (see above)." >&2; \
	  status=1; \
	else \
	  { DATABASE_URL=$(BENCH_VOTE_PG)/vanguard_bench_vote $(PY) manage.py migrate --noinput -v 0 \
	    && DATABASE_URL=$(BENCH_VOTE_PG)/vanguard_bench_vote $(PY) manage.py bench_vote $(BENCH_VOTE_ARGS); \
	  } || status=1; \
	fi; \
	$(MAKE) --no-print-directory bench-burst || status=1; \
	exit $$status

# The voting burst (issue 17, goal 3): 2,000 voters in 100 sessions of 20 candidates,
# driven by wrk against gunicorn serving config.wsgi_bench, beside a hello-world view in
# the same run (manage.py bench_burst); fresh SQLite file, then fresh PostgreSQL database
# vanguard_bench_burst. PASS needs >= 300 ballots/s, p99 < 500 ms, 0 errors, exact tallies.
BENCH_BURST_DB := $(CURDIR)/var/bench-burst.sqlite3
BENCH_BURST_ARGS ?=
bench-burst: install-dev
	@command -v wrk >/dev/null || { $(call apt_ensure,wrk); }
	@mkdir -p var
	@status=0; \
	echo ">>> bench-burst on SQLite: $(BENCH_BURST_DB)"; \
	rm -f $(BENCH_BURST_DB) $(BENCH_BURST_DB)-wal $(BENCH_BURST_DB)-shm; \
	{ DATABASE_URL=sqlite:///$(BENCH_BURST_DB) $(PY) manage.py migrate --noinput -v 0 \
	  && DATABASE_URL=sqlite:///$(BENCH_BURST_DB) $(PY) manage.py bench_burst $(BENCH_BURST_ARGS); \
	} || status=1; \
	echo ">>> bench-burst on PostgreSQL: database vanguard_bench_burst at $(BENCH_VOTE_PG_HOST):$(BENCH_VOTE_PG_PORT)"; \
	if ! $(PY) -c "import sys, psycopg; \
	    c = psycopg.connect(sys.argv[1] + '/postgres', autocommit=True, connect_timeout=5); \
	    c.execute('DROP DATABASE IF EXISTS vanguard_bench_burst WITH (FORCE)'); \
	    c.execute('CREATE DATABASE vanguard_bench_burst')" "$(BENCH_VOTE_PG)"; then \
	  echo "ERROR: could not create the database vanguard_bench_burst as the user postgres" \
	    "at $(BENCH_VOTE_PG_HOST):$(BENCH_VOTE_PG_PORT) (see above)." >&2; \
	  status=1; \
	else \
	  { DATABASE_URL=$(BENCH_VOTE_PG)/vanguard_bench_burst $(PY) manage.py migrate --noinput -v 0 \
	    && DATABASE_URL=$(BENCH_VOTE_PG)/vanguard_bench_burst $(PY) manage.py bench_burst $(BENCH_BURST_ARGS); \
	  } || status=1; \
	fi; \
	exit $$status

# Past one machine (docs/scale.md): a province-like organisation of MEMBERS members
# (default 1,000,000; MEMBERS=30000 for the comparison) generated with set-based SQL in
# a PostgreSQL database of its own, vanguard_scale (made afresh, dropped afterwards;
# BENCH_SCALE_KEEP=1 keeps it), then the pages timed and their slowest queries explained.
MEMBERS ?= 1000000
BENCH_SCALE_PG := postgres://postgres@$(BENCH_VOTE_PG_HOST):$(BENCH_VOTE_PG_PORT)
BENCH_SCALE_ARGS ?=
bench_scale_db = $(PY) -c "import sys, psycopg; \
	c = psycopg.connect(sys.argv[1] + '/postgres', autocommit=True, connect_timeout=5); \
	c.execute('DROP DATABASE IF EXISTS vanguard_scale WITH (FORCE)'); \
	sys.argv[2:] and c.execute('CREATE DATABASE vanguard_scale')" "$(BENCH_SCALE_PG)"
bench-scale: install-demo
	$(bench_scale_db) create
	@status=0; \
	DATABASE_URL=$(BENCH_SCALE_PG)/vanguard_scale $(PY) manage.py migrate --noinput -v 0 \
	  && DATABASE_URL=$(BENCH_SCALE_PG)/vanguard_scale $(PY) manage.py bench_scale \
	    --members $(MEMBERS) $(BENCH_SCALE_ARGS) || status=1; \
	[ -n "$(BENCH_SCALE_KEEP)" ] || $(bench_scale_db) || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) node_modules static/vendor var/staticfiles
