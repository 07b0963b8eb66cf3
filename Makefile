# flexmap — make help lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
RELEASE_BIN := .build/release/flexmap
# Debian packages the build, tests and benchmarks need.
DEB_PACKAGES := pkg-config libsqlite3-dev sqlite3 libcsv-dev libphonenumber-dev libsimdjson-dev \
	libre2-dev libprotobuf-dev libssl-dev libcurl4-openssl-dev libmicrohttpd-dev wrk curl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# libFuzzer targets (Fuzz/<name>/<name>.swift); `make fuzz SECONDS=60 FUZZ="FuzzCSV FuzzGor"` picks some.
FUZZ ?= FuzzCSV FuzzNDJSON FuzzHAR FuzzGor FuzzCapture FuzzMapping FuzzFieldPath FuzzCredentials FuzzForm FuzzServe
SECONDS ?= 60
CHECK_FUZZ_SECONDS ?= 10
# Kept free of swift-format warnings: `make lint` and `make check` fail on any.
LINTED := Sources Tests Package.swift Fuzz

.PHONY: help deps build release demo test bench bench-serve bench-replay bench-phone check-phone clean lint format fuzz check

help: ## List the targets
	@echo "flexmap — make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

deps: ## Install the Debian packages that are missing (apt-get)
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	else echo "All Debian packages present."; fi

build: deps ## Debug build
	$(SWIFT) build

release: deps ## Release build (.build/release/flexmap)
	$(SWIFT) build -c release --product flexmap

demo: release ## Install, build, and import the bundled fixtures into a fresh store
	@set -e; dir=$$(mktemp -d /tmp/flexmap-demo.XXXXXX); bin=$$PWD/$(RELEASE_BIN); fx=$$PWD/Fixtures; \
	echo "== store: $$dir/flexmap.db"; \
	$$bin init --db $$dir/flexmap.db; \
	echo; echo "== HubSpot CSV export"; \
	$$bin import --db $$dir/flexmap.db --input $$fx/demo/hubspot-contacts.csv --mapping $$fx/mappings/hubspot.json --report $$dir/reports/hubspot; \
	echo; echo "== Form builder NDJSON (nested answers)"; \
	$$bin import --db $$dir/flexmap.db --input $$fx/demo/form-leads.ndjson --mapping $$fx/mappings/form-leads.json --report $$dir/reports/form; \
	echo; echo "== German Excel export (sep=;, BOM, CRLF), dry run first"; \
	$$bin import --db $$dir/flexmap.db --input $$fx/demo/excel-export-de.csv --mapping $$fx/mappings/excel-de.json --dry-run --report $$dir/reports/excel-dry-run; \
	$$bin import --db $$dir/flexmap.db --input $$fx/demo/excel-export-de.csv --mapping $$fx/mappings/excel-de.json --report $$dir/reports/excel; \
	echo; echo "== contacts stored: $$(sqlite3 $$dir/flexmap.db 'SELECT count(*) FROM contacts' 2>/dev/null || echo '?')"; \
	echo "Reports: $$dir/reports/*/report.html"

test: deps ## Build and run every test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: release ## Benchmarks (writes reports/benchmarks.md)
	bench/run.sh

bench-serve: release ## serve benchmark alone: wrk against serve and an empty endpoint (appends to reports/benchmarks.md)
	$(SWIFT) build -c release --product bench-echo
	bench/serve_bench.sh reports/benchmarks.md

bench-replay: release ## replay benchmark alone: beside wrk and a C libcurl loop, open-model rates (appends to reports/benchmarks.md)
	$(SWIFT) build -c release --product bench-echo
	bench/replay_bench.sh reports/benchmarks.md

bench-phone: deps ## Phone validation throughput, fast path vs libphonenumber (writes reports/phone-benchmark.md)
	$(SWIFT) build -c release --product phone-bench
	.build/release/phone-bench --out reports/phone-benchmark.md

check-phone: deps ## The fast phone path against libphonenumber: 5M random inputs + every region's examples (~2 min)
	$(SWIFT) build -c release --product phone-bench
	.build/release/phone-bench --diff 5000000
	.build/release/phone-bench --sweep

fuzz: deps ## Fuzz each input reader, the loader and serve for SECONDS (default 60) each; crashes go to .build-fuzz/crashes
	SWIFT=$(SWIFT) Fuzz/run.sh $(SECONDS) $(FUZZ)

check: deps ## Build, run every test, lint, then a short fuzz pass (CHECK_FUZZ_SECONDS per target)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(SWIFT) format lint --strict --recursive $(LINTED)
	SWIFT=$(SWIFT) Fuzz/run.sh $(CHECK_FUZZ_SECONDS) $(FUZZ)

lint: ## swift-format lint, strict (any warning fails)
	$(SWIFT) format lint --strict --recursive $(LINTED)

format: ## swift-format in place
	$(SWIFT) format --in-place --recursive $(LINTED)

clean: ## Remove build products
	rm -rf .build .build-*
