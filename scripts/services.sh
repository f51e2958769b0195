#!/usr/bin/env bash
# services.sh — start and stop real PostgreSQL, Redis and MinIO on loopback for
# the tests, each in (or recorded in) a directory of the caller's choosing.
#
#   scripts/services.sh start DIR   install what is missing, start the three
#                                   services on free loopback ports, and write
#                                   DIR/env (lines `export VAR=value`)
#   scripts/services.sh stop DIR    stop exactly the processes `start DIR`
#                                   started (by the PIDs recorded in DIR)
#
#   scripts/services.sh free-port   print a free loopback port
#
# Missing tools are installed from Debian's packages (as root only); MinIO is
# built once with `go install` into ${TESSERA_CACHE:-$HOME/.cache/tessera}/bin.
# Nothing is ever stopped by name: only the PIDs recorded in DIR.
set -euo pipefail

MINIO_MODULE=github.com/minio/minio
# Release tags are refused by the module proxy here; use this exact pseudo-version.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

PG_USER=tessera
PG_PASSWORD=tessera
PG_DB=tessera_test
S3_ACCESS_KEY=tessera-test
S3_SECRET_KEY=tessera-test-secret
S3_BUCKET=tessera-test
START_TIMEOUT=${TESSERA_SERVICES_TIMEOUT:-60} # seconds, per service

log() { printf 'services: %s\n' "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

usage() {
	echo "usage: $0 start DIR | stop DIR | free-port" >&2
	exit 2
}

# show_log FILE — print the last lines of a service's log to stderr.
show_log() {
	local f=$1
	if [[ -r $f ]]; then
		log "last lines of $f:"
		tail -n 40 "$f" | sed 's/^/    | /' >&2
	else
		log "(no log at $f)"
	fi
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# alive PID — true if PID names a running (not zombie) process.
alive() {
	local pid=$1 state
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[[ -r /proc/$pid/stat ]] || return 1
	state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
	[[ -n $state && $state != Z && $state != X ]]
}

# comm_is PID NAME — true if the running process PID is the program NAME.
comm_is() {
	local comm
	comm=$(cat "/proc/$1/comm" 2>/dev/null || true)
	[[ $comm == "$2" ]]
}

# ---------------------------------------------------------------- ports

USED_PORTS=" "

port_in_use() {
	# Something accepts connections there?
	if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
		return 0
	fi
	# Can we bind it ourselves? (catches listeners on other addresses too)
	if command -v python3 >/dev/null 2>&1; then
		python3 - "$1" <<'EOF' 2>/dev/null || return 0
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.close()
EOF
	fi
	return 1
}

# free_port — sets REPLY to a free loopback port not handed out before in this
# run. Ports come from 20000-31999, below the kernel's ephemeral range, so
# outgoing connections do not take them in the meantime.
free_port() {
	local p i
	for ((i = 0; i < 300; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		[[ $USED_PORTS == *" $p "* ]] && continue
		port_in_use "$p" && continue
		USED_PORTS+="$p "
		REPLY=$p
		return 0
	done
	die "found no free loopback port"
}

# ---------------------------------------------------------------- tools

# pg_bindir — prints the newest PostgreSQL server binaries directory, e.g.
# /usr/lib/postgresql/16/bin (version order, so 16 beats 9.6).
pg_bindir() {
	local d best
	best=$(for d in /usr/lib/postgresql/*/bin; do
		if [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]]; then
			printf '%s\n' "$d"
		fi
	done | sort -V | tail -n 1)
	[[ -n $best ]] || return 1
	printf '%s\n' "$best"
}

ensure_tools() {
	local -a missing=()
	pg_bindir >/dev/null || missing+=(postgresql)
	if ! command -v psql >/dev/null 2>&1 && ! pg_bindir >/dev/null; then
		missing+=(postgresql-client)
	fi
	command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
	command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
	{ command -v ffmpeg && command -v ffprobe; } >/dev/null 2>&1 || missing+=(ffmpeg)
	command -v chromium >/dev/null 2>&1 || missing+=(chromium)
	{ command -v pdftotext && command -v pdftoppm && command -v pdfinfo; } >/dev/null 2>&1 || missing+=(poppler-utils)
	# The media tests and benchmarks: exiftool reads every derivative back
	# for leaked metadata; vips makes CMYK/progressive/WebP fixtures and is
	# the benchmark's reference (vipsthumbnail); libturbojpeg0-dev serves
	# the `-tags turbojpeg` build that ships (DCT-scaled JPEG decode).
	command -v exiftool >/dev/null 2>&1 || missing+=(libimage-exiftool-perl)
	{ command -v vips && command -v vipsthumbnail; } >/dev/null 2>&1 || missing+=(libvips-tools)
	[[ -e /usr/include/turbojpeg.h ]] || missing+=(libturbojpeg0-dev)
	command -v curl >/dev/null 2>&1 || missing+=(curl)
	if ((${#missing[@]} > 0)); then
		if ! is_root; then
			die "missing packages: ${missing[*]}; install them (as root: apt-get update && apt-get install -y ${missing[*]}) and run again"
		fi
		log "installing ${missing[*]} (apt-get)"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2 || die "apt-get update failed"
		apt-get install -y -qq "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
	fi
	pg_bindir >/dev/null || die "no PostgreSQL server found in /usr/lib/postgresql/*/bin after install"
	if is_root; then
		id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run PostgreSQL as"
		command -v runuser >/dev/null 2>&1 || die "runuser (util-linux) is missing"
	fi
}

# minio_bin — prints the path of the MinIO binary, building it once if needed.
minio_bin() {
	local cache=${TESSERA_CACHE:-$HOME/.cache/tessera}
	local bin=$cache/bin/minio
	if [[ ! -x $bin ]]; then
		command -v go >/dev/null 2>&1 || die "go is needed to build MinIO into $cache/bin"
		mkdir -p "$cache/bin"
		log "building MinIO ($MINIO_MODULE@$MINIO_VERSION) into $cache/bin; this takes several minutes, once"
		(cd / && GOBIN=$cache/bin GOFLAGS='' go install "$MINIO_MODULE@$MINIO_VERSION") >&2 ||
			die "go install $MINIO_MODULE@$MINIO_VERSION failed"
		[[ -x $bin ]] || die "go install did not produce $bin"
	fi
	printf '%s\n' "$bin"
}

# ---------------------------------------------------------------- postgres

# as_pg CMD... — run CMD as the postgres user when root (PostgreSQL refuses to
# run as root), else as ourselves; from a directory that user can enter.
as_pg() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

start_postgres() {
	local bindir pgroot data sock port attempt url
	bindir=$(pg_bindir)
	# The data directory must belong to the user running the server, and that
	# user must reach it: keep it in its own directory under /tmp, recorded in DIR.
	pgroot=$(mktemp -d /tmp/tessera-pg.XXXXXX)
	printf '%s\n' "$pgroot" >"$DIR/pg.root"
	printf '%s\n' "$bindir" >"$DIR/pg.bindir"
	if is_root; then
		chown postgres: "$pgroot"
	fi
	data=$pgroot/data
	sock=$pgroot
	local pglog=$pgroot/postgres.log
	ln -sf "$pglog" "$DIR/postgres.log"

	as_pg "$bindir/initdb" -D "$data" -U postgres -E UTF8 --locale=C --no-sync \
		--auth-local=trust --auth-host=scram-sha-256 >"$DIR/initdb.log" 2>&1 || {
		show_log "$DIR/initdb.log"
		die "initdb failed"
	}

	for attempt in 1 2 3; do
		free_port
		port=$REPLY
		if as_pg "$bindir/pg_ctl" -D "$data" -l "$pglog" -w -t "$START_TIMEOUT" -o \
			"-c listen_addresses=127.0.0.1 -p $port -k $sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
			start >"$DIR/pg_ctl.log" 2>&1; then
			break
		fi
		show_log "$pglog"
		# a started-but-not-ready server must not be left behind
		if [[ -r $data/postmaster.pid ]]; then
			as_pg "$bindir/pg_ctl" -D "$data" stop -m immediate -w >/dev/null 2>&1 || true
		fi
		((attempt < 3)) || die "PostgreSQL did not start (see $pglog)"
		log "PostgreSQL did not start on port $port; trying another port"
	done
	head -n 1 "$data/postmaster.pid" >"$DIR/postgres.pid"

	if ! "$bindir/psql" -X -q -h "$sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
		-c "CREATE ROLE $PG_USER LOGIN SUPERUSER PASSWORD '$PG_PASSWORD'" \
		-c "CREATE DATABASE $PG_DB OWNER $PG_USER" >"$DIR/pg-setup.log" 2>&1; then
		show_log "$DIR/pg-setup.log"
		die "could not create role and database in PostgreSQL"
	fi
	url="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$port/$PG_DB?sslmode=disable"
	# prove the URL works over TCP with the password
	if ! "$bindir/psql" -X -q -At "$url" -c 'select 1' >/dev/null 2>"$DIR/pg-check.log"; then
		show_log "$DIR/pg-check.log"
		die "PostgreSQL does not answer at $url"
	fi

	PG_URL=$url
	PG_BINDIR=$bindir
	log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $(cat "$DIR/postgres.pid"))"
}

# ---------------------------------------------------------------- redis

redis_ping() {
	local port=$1 reply
	if command -v redis-cli >/dev/null 2>&1; then
		reply=$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null || true)
	else
		reply=$( { exec 3<>"/dev/tcp/127.0.0.1/$port"; printf "PING\r\n" >&3; timeout 2 head -c 7 <&3; } 2>/dev/null || true)
	fi
	[[ $reply == *PONG* ]]
}

start_redis() {
	local port attempt i pid=""
	local pidfile=$DIR/redis.pid logfile=$DIR/redis.log
	for attempt in 1 2 3; do
		free_port
		port=$REPLY
		rm -f "$pidfile"
		: >"$logfile"
		redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
			--daemonize yes --pidfile "$pidfile" --dir "$DIR" --logfile "$logfile" </dev/null ||
			die "redis-server failed to start"
		for ((i = 0; i < START_TIMEOUT * 5; i++)); do
			pid=$(cat "$pidfile" 2>/dev/null || true)
			if [[ -n $pid ]] && redis_ping "$port"; then
				REDIS_PORT=$port
				log "Redis $(redis-server --version | awk '{print $3}' | sed 's/^v=//') on 127.0.0.1:$port (pid $pid)"
				return 0
			fi
			# gave up early: it wrote why in its log and exited
			if grep -q -e 'Address already in use' -e 'Could not create server TCP' "$logfile" 2>/dev/null; then
				break
			fi
			sleep 0.2
		done
		show_log "$logfile"
		if [[ -n $pid ]] && alive "$pid" && comm_is "$pid" redis-server; then
			kill -TERM "$pid" 2>/dev/null || true
		fi
		((attempt < 3)) || die "Redis did not answer PING on port $port within ${START_TIMEOUT}s"
		log "Redis did not start on port $port; trying another port"
	done
}

# ---------------------------------------------------------------- minio

start_minio() {
	local bin port cport attempt i pid code
	local logfile=$DIR/minio.log
	bin=$(minio_bin)
	mkdir -p "$DIR/minio"
	for attempt in 1 2 3; do
		free_port
		port=$REPLY
		free_port
		cport=$REPLY
		# setsid: its own session, so a terminal's ^C or hang-up does not reach it;
		# started from a non-interactive shell it is not a group leader, so setsid
		# execs in place and $! is MinIO's own PID.
		MINIO_ROOT_USER=$S3_ACCESS_KEY MINIO_ROOT_PASSWORD=$S3_SECRET_KEY \
			MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CI_CD=1 \
			setsid "$bin" server --quiet --address "127.0.0.1:$port" \
			--console-address "127.0.0.1:$cport" "$DIR/minio" >"$logfile" 2>&1 </dev/null &
		pid=$!
		printf '%s\n' "$pid" >"$DIR/minio.pid"
		for ((i = 0; i < START_TIMEOUT * 5; i++)); do
			if curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/minio/health/live"; then
				break
			fi
			alive "$pid" || break
			sleep 0.2
		done
		if alive "$pid" && curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/minio/health/live"; then
			break
		fi
		show_log "$logfile"
		if alive "$pid" && comm_is "$pid" minio; then
			kill -TERM "$pid" 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.2; done
		fi
		rm -f "$DIR/minio.pid"
		((attempt < 3)) || die "MinIO did not become live on port $port within ${START_TIMEOUT}s"
		log "MinIO did not start on port $port; trying another port"
	done
	comm_is "$pid" minio || die "recorded MinIO PID $pid is $(cat "/proc/$pid/comm" 2>/dev/null || echo gone), not minio"

	# create the test bucket (200 created, 409 already ours)
	for ((i = 0; i < 50; i++)); do
		code=$(s3_make_bucket "127.0.0.1:$port" "$S3_BUCKET")
		[[ $code == 200 || $code == 409 ]] && break
		sleep 0.2
	done
	[[ $code == 200 || $code == 409 ]] || {
		show_log "$logfile"
		die "could not create bucket $S3_BUCKET in MinIO (HTTP $code)"
	}
	MINIO_PORT=$port
	log "MinIO on 127.0.0.1:$port (console 127.0.0.1:$cport, pid $pid), bucket $S3_BUCKET"
}

# s3_make_bucket HOST:PORT BUCKET — PUT a bucket with a SigV4-signed request;
# prints the HTTP status.
s3_make_bucket() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X PUT \
		--aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
		"http://$1/$2" || true
}

# ---------------------------------------------------------------- start/stop

# stop_pid NAME PIDFILE COMM — TERM the recorded process if it is still COMM,
# wait for it, KILL it if it lingers.
stop_pid() {
	local name=$1 pidfile=$2 comm=$3 pid i
	[[ -r $pidfile ]] || return 0
	pid=$(tr -dc '0-9' <"$pidfile")
	if [[ -n $pid ]] && alive "$pid"; then
		if comm_is "$pid" "$comm"; then
			kill -TERM "$pid" 2>/dev/null || true
			for ((i = 0; i < 100; i++)); do
				alive "$pid" || break
				sleep 0.1
			done
			if alive "$pid"; then
				log "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
				kill -KILL "$pid" 2>/dev/null || true
			fi
			log "stopped $name (pid $pid)"
		else
			log "pid $pid is no longer $name; leaving it alone"
		fi
	fi
	rm -f "$pidfile"
}

do_stop() {
	local rc=0 pgroot bindir pid i
	stop_pid MinIO "$DIR/minio.pid" minio || rc=1
	stop_pid Redis "$DIR/redis.pid" redis-server || rc=1
	if [[ -r $DIR/pg.root ]]; then
		pgroot=$(cat "$DIR/pg.root")
		bindir=$(cat "$DIR/pg.bindir" 2>/dev/null || true)
		pid=$(tr -dc '0-9' <"$DIR/postgres.pid" 2>/dev/null || true)
		if [[ -n $pid ]] && alive "$pid" && comm_is "$pid" postgres; then
			as_pg "$bindir/pg_ctl" -D "$pgroot/data" stop -m fast -w -t 30 >/dev/null 2>&1 || true
			for ((i = 0; i < 100; i++)); do
				alive "$pid" || break
				sleep 0.1
			done
			if alive "$pid" && comm_is "$pid" postgres; then
				log "PostgreSQL (pid $pid) did not stop; sending SIGQUIT"
				kill -QUIT "$pid" 2>/dev/null || true
				sleep 1
			fi
			alive "$pid" && rc=1
			log "stopped PostgreSQL (pid $pid)"
		fi
		rm -f "$DIR/postgres.pid"
		# only ever remove the directory this script made
		if [[ $pgroot == /tmp/tessera-pg.* && -d $pgroot ]] && ! alive "${pid:-x}"; then
			rm -rf "$pgroot"
		fi
		rm -f "$DIR/pg.root" "$DIR/pg.bindir" "$DIR/postgres.log"
	fi
	return "$rc"
}

# kv NAME VALUE — one `export NAME='VALUE'` line (values hold no single quote).
kv() {
	[[ $2 != *"'"* ]] || die "value of $1 contains a single quote"
	printf "export %s='%s'\n" "$1" "$2"
}

do_start() {
	local f
	mkdir -p "$DIR"
	DIR=$(cd "$DIR" && pwd)
	for f in minio.pid redis.pid postgres.pid; do
		if [[ -r $DIR/$f ]] && alive "$(tr -dc '0-9' <"$DIR/$f")"; then
			die "services already started in $DIR; run '$0 stop $DIR' first"
		fi
	done
	rm -f "$DIR/env"

	# On any failure, stop whatever this run already started.
	trap 'rc=$?; if ((rc != 0)); then log "start failed; stopping what was started"; do_stop || true; fi' EXIT

	ensure_tools
	local t0=$SECONDS
	start_postgres
	start_redis
	start_minio

	local chromium
	chromium=$(command -v chromium)
	{
		echo "# written by scripts/services.sh start $DIR"
		kv TESSERA_TEST_REQUIRE_SERVICES 1
		kv TESSERA_TEST_POSTGRES_URL "$PG_URL"
		kv TESSERA_TEST_REDIS_URL "redis://127.0.0.1:$REDIS_PORT/0"
		kv TESSERA_TEST_S3_ENDPOINT "127.0.0.1:$MINIO_PORT"
		kv TESSERA_TEST_S3_ACCESS_KEY "$S3_ACCESS_KEY"
		kv TESSERA_TEST_S3_SECRET_KEY "$S3_SECRET_KEY"
		kv TESSERA_TEST_S3_BUCKET "$S3_BUCKET"
		kv TESSERA_TEST_S3_USE_SSL false
		kv TESSERA_TEST_PG_BINDIR "$PG_BINDIR"
		kv CHROMIUM "$chromium"
	} >"$DIR/env.tmp"
	mv "$DIR/env.tmp" "$DIR/env"
	log "ready in $((SECONDS - t0))s; env in $DIR/env"
}

case ${1:-} in
start)
	[[ $# -eq 2 ]] || usage
	DIR=$2
	do_start
	;;
stop)
	[[ $# -eq 2 ]] || usage
	DIR=$2
	[[ -d $DIR ]] || exit 0
	DIR=$(cd "$DIR" && pwd)
	do_stop
	;;
free-port)
	free_port
	echo "$REPLY"
	;;
*) usage ;;
esac
