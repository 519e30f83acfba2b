# The two commands that matter: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format lock bench schemathesis clean-data client-code

run: $(STAMP)
	$(BIN)/python -m ops.run

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --maxprocesses=4

install: $(STAMP)

# The suite's schemathesis run (tests/test_schemathesis.py) with many more examples per
# operation: a few minutes. The suite runs 5 to stay fast.
schemathesis: $(STAMP)
	CLINIC_SCHEMATHESIS_EXAMPLES=200 $(BIN)/python -m pytest tests/test_schemathesis.py

# Reinstall whenever the pins or the project metadata change.
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml client/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . -e ./client
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the full pin sets from requirements*.txt in a scratch environment.
lock:
	rm -rf /tmp/clinic-lock && $(PYTHON) -m venv /tmp/clinic-lock
	/tmp/clinic-lock/bin/pip install --quiet -r requirements.txt
	/tmp/clinic-lock/bin/pip freeze --all --exclude pip --exclude setuptools > requirements.lock
	/tmp/clinic-lock/bin/pip install --quiet -r requirements-dev.txt
	/tmp/clinic-lock/bin/pip freeze --all --exclude pip --exclude setuptools > requirements-dev.lock

# The API client's generated code (client/README.md): its models, from the services' OpenAPI
# documents, and its blocking half, from the async one. The suite fails while they are stale.
client-code: $(STAMP)
	$(BIN)/python -m ops.client_code

bench: $(STAMP)
	$(BIN)/python -m bench

# Deletes the local database and keys (asks first).
clean-data:
	@read -p "Delete .data (the local database)? [y/N] " answer && [ "$$answer" = y ] && rm -rf .data
