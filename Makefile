# Two entry points (see README.md): `make demo` and `make test`.
# Both create a virtual environment in $(VENV), install the package with the
# tested stack, pinned in constraints.txt, and the Debian packages the data
# sets and MSP430 build need.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
DEBIAN_PACKAGES := espeak-ng sox dataset-fashion-mnist clang lld mspdebug
PYTEST_WORKERS ?= 2

.PHONY: demo test deps install

$(VENV)/.installed: setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Installs the Debian packages when run as root; otherwise says what to run.
deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	else \
	  echo "Not root: tests that need these Debian packages will be skipped."; \
	  echo "Install them with: sudo apt-get install -y $$missing"; \
	fi

# The main job: har_cnn on the embedded HAR data, trained, pruned by iPrune
# and ePrune, exported and simulated under continuous, 8 mW and 4 mW power.
demo: install deps
	$(PY) scripts/benchmark.py --models=har_cnn \
	  --methods=unpruned,energy,intermittent --out_dir=runs/demo \
	  --markdown= --resume

test: install deps
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q
