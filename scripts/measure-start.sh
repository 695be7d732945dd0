#!/usr/bin/env bash
# Measures the desktop app's cold start to the login screen.
#
#   scripts/measure-start.sh [RUNS]     (default: 5)
#   ESPACEPRO_BIN=/path/to/espacepro scripts/measure-start.sh   (another build)
#
# Builds bin/espacepro when it is missing or older than a Go source (make
# build; not when ESPACEPRO_BIN names the binary to measure), starts Xvfb on a free display when DISPLAY is empty, then starts
# the app RUNS times, each with a fresh HOME and ESPACEPRO_DATA in a
# temporary folder and ESPACEPRO_SERVER / ESPACEPRO_FINGERPRINT pointing at
# a dead address (https://127.0.0.1:9: the login screen does not call the
# server). Each run waits for the app's own log line
#
#   espacepro: first screen shown N ms after start
#
# (ui.Run, on stderr; N is measured from the start of main), reads the
# process's VmRSS at that moment, and kills the app. It prints, for each
# run, N, the wall time from the launch to the line as this script saw it
# (exec and Go runtime start included; the script polls every 5 ms), and
# the RSS; then min/median/max of each.
#
# One untimed warm-up run comes first, so that the RUNS runs are warm (the
# binary and its libraries in the page cache). Then, when permitted (root
# and a writable /proc/sys/vm/drop_caches), one cold run after
# `sync; echo 3 > /proc/sys/vm/drop_caches`; otherwise it is skipped.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-5}
bin=${ESPACEPRO_BIN:-$repo/bin/espacepro}
timeout_s=60

die() { echo "measure-start: $*" >&2; exit 1; }

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not $runs"

# The binary.
if [ -n "${ESPACEPRO_BIN:-}" ]; then
	[ -x "$bin" ] || die "ESPACEPRO_BIN=$bin is not an executable"
elif [ ! -x "$bin" ] || [ -n "$(find "$repo" -name '*.go' -not -path '*/.*' -newer "$bin" -print -quit)" ] ||
	[ -n "$(find "$repo/go.mod" "$repo/go.sum" "$repo/ui/translation" -newer "$bin" -print -quit)" ]; then
	echo "measure-start: building bin/espacepro (make build)" >&2
	if ! make -C "$repo" build >&2; then
		[ -x "$bin" ] || die "make build failed and there is no bin/espacepro"
		echo "measure-start: make build failed: measuring the existing bin/espacepro, older than the sources" >&2
	fi
fi

tmp=$(mktemp -d)
xvfb=
app=
cleanup() {
	if [ -n "$app" ] && kill -0 "$app" 2>/dev/null; then
		kill -KILL "$app" 2>/dev/null || true
		wait "$app" 2>/dev/null || true
	fi
	if [ -n "$xvfb" ]; then
		kill "$xvfb" 2>/dev/null || true
		wait "$xvfb" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# A display.
if [ -z "${DISPLAY:-}" ]; then
	command -v Xvfb >/dev/null || die "DISPLAY is empty and Xvfb is missing (scripts/install-deps.sh)"
	n=99
	while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do
		n=$((n + 1))
	done
	Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
	xvfb=$!
	for _ in $(seq 100); do
		[ -e "/tmp/.X11-unix/X$n" ] && break
		kill -0 "$xvfb" 2>/dev/null || die "Xvfb :$n did not start: $(cat "$tmp/xvfb.log")"
		sleep 0.05
	done
	[ -e "/tmp/.X11-unix/X$n" ] || die "Xvfb :$n did not start in 5 s"
	export DISPLAY=":$n"
	echo "measure-start: Xvfb on $DISPLAY" >&2
fi

# now_ms prints the time in milliseconds.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run_once NAME: starts the app on a fresh home, waits for the first screen
# and prints "N WALL RSS" (ms, ms, MB).
run_once() {
	local dir=$tmp/$1 log line n t0 t1 rss
	mkdir -p "$dir/home" "$dir/data"
	log=$dir/stderr.log
	: >"$log"
	t0=$(now_ms)
	(
		export HOME=$dir/home ESPACEPRO_DATA=$dir/data
		export XDG_CONFIG_HOME=$dir/home/.config XDG_CACHE_HOME=$dir/home/.cache XDG_DATA_HOME=$dir/home/.local/share
		export ESPACEPRO_SERVER=https://127.0.0.1:9
		export ESPACEPRO_FINGERPRINT=00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF
		unset ESPACEPRO_CA_FILE
		exec "$bin"
	) >"$dir/stdout.log" 2>"$log" &
	app=$!
	line=
	while :; do
		if line=$(grep -m1 -o 'first screen shown [0-9]* ms after start' "$log"); then
			break
		fi
		if ! kill -0 "$app" 2>/dev/null; then
			die "the app exited before its first screen; its stderr:$(printf '\n')$(cat "$log")"
		fi
		if [ $(($(now_ms) - t0)) -gt $((timeout_s * 1000)) ]; then
			die "no first screen after ${timeout_s} s; the app's stderr:$(printf '\n')$(cat "$log")"
		fi
		sleep 0.005
	done
	t1=$(now_ms)
	rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$app/status")
	kill -TERM "$app" 2>/dev/null || true
	for _ in $(seq 40); do
		kill -0 "$app" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$app" 2>/dev/null || true
	wait "$app" 2>/dev/null || true
	app=
	n=${line#first screen shown }
	n=${n%% *}
	echo "$n $((t1 - t0)) $rss"
}

# stats prints "min median max" of the numbers on stdin.
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s %s %s\n", v[1], m, v[NR] }'
}

echo "espacepro cold start to the login screen: $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
echo "binary: $bin ($(du -h "$bin" | cut -f1)), display $DISPLAY, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run_once warmup >/dev/null
printf '%-6s %10s %10s %9s\n' run 'shown ms' 'wall ms' 'RSS MB'
: >"$tmp/results"
for i in $(seq "$runs"); do
	r=$(run_once "run$i")
	echo "$r" >>"$tmp/results"
	read -r n wall rss <<<"$r"
	printf '%-6s %10s %10s %9s\n' "$i" "$n" "$wall" "$rss"
done
for f in 1 2 3; do cut -d' ' -f"$f" "$tmp/results" | stats; done |
	awk '{ for (i = 1; i <= 3; i++) c[NR, i] = $i } END {
		split("min median max", name, " ")
		for (i = 1; i <= 3; i++) printf "%-6s %10s %10s %9s\n", name[i], c[1, i], c[2, i], c[3, i] }'

echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"

# A cold run, with the page cache dropped, when permitted.
if [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ] && sync && (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
	read -r n wall rss <<<"$(run_once cold)"
	printf '%-6s %10s %10s %9s   (after dropping the page cache)\n' cold "$n" "$wall" "$rss"
fi
