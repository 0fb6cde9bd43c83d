# Quick start on a fresh Debian machine (as root or with sudo):
#   make run    install what is missing, then run the controller on an emulated panel
#   make test   install what is missing, then run the whole test suite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LISTEN ?= 127.0.0.1:8080
DRIVER ?= emulated://768x384
export SIGNAGE_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test faults install system-packages test-tools validate preview golden screenshots \
	console-screenshots clean

run: install
	$(BIN)/signage run --driver '$(DRIVER)' --listen $(LISTEN) --seed playlists

test: install test-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Fault a real `signage run` (kill -9, damaged/read-only/full disks, a wrong clock): one line
# a scenario saying whether the wall held. Mount-based scenarios need root.
faults: install
	$(BIN)/signage faultcheck

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

# every sample playlist's items and layouts, every card and the emergency card, as PNGs
screenshots: install
	$(BIN)/python tools/screenshots.py --size $(or $(SIZE),768x384) --out screenshots

# every console page in Vietnamese at 1366x768 and 390x844, in Debian's Chromium, over a demo store
console-screenshots: install test-tools
	$(BIN)/python tools/console_screenshots.py --out $(or $(OUT),screenshots/console)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache signage/render/_blend.*.so
