# trucewatch: the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

WEB     := src/trucewatch/web
VENDOR  := $(WEB)/vendor/.stamp
NPM     := $(WEB)/node_modules

.PHONY: demo test lint unit bench clean web

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The dashboard's and the API docs' browser libraries from the npm registry (pinned in
# package-lock.json), copied where the server serves them: no CDN at run time.
# vendor/leaflet, vendor/markercluster (Leaflet.markercluster), vendor/swagger-ui
# (swagger-ui-dist), vendor/redoc (redoc's standalone bundle); each with its licence.
web: $(VENDOR)

$(VENDOR): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	rm -rf $(WEB)/vendor && mkdir -p $(WEB)/vendor/leaflet $(WEB)/vendor/markercluster \
	  $(WEB)/vendor/swagger-ui $(WEB)/vendor/redoc
	cp -R $(NPM)/leaflet/dist/leaflet.js $(NPM)/leaflet/dist/leaflet.css \
	  $(NPM)/leaflet/dist/images $(NPM)/leaflet/LICENSE $(WEB)/vendor/leaflet/
	cp $(NPM)/leaflet.markercluster/dist/leaflet.markercluster.js \
	  $(NPM)/leaflet.markercluster/dist/MarkerCluster.css \
	  $(NPM)/leaflet.markercluster/dist/MarkerCluster.Default.css \
	  $(NPM)/leaflet.markercluster/MIT-LICENCE.txt $(WEB)/vendor/markercluster/
	cp $(NPM)/swagger-ui-dist/swagger-ui-bundle.js $(NPM)/swagger-ui-dist/swagger-ui.css \
	  $(NPM)/swagger-ui-dist/favicon-32x32.png $(NPM)/swagger-ui-dist/LICENSE \
	  $(WEB)/vendor/swagger-ui/
	cp $(NPM)/redoc/bundles/redoc.standalone.js $(NPM)/redoc/bundles/redoc.standalone.js.LICENSE.txt \
	  $(NPM)/redoc/LICENSE $(WEB)/vendor/redoc/
	touch $@

demo: $(STAMP) web
	$(BIN)/trucewatch demo --out demo-out

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

unit: $(STAMP) web
	$(BIN)/pytest -q -n 2 --dist loadfile

test: lint unit

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m benchmarks.run --out bench/results.json

clean:
	rm -rf $(VENV) demo-out bench trucewatch.db trucewatch.db-wal trucewatch.db-shm \
	  $(WEB)/vendor $(WEB)/node_modules
