# trucewatch: the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

WEB     := src/trucewatch/web
LEAFLET := $(WEB)/vendor/leaflet/leaflet.js

.PHONY: demo test lint unit bench clean web

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Leaflet from the npm registry, copied where the dashboard serves it (no CDN at run time).
web: $(LEAFLET)

$(LEAFLET): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	rm -rf $(WEB)/vendor/leaflet && mkdir -p $(WEB)/vendor/leaflet
	cp -R $(WEB)/node_modules/leaflet/dist/leaflet.js $(WEB)/node_modules/leaflet/dist/leaflet.css \
	  $(WEB)/node_modules/leaflet/dist/images $(WEB)/node_modules/leaflet/LICENSE $(WEB)/vendor/leaflet/

demo: $(STAMP) web
	$(BIN)/trucewatch demo --out demo-out

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

unit: $(STAMP) web
	$(BIN)/pytest -q

test: lint unit

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m benchmarks.run --out bench/results.json

clean:
	rm -rf $(VENV) demo-out bench trucewatch.db trucewatch.db-wal trucewatch.db-shm \
	  $(WEB)/vendor $(WEB)/node_modules
