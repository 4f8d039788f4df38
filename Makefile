# Every target runs inside the project's Python >= 3.14.2 environment (scripts/run); test-ha-oldest
# runs the HA tests in the Python 3.13 environment of the oldest supported Home Assistant.
RUN := scripts/run
PYTEST_CORE := $(RUN) python -m pytest -p no:homeassistant -p no:cacheprovider --ignore=tests/ha --ignore=tests/faults/ha
PYTEST_HA := $(RUN) python -m pytest -p no:cacheprovider tests/ha tests/faults/ha
# The oldest run leaves out the tests tests/ha/conftest.py names NEWEST_ONLY.
PYTEST_HA_OLDEST := NFT_TOOLCHAIN=oldest $(PYTEST_HA)

.PHONY: setup test lint types test-core test-ha test-ha-oldest simulate site serve demo demo-sample github-server

setup:  ## Install everything: Python 3.14 env (HA 2026.10, pandas, pyarrow, tools), Chromium, npm packages, Python 3.13 env (HA 2026.1)
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

test-ha:  ## Home Assistant integration tests (pytest-homeassistant-custom-component), newest pinned HA
	$(PYTEST_HA) $(ARGS)

test-ha-oldest:  ## The same on the oldest supported HA (requirements/ha-oldest.txt; no browser or aggregation tests)
	$(PYTEST_HA_OLDEST) $(ARGS)

simulate:  ## Synthetic cohort: make simulate ARGS="--households 50 --days 2 --seed 1 --out /tmp/x"
	$(RUN) python -m aggregation simulate $(ARGS)

site:  ## Build the deployable dashboard into site/dist (views from site/data, sample from site/demo)
	@# npm writes node_modules/.package-lock.json on every install: older than the lock means the lock changed since.
	@[ site/node_modules/.package-lock.json -nt site/package-lock.json ] || (cd site && npm ci --ignore-scripts --no-audit --no-fund)
	scripts/build_site.sh

serve: site  ## Serve site/dist on http://127.0.0.1:8000/ (PORT=...)
	$(RUN) python scripts/serve_site.py --port $(or $(PORT),8000)

demo: setup  ## The whole pipeline on a synthetic cohort, served locally: make demo ARGS="--households 60 --days 7"
	scripts/demo.sh $(ARGS)

demo-sample:  ## Regenerate site/demo/*.json from the generator and the aggregation
	scripts/make_demo_sample.sh

github-server:  ## Local GitHub stand-in for a real Home Assistant: start HA with NEM_FLEX_GITHUB_URL=http://127.0.0.1:8787
	$(RUN) python -m tests.github_server --repo $(or $(REPO),/tmp/nem-flex-github) --port $(or $(PORT),8787) --client-id Ov23liNemFlexTelemetry
