# Every target runs inside the project's Python >= 3.14.2 environment (scripts/run).
RUN := scripts/run
PYTEST_CORE := $(RUN) python -m pytest -p no:homeassistant -p no:cacheprovider --ignore=tests/ha
PYTEST_HA := $(RUN) python -m pytest -p no:cacheprovider tests/ha

.PHONY: setup test lint types test-core test-ha simulate

setup:  ## Install everything: Python 3.14 env (HA 2026.10, pandas, pyarrow, tools), Chromium, npm packages
	scripts/toolchain.sh

test: setup lint types  ## Lint, type-check and run the whole test suite
	scripts/test-suite

lint:
	$(RUN) ruff check .
	$(RUN) ruff format --check .

types:
	$(RUN) mypy

test-core:  ## Tests without Home Assistant's harness (record, aggregation, site, local GitHub server)
	$(PYTEST_CORE) $(ARGS)

test-ha:  ## Home Assistant integration tests (pytest-homeassistant-custom-component)
	$(PYTEST_HA) $(ARGS)

simulate:  ## Synthetic cohort: make simulate ARGS="--households 50 --days 2 --seed 1 --out /tmp/x"
	$(RUN) python -m aggregation simulate $(ARGS)
