#!/usr/bin/env bash
# Runs every fuzz target in the module for a short while (FUZZTIME, 5s by
# default), one target at a time as `go test -fuzz` requires. Seeds and any
# crashers found are kept in each package's testdata/fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-5s}
status=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u || true)
	for t in $targets; do
		echo "fuzz $pkg $t ($FUZZTIME)"
		if ! go test "$pkg" -run '^$' -fuzz "^${t}\$" -fuzztime "$FUZZTIME"; then
			status=1
		fi
	done
done
exit $status
