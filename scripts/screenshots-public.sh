#!/usr/bin/env bash
# Takes screenshots of the parents' search page with headless Chromium:
# starts a throw-away server with the demo data, and photographs the results
# for Boulogne-Billancourt.
#
#   scripts/screenshots-public.sh [OUTDIR]    (default: screenshots/)
#
# Writes OUTDIR/public-search.png (a desktop window, 1280 px wide) and
# OUTDIR/public-search-mobile.png (a phone, 390 px wide). Needs
# bin/espacepro-server (make build), chromium and openssl
# (scripts/install-deps.sh browser). Chromium trusts exactly the server's
# certificate (--ignore-certificate-errors-spki-list), never any other.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$repo/screenshots}
server_bin=$repo/bin/espacepro-server
chromium=${CHROMIUM:-/usr/bin/chromium}

die() { echo "screenshots-public: $*" >&2; exit 1; }

[ -x "$server_bin" ] || die "$server_bin is missing: run make build"
[ -x "$chromium" ] || die "$chromium is missing: run scripts/install-deps.sh browser"
command -v openssl >/dev/null || die "openssl is missing"
mkdir -p "$out"

tmp=$(mktemp -d)
server=
cleanup() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# The server, on a port the system chooses; its first lines say which.
"$server_bin" serve --data "$tmp/data" --addr 127.0.0.1:0 --demo >"$tmp/server.log" 2>&1 &
server=$!
url=
for _ in $(seq 100); do
	kill -0 "$server" 2>/dev/null || { cat "$tmp/server.log" >&2; die "the server stopped"; }
	url=$(sed -n 's/^Espace professionnel server listening on \(https:\/\/[0-9.:]*\)$/\1/p' "$tmp/server.log")
	[ -n "$url" ] && break
	sleep 0.1
done
[ -n "$url" ] || { cat "$tmp/server.log" >&2; die "the server did not start"; }

# Chromium trusts the key of the server's certificate, and nothing else.
spki=$(openssl x509 -in "$tmp/data/tls/cert.pem" -pubkey -noout |
	openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)

# shoot NAME WIDTH HEIGHT PATH: one screenshot of the page at PATH.
shoot() {
	local name=$1 width=$2 height=$3 path=$4
	HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" LANG=fr_FR.UTF-8 \
		timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$tmp/profile-$name" --ignore-certificate-errors-spki-list="$spki" \
		--lang=fr-FR --hide-scrollbars --window-size="$width,$height" \
		--screenshot="$out/$name.png" "$url$path" >"$tmp/chromium-$name.log" 2>&1 ||
		{ cat "$tmp/chromium-$name.log" >&2; die "chromium could not take $name.png"; }
	[ -s "$out/$name.png" ] || die "chromium wrote no $name.png"
	echo "screenshots-public: $out/$name.png"
}

shoot public-search 1280 1800 "/recherche?q=Boulogne-Billancourt"
shoot public-search-mobile 390 2600 "/recherche?q=Boulogne-Billancourt"
