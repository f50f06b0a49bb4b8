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
	IDENTITY_HMAC_KEY=deploy-check-identity-key ALLOWED_HOSTS=espace-prive.example \
	DATABASE_URL=sqlite:///var/deploy-check.sqlite3

.PHONY: run test install install-dev lint check-deploy pytest faults clean messages screenshots

$(VENV)/.installed: requirements.in constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.in -c constraints.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.in
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.in -c constraints.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

.env:
	$(PY) scripts/make_env.py .env

run: install .env
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_setup
	$(PY) scripts/run.py

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/djlint --lint --quiet */templates

check-deploy: install-dev
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(DEPLOY_CHECK_ENV) $(PY) manage.py check --deploy --fail-level WARNING

pytest: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint check-deploy pytest

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
