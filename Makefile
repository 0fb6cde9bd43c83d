# Quick start on a fresh Debian machine (as root or with sudo):
#   make run    install what is missing, then run the controller on an emulated panel
#   make test   install what is missing, then run the whole test suite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LISTEN ?= 127.0.0.1:8080
DRIVER ?= emulated://768x384
export SIGNAGE_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test install system-packages test-tools validate preview golden clean

run: install
	$(BIN)/signage run --driver '$(DRIVER)' --listen $(LISTEN) --seed playlists

test: install test-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: system-packages $(VENV)/.installed

system-packages:
	@PYTHON=$(PYTHON) scripts/install-system-packages.sh

test-tools: $(VENV)/.installed
	@scripts/install-test-tools.sh $(BIN)

$(VENV)/.installed: pyproject.toml setup.py signage/render/_blend.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

validate: install
	$(BIN)/signage validate playlists/*.yaml

preview: install
	$(BIN)/signage preview playlists/welcome.yaml --at 1s --out frame.png

golden: install
	$(BIN)/python -m tests.test_golden

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache signage/render/_blend.*.so
