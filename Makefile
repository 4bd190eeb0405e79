# Jiliang (计量) — the single entry point. `make run` and `make test` work on a fresh machine of
# this kind: they install what they need (scripts/deps.sh) and start what they use.
SWIFT ?= swift
PORT ?= 8080
DEMO_INSTRUMENTS ?= 20000
PG_PORT ?= 54329
PG_DIR ?= /tmp/jiliang-pg-$(shell id -u)-$(PG_PORT)

.PHONY: run build test test-sqlite test-postgres test-browser test-schemathesis test-instances test-failover crash soak screenshots openapi openapi-validate protobuf bench bench-province migrate demo clean

## Build, create ./data/jiliang.sqlite, migrate, load a demo province on first start, serve on :$(PORT).
run: build
	.build/debug/jiliang serve --port $(PORT) --demo-if-empty $(DEMO_INSTRUMENTS)

build:
	@bash scripts/deps.sh run
	$(SWIFT) build --product jiliang

## The whole suite on SQLite, then the database-backed suites again on a throwaway PostgreSQL, the
## browser workflows on one instance and on two behind nginx, and Schemathesis.
## Each stage says how long it took (scripts/timed.sh).
test:
	@bash scripts/timed.sh deps bash scripts/deps.sh test
	@bash scripts/timed.sh openapi-validate $(MAKE) openapi-validate
	@bash scripts/timed.sh build-tests $(SWIFT) build --build-tests
	@bash scripts/timed.sh build-jiliang $(SWIFT) build --product jiliang
	@bash scripts/timed.sh test-sqlite $(MAKE) test-sqlite
	@bash scripts/timed.sh test-postgres $(MAKE) test-postgres
	@bash scripts/timed.sh test-browser $(MAKE) test-browser
	@bash scripts/timed.sh test-instances $(MAKE) test-instances
	@bash scripts/timed.sh test-failover $(MAKE) test-failover
	@bash scripts/timed.sh test-schemathesis $(MAKE) test-schemathesis

test-sqlite:
	$(SWIFT) test --skip-build

test-postgres:
	@url=$$(bash scripts/pg.sh start $(PG_DIR) $(PG_PORT)) && \
	  echo "PostgreSQL test cluster: $$url" && \
	  JILIANG_TEST_POSTGRES=$$url $(SWIFT) test --skip-build --filter 'JiliangStoreTests|JiliangServerTests'; \
	  status=$$?; bash scripts/pg.sh stop $(PG_DIR); exit $$status

## The kill harness (issue #22, item 1): a real server SIGKILLed $(KILLS) times during each write path
## (workflow writes, ledger publication, imports, telemetry ingest), on SQLite then PostgreSQL;
## `make test` runs it with 3 kills per path.
KILLS ?= 20
crash:
	@bash scripts/deps.sh test
	$(SWIFT) build --build-tests
	$(SWIFT) build --product jiliang
	JILIANG_KILLS=$(KILLS) $(SWIFT) test --skip-build --filter CrashSafetyTests
	@url=$$(bash scripts/pg.sh start $(PG_DIR) $(PG_PORT)) && \
	  JILIANG_TEST_POSTGRES=$$url JILIANG_KILLS=$(KILLS) $(SWIFT) test --skip-build --filter CrashSafetyTests; \
	  status=$$?; bash scripts/pg.sh stop $(PG_DIR); exit $$status

## Two instances behind nginx on one PostgreSQL, the browser workflows through the proxy (issue #22, item 2).
test-instances:
	bash scripts/two-instances-test.sh

## PostgreSQL failover under a running server (Patroni, etcd, HAProxy; issue #22 item 3).
test-failover:
	bash scripts/failover-test.sh

## The soak (issue #22, item 5): an hour (SOAK_MINUTES) at half the measured peak of mixed traffic on
## PostgreSQL; memory, descriptors, connections and latency per 5-minute round, on a release build
## (SOAK_BIN=.build/debug/jiliang after `make build` for a debug one). Not run by CI.
soak:
	@bash scripts/deps.sh bench
	[ -n "$$SOAK_BIN" ] || $(SWIFT) build -c release --product jiliang
	SOAK_BIN=$${SOAK_BIN:-.build/release/jiliang} bash scripts/soak.sh

## The workflows end to end in headless Chromium (Selenium), against a server it starts itself.
test-browser:
	bash scripts/browser-test.sh

## Schemathesis against the served /api/v1/openapi.yaml as one demo account of each role: no 5xx, every answer as documented (issue #17).
test-schemathesis:
	bash scripts/schemathesis.sh

## PNGs of the main pages at desktop and phone width, in ./screenshots.
screenshots: build
	@bash scripts/deps.sh screenshots
	bash scripts/browser-test.sh --screenshots $(CURDIR)/screenshots

## Validates the OpenAPI 3.1 document (the API contract).
openapi-validate:
	python3 -m openapi_spec_validator Sources/JiliangAPI/openapi.yaml

## Regenerates Sources/JiliangTelemetry/Generated from proto/telemetry.proto with Debian's protoc
## and swift-protobuf's plugin (generated code is committed; normal builds never run this).
protobuf:
	command -v protoc >/dev/null || apt-get install -y protobuf-compiler
	cd Tools/protobuf-gen && $(SWIFT) build --product protoc-gen-swift --scratch-path ../../.build-protobuf
	protoc --plugin=protoc-gen-swift=.build-protobuf/debug/protoc-gen-swift --swift_opt=Visibility=Public \
	  --swift_out=Sources/JiliangTelemetry/Generated -I proto proto/telemetry.proto

## Regenerates Sources/JiliangAPI/Generated from openapi.yaml (generated code is committed).
openapi:
	cd Tools/openapi-gen && $(SWIFT) build --product swift-openapi-generator --scratch-path ../../.build-openapi
	.build-openapi/debug/swift-openapi-generator generate --config Sources/JiliangAPI/openapi-generator-config.yaml \
	  --output-directory Sources/JiliangAPI/Generated Sources/JiliangAPI/openapi.yaml

migrate: build
	.build/debug/jiliang migrate

demo: build
	.build/debug/jiliang demo --instruments $(DEMO_INSTRUMENTS)

## Benchmarks (release build); results go to BENCHMARKS.md by hand with the machine and date.
bench:
	@bash scripts/deps.sh bench
	bash scripts/bench.sh

## Issue #4 at province scale: the statistics bench on a 10M-instrument demo, SQLite and PostgreSQL (hours).
bench-province:
	@bash scripts/deps.sh bench
	bash scripts/bench-province.sh

clean:
	rm -rf .build .build-openapi .build-protobuf data
