#!/usr/bin/env bash
# test.sh — everything `make test` (and so CI) checks, against real services:
#   1. start PostgreSQL, Redis and MinIO on loopback (scripts/services.sh)
#   2. go vet ./...
#   3. gofmt -l . is empty
#   4. go test -race -count=1 -tags turbojpeg ./... (and the media tests in the pure-Go build)
#   5. docker-compose.yml parses (when a compose client is installed)
#   6. scripts/fuzz.sh, when it exists (short fuzz runs)
#   7. scripts/e2e.sh (the real binary driven by headless Chromium)
# Every step runs even when an earlier one failed (except when the services
# cannot start), so one run shows every problem; the exit status is non-zero
# when any step failed. Services are stopped on exit, whatever happens.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

GO_TEST_TIMEOUT=${GO_TEST_TIMEOUT:-20m}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tessera-test.XXXXXX")
SERVICES=$TMP/services
cleanup() {
	local rc=$?
	bash "$ROOT/scripts/services.sh" stop "$SERVICES" || true
	if [[ -n ${KEEP_TMP:-} ]]; then
		echo "test: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

declare -a SUMMARY=()
FAILED=0

# step NAME CMD... — run one step, time it, record its outcome.
step() {
	local name=$1 t0=$SECONDS rc=0
	shift
	printf '\n==> %s\n' "$name"
	"$@" || rc=$?
	local took=$((SECONDS - t0))
	if ((rc == 0)); then
		SUMMARY+=("$(printf 'PASS  %-28s %4ds' "$name" "$took")")
	else
		SUMMARY+=("$(printf 'FAIL  %-28s %4ds  (exit %d)' "$name" "$took" "$rc")")
		FAILED=$((FAILED + 1))
	fi
	return "$rc"
}

GO_PACKAGES=""

summary() {
	printf '\n==> summary\n'
	printf '  %s\n' "${SUMMARY[@]}"
	[[ -z $GO_PACKAGES ]] || printf '  go test packages: %s\n' "$GO_PACKAGES"
	if ((FAILED == 0)); then
		printf 'test: all %d steps passed\n' "${#SUMMARY[@]}"
	else
		printf 'test: %d of %d steps FAILED\n' "$FAILED" "${#SUMMARY[@]}"
	fi
}

gofmt_check() {
	local out
	out=$(gofmt -l .) || {
		echo "gofmt failed (a file does not parse?)"
		return 1
	}
	out=$(grep -v -e '^e2e/node_modules/' <<<"$out" || true)
	if [[ -n $out ]]; then
		echo "these files need gofmt (run: make fmt):"
		printf '  %s\n' "$out"
		return 1
	fi
	echo "gofmt: clean"
}

go_test() {
	local log=$TMP/go-test.log rc=0
	# -v so the log names every subtest; the console shows packages, the
	# backend each storage/queue/DB test ran on, and any failure in full.
	CGO_ENABLED=1 go test -race -count=1 -v -tags turbojpeg -timeout "$GO_TEST_TIMEOUT" ./... >"$log" 2>&1 || rc=$?
	grep -E '^(ok|FAIL|\?)[[:space:]]' "$log" || true
	echo
	echo "backends exercised (subtests named for the backend they ran on):"
	grep -E '^ {4}--- (PASS|FAIL|SKIP): [A-Za-z0-9_]+/(sqlite|postgres|local|s3|embedded|redis|real) ' "$log" | sed 's/^ */  /' || true
	if ((rc != 0)); then
		echo
		echo "go test failures (full output of failing tests):"
		grep -vE '^(=== (RUN|PAUSE|CONT|NAME)|[[:space:]]*--- (PASS|SKIP))' "$log" | grep -vE '^(ok|\?)[[:space:]]' | sed 's/^/  /' || true
	fi
	local passed failed
	passed=$(grep -cE '^[[:space:]]*--- PASS' "$log" || true)
	failed=$(grep -cE '^[[:space:]]*--- FAIL' "$log" || true)
	GO_PACKAGES=$(printf '%d ok, %d failed, %d without tests' \
		"$(grep -c '^ok ' "$log" || true)" "$(grep -c '^FAIL[[:space:]]' "$log" || true)" \
		"$(grep -c '^?' "$log" || true)")
	echo
	echo "go test: $passed passed, $failed failed"
	return "$rc"
}

# compose_check — docker-compose.yml still parses, when a compose client is
# here (no engine needed); skipped otherwise.
compose_check() {
	if docker compose version >/dev/null 2>&1; then
		docker compose -f docker-compose.yml config --quiet
	elif command -v docker-compose >/dev/null 2>&1; then
		docker-compose -f docker-compose.yml config --quiet
	else
		echo "no docker compose client; skipped"
	fi
}

fuzz() {
	if [[ -f scripts/fuzz.sh ]]; then
		bash scripts/fuzz.sh
	else
		echo "no scripts/fuzz.sh; skipped"
	fi
}

echo "test: go $(go env GOVERSION), $(nproc) cores, temp dir $TMP"

if ! step "services" bash scripts/services.sh start "$SERVICES"; then
	summary
	exit 1
fi
# shellcheck disable=SC1091
source "$SERVICES/env"

step "go vet" bash -c "go vet ./... && CGO_ENABLED=1 go vet -tags turbojpeg ./internal/media/" || true
step "gofmt" gofmt_check || true
step "go test -race" go_test || true
# The suite runs the build that ships (libjpeg-turbo through cgo, which
# services.sh installs); the pure-Go JPEG fallback (no C compiler or
# library, docs/MEDIA.md) runs the media tests too.
step "go test media, pure-Go JPEG" env CGO_ENABLED=0 go test -count=1 ./internal/media/ || true
step "compose config" compose_check || true
step "fuzz" fuzz || true
step "e2e (browser)" bash scripts/e2e.sh || true

summary
((FAILED == 0))
