# NpsGrpc developer commands. Each target provisions what it needs: PostgreSQL (a private cluster under
# .pgdata/), the pinned buf linter (tools/node_modules) and the .NET build.
#
#   make run     start the server on 127.0.0.1:50051 against the private 'dev' cluster,
#                or against $ConnectionStrings__Nps when that is set
#   make test    lint the protos and run every test against the private 'test' cluster
#   make demo    start a server, ingest the bundled airline survey with the CLI, print NPS by airline, export Parquet
#   make bench   run the ingest benchmark (1,000,000 responses; see docs/benchmarks.md)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

PG := scripts/pg-cluster.sh
ARTIFACTS := .artifacts
CONFIGURATION ?= Release
BENCH_ROWS ?= 1000000

.PHONY: build build-app run test lint demo bench stop-db clean

build:
	dotnet build NpsGrpc.sln -c $(CONFIGURATION) -v quiet -nologo

# The server and the CLI only, for run and demo.
build-app:
	dotnet build src/NpsGrpc.Server -c $(CONFIGURATION) -v quiet -nologo
	dotnet build src/NpsGrpc.Cli -c $(CONFIGURATION) -v quiet -nologo

tools/node_modules/.bin/buf: tools/package.json tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund --loglevel=error
	touch $@

lint: tools/node_modules/.bin/buf
	cd protos && ../tools/node_modules/.bin/buf lint

run: build-app
	@if [ -z "$${ConnectionStrings__Nps:-}" ]; then export ConnectionStrings__Nps="$$($(PG) start dev)"; fi; \
	scripts/first-key-hint.sh "$(CONFIGURATION)"; \
	dotnet src/NpsGrpc.Server/bin/$(CONFIGURATION)/net10.0/NpsGrpc.Server.dll --contentRoot $(CURDIR)/src/NpsGrpc.Server

test: lint build
	@mkdir -p $(ARTIFACTS)/test-results
	@rm -f $(ARTIFACTS)/test-results/*.trx
	export NPS_TEST_CONNECTION_STRING="$$($(PG) start test)"; \
	dotnet test NpsGrpc.sln -c $(CONFIGURATION) --no-build \
		--logger "trx" --logger "console;verbosity=normal" --results-directory $(ARTIFACTS)/test-results

demo: build-app
	scripts/demo.sh

bench: build
	export NPS_BENCH_CONNECTION_STRING="$$($(PG) start bench)"; \
	dotnet tests/NpsGrpc.Benchmarks/bin/$(CONFIGURATION)/net10.0/NpsGrpc.Benchmarks.dll ingest --rows $(BENCH_ROWS)

# Load 10,000,000 responses through StreamResponses and time NPS queries on rollups, raw rows and DuckDB
# (see docs/benchmarks.md). The load alone takes several minutes.
.PHONY: bench-queries
bench-queries: build
	export NPS_BENCH_CONNECTION_STRING="$$($(PG) start bench)"; \
	dotnet tests/NpsGrpc.Benchmarks/bin/$(CONFIGURATION)/net10.0/NpsGrpc.Benchmarks.dll queries --rows 10000000

# Load 10,000,000 responses straight into PostgreSQL and time three Parquet export runs, each against psql's binary
# \copy, and DuckDB's Parquet writer (see docs/benchmarks.md). The target is judged on the median of the three
# ratios. The whole run takes several minutes.
.PHONY: bench-export
bench-export: build
	export NPS_BENCH_CONNECTION_STRING="$$($(PG) start bench)"; \
	dotnet tests/NpsGrpc.Benchmarks/bin/$(CONFIGURATION)/net10.0/NpsGrpc.Benchmarks.dll export --rows 10000000 --rounds 3

stop-db:
	$(PG) stop dev; $(PG) stop test; $(PG) stop bench; $(PG) stop demo
# Also the clusters that fault tests create, in case a killed test run left one running.
	for cluster in .pgdata/*/; do if [ -d "$$cluster" ]; then $(PG) stop "$$(basename "$$cluster")"; fi; done

clean: stop-db
	rm -rf .pgdata $(ARTIFACTS)
	dotnet clean NpsGrpc.sln -v quiet -nologo

# Python and TypeScript clients (clients/): generated code, tests, and the breaking-change check of the
# protos (docs/protos.md). `make clients` regenerates the code after a proto change.
CLIENT_TS := clients/typescript
CLIENT_DEBIAN_PACKAGES := python3-grpcio python3-protobuf python3-pytest protobuf-compiler protobuf-compiler-grpc openssl
CLIENT_RESULTS := $(ARTIFACTS)/test-results

.PHONY: clients check-clients test-clients breaking client-deps

# Debian packages of the Python client and of its code generation, installed with apt-get when missing.
client-deps:
	@missing=$$(for package in $(CLIENT_DEBIAN_PACKAGES); do dpkg -s $$package >/dev/null 2>&1 || echo $$package; done); \
	if [ -n "$$missing" ]; then \
		echo "installing with apt-get:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(CLIENT_TS)/node_modules/.installed: $(CLIENT_TS)/package.json $(CLIENT_TS)/package-lock.json
	npm ci --prefix $(CLIENT_TS) --no-audit --no-fund --loglevel=error
	touch $@

clients: client-deps $(CLIENT_TS)/node_modules/.installed
	scripts/generate-clients.sh

check-clients: client-deps $(CLIENT_TS)/node_modules/.installed
	scripts/generate-clients.sh --check

breaking: tools/node_modules/.bin/buf
	scripts/buf-breaking.sh
	scripts/test-buf-breaking.sh

# Each suite starts its own server from the build output on a free loopback port and stops it.
test-clients: build client-deps $(CLIENT_TS)/node_modules/.installed
	@mkdir -p $(CLIENT_RESULTS)
	@rm -f $(CLIENT_RESULTS)/*.junit.xml
	export NPS_TEST_CONNECTION_STRING="$$($(PG) start test)"; \
	cd clients/python && /usr/bin/python3 -m pytest -p no:cacheprovider \
		--junitxml=$(CURDIR)/$(CLIENT_RESULTS)/python-client.junit.xml
	export NPS_TEST_CONNECTION_STRING="$$($(PG) start test)"; \
	cd $(CLIENT_TS) && rm -rf dist && node_modules/.bin/tsc -p tsconfig.json && \
	node --test --test-reporter=spec --test-reporter-destination=stdout \
		--test-reporter=junit --test-reporter-destination=$(CURDIR)/$(CLIENT_RESULTS)/typescript-client.junit.xml \
		dist/test/*.test.js

test: check-clients breaking test-clients
# Run 50 concurrent ingest streams and 4 query callers for 60 s against the built server, started as a child process
# on the private 'bench' cluster, and print throughput, latency percentiles and the server's memory and pool figures.
LOAD_STREAMS ?= 50
LOAD_QUERIERS ?= 4
LOAD_DURATION ?= 60s
.PHONY: bench-load
bench-load: build
	export NPS_BENCH_CONNECTION_STRING="$$($(PG) start bench)"; \
	dotnet tests/NpsGrpc.Benchmarks/bin/$(CONFIGURATION)/net10.0/NpsGrpc.Benchmarks.dll load \
		--streams $(LOAD_STREAMS) --queriers $(LOAD_QUERIERS) --duration $(LOAD_DURATION)
