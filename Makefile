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

# In a terminal, `make demo` opens the app; elsewhere (a pipe, CI) it prints the
# participants and how to open it.
demo: $(STAMP)
	@test -f $(DEMO)/program.toml || $(BIN)/rmtui demo $(DEMO)
	@if [ -t 0 ] && [ -t 1 ]; then \
		$(BIN)/rmtui -C $(DEMO) tui; \
	else \
		$(BIN)/rmtui -C $(DEMO) participant list; \
		echo; \
		echo "The demo program is in $(DEMO). Open it with:"; \
		echo "  $(BIN)/rmtui -C $(DEMO) tui"; \
		echo "or try $(BIN)/rmtui -C $(DEMO) pair list | validate | history"; \
	fi

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build dist .pytest_cache
