# Two commands do all the set-up: `make demo` and `make test`.
# Each target makes the virtual environment .venv on first use and installs what it needs there;
# everything written goes to build/ (ignored by git), except `make demo`'s files in demo_output/.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench notebooks exercises lab docs clean

demo: $(VENV)/.installed-demo
	$(BIN)/python -m viz.demo $(ARGS)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

notebooks: $(VENV)/.installed-test
	$(BIN)/python notebooks/execute.py $(ARGS)

exercises: $(VENV)/.installed-test
	$(BIN)/python notebooks/make_exercises.py $(ARGS)

lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ARGS)

docs: $(VENV)/.installed-docs
	$(BIN)/python -m sphinx -W --keep-going -q -b html -c docs -d build/docs-doctrees . build/docs $(ARGS)
	@echo "The documentation is in build/docs: open build/docs/index.html"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[viz,plots]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $@

# Jupyter Lab's defaults in this environment only (not user-wide): .md files open as notebooks
# (Jupytext), and a notebook starts the environment's Python kernel without asking.
LAB_DEFAULTS = {"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook"}}, \
	"@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": true}}

$(VENV)/.installed-lab: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	mkdir -p $(VENV)/etc/jupyter/labconfig
	echo '$(LAB_DEFAULTS)' > $(VENV)/etc/jupyter/labconfig/default_setting_overrides.json
	touch $@

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info
