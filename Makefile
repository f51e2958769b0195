# Tessera — everyday commands. `make test` is what CI runs (.ci/run).
GO      ?= go
BIN     ?= bin/tessera
SERVICES_DIR ?= .services
# JPEG codec: libjpeg-turbo through cgo (DCT-scaled decode, docs/MEDIA.md)
# when its header and a C compiler are here, else the pure-Go fallback.
TAGS    ?= $(shell bash scripts/gotags.sh)

.PHONY: all run build test vet fmt fmt-check e2e services-up services-down clean

all: build

## build: compile the tessera binary into bin/
build:
	@if [ -z "$(TAGS)" ]; then echo "note: libturbojpeg0-dev (or a C compiler) is missing: building the pure-Go JPEG codec, about 2.5x slower on large photos (docs/MEDIA.md)"; fi
	$(GO) build -tags '$(TAGS)' -o $(BIN) ./cmd/tessera

## run: the embedded demo (SQLite, local objects, in-process queue) under ./data
run: build
	./$(BIN) demo

## test: vet, gofmt, go test -race against real PostgreSQL/Redis/MinIO, fuzz, browser test
test:
	bash scripts/test.sh

## vet: go vet ./...
vet:
	$(GO) vet ./...

## fmt: rewrite Go files with gofmt
fmt:
	gofmt -l -w .

## fmt-check: fail when a Go file is not gofmt'ed
fmt-check:
	@out=$$(gofmt -l . | grep -v '^e2e/node_modules/' || true); \
	if [ -n "$$out" ]; then echo "needs gofmt:"; echo "$$out"; exit 1; fi

## e2e: only the browser test (starts its own services unless TESSERA_TEST_* are set)
e2e:
	bash scripts/e2e.sh

## services-up: start PostgreSQL, Redis and MinIO for `go test` by hand;
##              then: source .services/env && go test ./...
services-up:
	bash scripts/services.sh start $(SERVICES_DIR)
	@echo "now: source $(SERVICES_DIR)/env"

## services-down: stop what services-up started
services-down:
	bash scripts/services.sh stop $(SERVICES_DIR)
	rm -rf $(SERVICES_DIR)

clean:
	rm -rf bin e2e/artifacts
