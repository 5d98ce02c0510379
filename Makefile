# Vanguard. The README's two commands are `make demo` and `make test`; everything
# they need is installed from here, so a fresh Debian machine with python3, make
# and npm is enough.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SIZE ?= demo
export VANGUARD_DEVELOPMENT ?= 1

.PHONY: demo test check lint fmt worker install install-dev assets messages migrate bench system-test-deps clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed assets messages
install-dev: $(VENV)/.installed-dev assets messages

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.installed: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	cp node_modules/@picocss/pico/css/pico.min.css static/vendor/
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/
	touch $@

assets: static/vendor/.installed

# Translations are compiled from the committed .po files (needs gettext's msgfmt).
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || $(MAKE) --no-print-directory system-gettext
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

system-gettext:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	else echo "gettext (msgfmt) is missing: sudo apt-get install gettext" >&2; exit 1; fi

# Debian's chromium for the browser tests (a browser download cannot work here)
# and a CJK font so that pages, screenshots and PDFs show Chinese, not boxes.
system-test-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi -e wqy -e "noto sans cjk" || missing="$$missing fonts-wqy-microhei"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "Installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing system packages:$$missing (run: sudo apt-get install$$missing)" >&2; exit 1; fi; \
	fi

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0

demo: install migrate
	$(PY) manage.py build_demo --size $(SIZE)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: install migrate
	VANGUARD_TASKS=database $(PY) manage.py db_worker

test: system-test-deps install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy vanguard config
	$(PY) manage.py makemigrations --check --dry-run
	VANGUARD_DEVELOPMENT=0 VANGUARD_SECRET_KEY=check-only-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  VANGUARD_ALLOWED_HOSTS=vanguard.example.edu.cn \
	  $(PY) manage.py check --deploy --fail-level WARNING

bench: install migrate
	$(PY) manage.py bench_roster_import --rows 30000

clean:
	rm -rf $(VENV) node_modules static/vendor var/staticfiles
