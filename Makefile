# The two everyday commands are `make run` (the whole product on its embedded
# default) and `make test` (every test). Both build the environment first.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
EXTRAS := validation,storage,catalogue,listing,gateway,cli,dev
INSTALLED := $(VENV)/.installed
GENERATED := protos/python/mediacenter/.generated
PROTOS := $(shell find protos/mediacenter -name '*.proto')

.PHONY: install protos run test lint clean

install: $(INSTALLED) $(GENERATED)

# The stubs are generated before the editable install, because the install records where each
# top-level package lives and protos/python/mediacenter must exist by then.
$(INSTALLED): pyproject.toml requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "Python 3.11 is required: set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip==25.3'
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt grpcio-tools
	$(BIN)/python protos/generate.py
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e '.[$(EXTRAS)]'
	touch $(GENERATED) $@

$(GENERATED): $(INSTALLED) $(PROTOS) protos/generate.py
	$(BIN)/python protos/generate.py
	touch $@

protos: $(INSTALLED)
	$(BIN)/python protos/generate.py
	touch $(GENERATED)

run: install
	$(BIN)/mediacenter up

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check services gateway tests bench protos/generate.py

clean:
	rm -rf $(VENV) protos/python/mediacenter
