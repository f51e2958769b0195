#!/usr/bin/env bash
# e2e.sh — the browser test. Builds tessera, runs it (serve --worker) against
# real PostgreSQL, Redis and MinIO, and drives it with Debian's headless
# Chromium through e2e/thin-path.test.mjs (playwright-core).
#
# It uses the services named by TESSERA_TEST_* (scripts/test.sh exports them);
# without them it starts its own with scripts/services.sh and stops them after.
#
# Knobs: TESSERA_BIN (use this binary instead of building), E2E_TEST (test files,
# space-separated, default e2e/thin-path.test.mjs e2e/uploads.test.mjs e2e/judging.test.mjs e2e/review.test.mjs), E2E_TIMEOUT (seconds, default 600),
# E2E_ARTIFACTS_DIR (default e2e/artifacts: screenshots and the server log),
# KEEP_TMP=1 (keep the temporary directory).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

E2E_TEST=${E2E_TEST:-e2e/thin-path.test.mjs e2e/uploads.test.mjs e2e/judging.test.mjs e2e/review.test.mjs}
E2E_TIMEOUT=${E2E_TIMEOUT:-600}
E2E_ARTIFACTS_DIR=${E2E_ARTIFACTS_DIR:-$ROOT/e2e/artifacts}
ORGANIZER_EMAIL=organizer@e2e.test
ORGANIZER_PASSWORD=organizer-pass-123
ORGANIZER_NAME='E2E Organizer'
DB_NAME=tessera_e2e
BUCKET=tessera-e2e

log() { printf 'e2e: %s\n' "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tessera-e2e.XXXXXX")
SERVER_PID=""
SERVER_LOG=$TMP/server.log
OWN_SERVICES=""

# shellcheck disable=SC2317 # called from the EXIT trap
# stop_server — SIGTERM the server we started, wait for it, SIGKILL if it hangs.
stop_server() {
	[[ -n $SERVER_PID ]] || return 0
	local pid=$SERVER_PID i status=0
	SERVER_PID=""
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 300; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "server (pid $pid) still running 30s after SIGTERM; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	wait "$pid" 2>/dev/null || status=$?
	if ((status != 0)); then
		log "warning: server exited with status $status"
	else
		log "server stopped"
	fi
}

# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
	local rc=$?
	stop_server || true
	if [[ -s $SERVER_LOG ]]; then
		mkdir -p "$E2E_ARTIFACTS_DIR"
		cp "$SERVER_LOG" "$E2E_ARTIFACTS_DIR/server.log" 2>/dev/null || true
		if ((rc != 0)); then
			log "last lines of the server log ($E2E_ARTIFACTS_DIR/server.log):"
			tail -n 60 "$SERVER_LOG" | sed 's/^/    | /' >&2
		fi
	fi
	if [[ -n $OWN_SERVICES ]]; then
		bash "$ROOT/scripts/services.sh" stop "$TMP/services" || true
	fi
	if [[ -n ${KEEP_TMP:-} ]]; then
		log "kept $TMP"
	else
		rm -rf "$TMP"
	fi
	if ((rc == 0)); then log "PASS"; else log "FAIL (exit $rc)"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$SECONDS

# ---------------------------------------------------------------- checks

for f in $E2E_TEST; do [[ -f $f ]] || die "$f not found: nothing to run"; done
command -v node >/dev/null 2>&1 || die "node is missing (Debian: apt-get install -y nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm is missing (Debian: apt-get install -y npm)"

# ---------------------------------------------------------------- services

if [[ -z ${TESSERA_TEST_POSTGRES_URL:-} || -z ${TESSERA_TEST_REDIS_URL:-} || -z ${TESSERA_TEST_S3_ENDPOINT:-} ]]; then
	log "no TESSERA_TEST_* services in the environment; starting my own"
	OWN_SERVICES=1
	bash scripts/services.sh start "$TMP/services"
	# shellcheck disable=SC1091
	source "$TMP/services/env"
fi
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
[[ -x $CHROMIUM ]] || die "no Chromium (set CHROMIUM, or apt-get install -y chromium)"

PSQL=psql
if [[ -n ${TESSERA_TEST_PG_BINDIR:-} && -x $TESSERA_TEST_PG_BINDIR/psql ]]; then
	PSQL=$TESSERA_TEST_PG_BINDIR/psql
fi

# A fresh database beside the test one: same server and role, other name.
pg_base=${TESSERA_TEST_POSTGRES_URL%%\?*}
pg_query=${TESSERA_TEST_POSTGRES_URL#"$pg_base"}
E2E_DATABASE_URL=${pg_base%/*}/$DB_NAME$pg_query
"$PSQL" -X -q -v ON_ERROR_STOP=1 "$TESSERA_TEST_POSTGRES_URL" \
	-c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" \
	-c "CREATE DATABASE $DB_NAME" || die "could not create database $DB_NAME"

# Redis database 1, emptied, so nothing the Go tests queued in 0 is seen.
E2E_REDIS_URL=${TESSERA_TEST_REDIS_URL%/*}/1
if command -v redis-cli >/dev/null 2>&1; then
	redis-cli -u "$E2E_REDIS_URL" flushdb >/dev/null || die "could not empty Redis database 1"
fi

# The bucket (200 created, 409 already there).
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X PUT \
	--aws-sigv4 "aws:amz:us-east-1:s3" \
	--user "$TESSERA_TEST_S3_ACCESS_KEY:$TESSERA_TEST_S3_SECRET_KEY" \
	"http://$TESSERA_TEST_S3_ENDPOINT/$BUCKET" || true)
[[ $code == 200 || $code == 409 ]] || die "could not create bucket $BUCKET (HTTP $code)"

# ---------------------------------------------------------------- server

if [[ -n ${TESSERA_BIN:-} ]]; then
	BIN=$TESSERA_BIN
else
	BIN=$TMP/tessera
	log "building ./cmd/tessera"
	CGO_ENABLED=1 go build -tags turbojpeg -o "$BIN" ./cmd/tessera
fi

PORT=$(bash scripts/services.sh free-port)
BASE_URL=http://127.0.0.1:$PORT

export TESSERA_ADDR=127.0.0.1:$PORT
export TESSERA_BASE_URL=$BASE_URL
export TESSERA_DATA_DIR=$TMP/data
export TESSERA_DATABASE_URL=$E2E_DATABASE_URL
export TESSERA_REDIS_URL=$E2E_REDIS_URL
export TESSERA_S3_ENDPOINT=$TESSERA_TEST_S3_ENDPOINT
export TESSERA_S3_BUCKET=$BUCKET
export TESSERA_S3_ACCESS_KEY=$TESSERA_TEST_S3_ACCESS_KEY
export TESSERA_S3_SECRET_KEY=$TESSERA_TEST_S3_SECRET_KEY
export TESSERA_S3_USE_SSL=false
TESSERA_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export TESSERA_SECRET
mkdir -p "$TESSERA_DATA_DIR"

log "tessera migrate"
"$BIN" migrate || die "tessera migrate failed"
log "tessera admin create-organizer"
"$BIN" admin create-organizer --email "$ORGANIZER_EMAIL" --password "$ORGANIZER_PASSWORD" \
	--name "$ORGANIZER_NAME" || die "tessera admin create-organizer failed"

log "tessera serve --worker on $BASE_URL"
"$BIN" serve --worker >"$SERVER_LOG" 2>&1 </dev/null &
SERVER_PID=$!

ready=""
for ((i = 0; i < 300; i++)); do
	kill -0 "$SERVER_PID" 2>/dev/null || die "server exited before it was ready"
	if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE_URL/readyz" || true) == 200 ]]; then
		ready=1
		break
	fi
	sleep 0.2
done
[[ -n $ready ]] || die "server not ready ($BASE_URL/readyz is not 200) after 60s"
log "server ready (pid $SERVER_PID) after $((SECONDS - t0))s"

# ---------------------------------------------------------------- browser

# npm ci only when node_modules is missing or package-lock.json changed;
# npm's own cache (~/.npm) makes it an offline copy after the first time.
lock_sum=$(cat e2e/package-lock.json <(node --version) | sha256sum | cut -d' ' -f1)
stamp=e2e/node_modules/.tessera-lock.sha256
if [[ ! -d e2e/node_modules || ! -f $stamp || $(cat "$stamp") != "$lock_sum" ]]; then
	log "npm ci"
	(cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefer-offline --no-audit --no-fund) ||
		die "npm ci failed"
	printf '%s\n' "$lock_sum" >"$stamp"
fi

rm -rf "$E2E_ARTIFACTS_DIR"
mkdir -p "$E2E_ARTIFACTS_DIR"
log "node $E2E_TEST"
rc=0
# shellcheck disable=SC2086 # E2E_TEST is a list of files
BASE_URL=$BASE_URL CHROMIUM=$CHROMIUM \
	ORGANIZER_EMAIL=$ORGANIZER_EMAIL ORGANIZER_PASSWORD=$ORGANIZER_PASSWORD \
	E2E_ARTIFACTS_DIR=$E2E_ARTIFACTS_DIR \
	timeout --kill-after=10 "$E2E_TIMEOUT" node --test --test-concurrency=1 $E2E_TEST </dev/null || rc=$?
if ((rc == 124 || rc == 137)); then
	log "browser test timed out after ${E2E_TIMEOUT}s"
fi

# The server must have survived the test.
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
	log "the server died during the browser test"
	((rc != 0)) || rc=1
fi
log "took $((SECONDS - t0))s"
exit "$rc"
