# Two commands do all the set-up: `make demo` and `make test`.
# Each makes its own virtual environment in .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench notebooks clean

demo: $(VENV)/.installed-demo
	$(BIN)/python -m viz.demo $(ARGS)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

notebooks: $(VENV)/.installed-test
	$(BIN)/python notebooks/execute.py $(ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[viz,plots]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info
