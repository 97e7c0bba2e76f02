# The two set-up commands of the README: `make demo` and `make test`.
# Both create .venv and install rmtui into it; the stamp file re-installs when
# pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := build/demo-program

.PHONY: demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	@test -f $(DEMO)/program.toml || $(BIN)/rmtui demo $(DEMO)
	@$(BIN)/rmtui -C $(DEMO) participant list
	@echo
	@echo "The demo program is in $(DEMO). Try:"
	@echo "  $(BIN)/rmtui -C $(DEMO) pair list"
	@echo "  $(BIN)/rmtui -C $(DEMO) validate"
	@echo "  $(BIN)/rmtui -C $(DEMO) history"

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build dist .pytest_cache
