# The two everyday commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k signup"`.
PYTEST_ARGS ?=
# Production-like environment for `check --deploy`: throwaway values, never used to serve.
DEPLOY_CHECK_ENV := DJANGO_SETTINGS_MODULE=config.settings.production \
	SECRET_KEY=deploy-check-$(shell date +%s%N)-not-a-real-key-but-long-enough-for-the-check \
	IDENTITY_HMAC_KEY=deploy-check-identity-key BANK_DETAILS_KEY=deploy-check-bank-details-key \
	ALLOWED_HOSTS=espace-prive.example \
	DATABASE_URL=sqlite:///var/deploy-check.sqlite3

.PHONY: run test install install-dev lint importlint check-deploy pytest faults clean messages screenshots lock audit

# What is installed is the lock: every package at its version, checked against its hashes
# (pip's hash-checking mode), nothing resolved at install time. `make lock` writes the locks.
PIP_INSTALL := $(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $@

# Regenerate requirements.txt and requirements-dev.txt (versions and hashes) from
# requirements*.in and constraints.txt: run it after adding or changing a dependency.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host
lock: $(VENV)/.installed-dev
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

# Known vulnerabilities of the locked set (pip-audit). Fails on a vulnerability; says loudly,
# without failing, when no advisory source can be reached (AUDIT_STRICT=1 makes that fail too).
audit: install-dev
	$(PY) scripts/audit.py requirements.txt requirements-dev.txt

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

.env:
	$(PY) scripts/make_env.py .env

# Development is chosen explicitly: manage.py and config.wsgi default to the production settings.
run: export DJANGO_SETTINGS_MODULE = config.settings.dev
run: install .env
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_setup
	$(PY) manage.py demo_agent > var/demo-agent.txt
	$(PY) scripts/run.py

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/djlint --lint --quiet */templates
	$(MAKE) --no-print-directory importlint

# Which app may import which: the contracts of .importlinter (docs/architecture.md).
importlint: install-dev
	$(BIN)/lint-imports --no-cache

check-deploy: install-dev
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(DEPLOY_CHECK_ENV) $(PY) manage.py check --deploy --fail-level WARNING

pytest: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint check-deploy audit pytest

# The fault suite in full (tests/faults; `make test` runs it bounded): PostgreSQL required,
# e.g. `DATABASE_URL=postgres://postgres@127.0.0.1:5432/monespace make faults`.
FAULT_RUNS ?= 20
FAULT_EMAILS ?= 100
FAULT_COUNT ?= 6
faults: install-dev
	REQUIRE_FAULTS=1 FAULT_RUNS=$(FAULT_RUNS) FAULT_EMAILS=$(FAULT_EMAILS) \
		FAULT_COUNT=$(FAULT_COUNT) $(BIN)/pytest tests/faults -p no:randomly -s $(PYTEST_ARGS)

# After adding or changing text: `make messages`, translate locale/en/LC_MESSAGES/django.po,
# commit the .po and the .mo (tests/core/test_translations.py fails on anything untranslated).
messages: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py update_messages

# The pages at desktop and phone widths into docs/screenshots/ (Chromium; see the script).
screenshots: install-dev
	$(PY) scripts/screenshots.py $(SCREENSHOTS_ARGS)

clean:
	rm -rf $(VENV) var/db.sqlite3 var/mailbox staticfiles
