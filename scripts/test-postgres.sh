#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL cluster for the tests.
#
#   eval "$(scripts/test-postgres.sh start)"   # sets ESPACEPRO_TEST_POSTGRES
#   export ESPACEPRO_TEST_POSTGRES
#   ...
#   scripts/test-postgres.sh stop
#
# "start" creates a cluster in a new temporary directory, listening on a free
# port of 127.0.0.1 only (its unix socket stays in that directory), with a
# role "espacepro" (password generated, CREATEDB) that owns the database
# "espacepro_test". It prints one line on standard output:
#     ESPACEPRO_TEST_POSTGRES=postgres://espacepro:PASSWORD@127.0.0.1:PORT/espacepro_test?sslmode=disable
# and keeps its state in .tmp/test-postgres.state (plus .tmp/test-postgres.env,
# which can be sourced). A cluster left by a previous "start" is stopped first.
# Durability is off (fsync=off): the data is for tests only.
#
# As root, initdb and the server run as the "postgres" user (initdb refuses
# root); otherwise as the current user. PG_BINDIR overrides where initdb is.
set -euo pipefail
umask 077 # the state files hold the password

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state_dir="$repo/.tmp"
state_file="$state_dir/test-postgres.state"
env_file="$state_dir/test-postgres.env"

log() { echo "test-postgres: $*" >&2; }
die() { log "$*"; exit 1; }

find_bindir() {
	local d
	if [ -n "${PG_BINDIR:-}" ]; then
		[ -x "$PG_BINDIR/initdb" ] || die "PG_BINDIR=$PG_BINDIR has no initdb"
		echo "$PG_BINDIR"; return
	fi
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null || true)
		if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
	fi
	# Debian keeps each major version apart; take the newest.
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
	if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
	die "PostgreSQL's initdb not found: run 'scripts/install-deps.sh postgres' (Debian package postgresql)"
}

# as_owner CMD... runs CMD as the cluster's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		if command -v runuser >/dev/null 2>&1; then
			runuser -u postgres -- "$@"
		else
			su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
		fi
	else
		"$@"
	fi
}

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop() {
	[ -f "$state_file" ] || { log "no cluster to stop"; return 0; }
	local PGDIR="" BINDIR="" PGPORT=""
	# shellcheck disable=SC1090
	. "$state_file"
	if [ -n "$PGDIR" ] && [ -d "$PGDIR" ]; then
		if [ -f "$PGDIR/data/postmaster.pid" ]; then
			as_owner "$BINDIR/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 ||
				log "pg_ctl stop failed (the server may already be gone)"
		fi
		rm -rf "$PGDIR"
		log "stopped the cluster on port $PGPORT and removed $PGDIR"
	fi
	rm -f "$state_file" "$env_file"
}

start() {
	stop
	local bindir owner dir password port url tries
	bindir=$(find_bindir)
	if [ "$(id -u)" -eq 0 ]; then
		owner=postgres
		id postgres >/dev/null 2>&1 || die "user 'postgres' missing (install the Debian package postgresql)"
	else
		owner=$(id -un)
	fi

	dir=$(mktemp -d "${TMPDIR:-/tmp}/espacepro-pg.XXXXXX")
	chmod 700 "$dir"
	[ "$owner" = "$(id -un)" ] || chown "$owner:" "$dir"
	mkdir -p "$state_dir"
	# Written now so that "stop" cleans up even if the start fails half-way.
	printf 'PGDIR=%q\nBINDIR=%q\nPGPORT=\n' "$dir" "$bindir" >"$state_file"
	trap 'log "start failed; log: $dir/server.log"; [ -f "$dir/server.log" ] && tail -n 20 "$dir/server.log" >&2; stop' ERR

	password=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
	as_owner "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C --no-sync \
		--auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; false; }
	cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
	for tries in 1 2 3 4 5 6 7 8; do
		port=$((20000 + RANDOM % 40000))
		port_in_use "$port" && continue
		if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 30 start >/dev/null; then
			break
		fi
		port=""
		log "port taken or start failed, trying another port ($tries)"
	done
	[ -n "$port" ] || { log "could not start PostgreSQL"; false; }
	printf 'PGDIR=%q\nBINDIR=%q\nPGPORT=%q\n' "$dir" "$bindir" "$port" >"$state_file"

	as_owner "$bindir/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
		-c "CREATE ROLE espacepro LOGIN CREATEDB PASSWORD '$password'" \
		-c "CREATE DATABASE espacepro_test OWNER espacepro" >/dev/null
	trap - ERR

	url="postgres://espacepro:$password@127.0.0.1:$port/espacepro_test?sslmode=disable"
	printf 'export ESPACEPRO_TEST_POSTGRES=%q\n' "$url" >"$env_file"
	log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
	echo "ESPACEPRO_TEST_POSTGRES=$url"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
