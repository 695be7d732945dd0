#!/usr/bin/env bash
# Takes screenshots of the desktop app's main screens: builds the programs,
# starts a throw-away server with the demo data and the app on a virtual
# screen of its own (Xvfb, 1280x800), drives the app with xdotool as a person
# would, and photographs its window.
#
#   scripts/screenshots-app.sh [OUTDIR]    (default: screenshots/)
#
# Writes, in OUTDIR:
#   app-login.png                  the login screen
#   app-request-errors.png         the habilitation request form after « Terminer
#                                  la demande » with a name and two different
#                                  e-mail addresses only: the per-field errors
#   app-request-errors-bottom.png  the same form scrolled to its end
#   app-availability-week.png      am1's availability, tab « Semaine courante »
#   app-availability-january.png   am1's availability, tab « 01/01/YYYY »
#   app-agent-requests.png         agent921's requests, the first one selected
#   app-agent-import-dialog.png    the file dialog of « Choisir le fichier… »
#   app-agent-import-preview.png   agent921's « Import PMI » with the preview of
#                                  testdata/pmi/liste-pmi-92.csv
#
# Always on its own Xvfb (whatever DISPLAY says), in a fresh HOME and data
# folder, in French, at scale 1, so that the pictures do not depend on the
# user's screen or settings. SCREENSHOTS_THEME=light (default) or dark picks
# Fyne's theme variant. Needs make, Go, Xvfb, xdotool and ImageMagick
# (scripts/install-deps.sh build x11) and openssl.
#
# The clicks are at fixed places of the window (1200x760, the size the app
# opens at), measured on these screens: if a screen's layout changes, the
# script may stop with "the screen did not change"; look at the picture it
# names and adjust the coordinates below.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$repo/screenshots}
theme=${SCREENSHOTS_THEME:-light}
readonly win_w=1200 win_h=760

die() { echo "screenshots-app: $*" >&2; exit 1; }
say() { echo "screenshots-app: $*"; }

for c in Xvfb xdotool import compare openssl make; do
	command -v "$c" >/dev/null || die "$c is missing: run scripts/install-deps.sh x11 build"
done
case $theme in light | dark) ;; *) die "SCREENSHOTS_THEME must be light or dark, not '$theme'" ;; esac

started=$(date +%s.%N)
make -C "$repo" --no-print-directory build >/dev/null || die "make build failed"
mkdir -p "$out"
out=$(cd "$out" && pwd)

tmp=$(mktemp -d)
server= xvfb= app=
cleanup() {
	local p
	for p in "$app" "$server" "$xvfb"; do
		if [ -n "$p" ]; then
			kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
		fi
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- The server, on a port the system chooses; its first lines say which.
"$repo/bin/espacepro-server" serve --data "$tmp/server" --addr 127.0.0.1:0 --demo >"$tmp/server.log" 2>&1 &
server=$!
url=
for _ in $(seq 100); do
	kill -0 "$server" 2>/dev/null || { cat "$tmp/server.log" >&2; die "the server stopped"; }
	url=$(sed -n 's/^Espace professionnel server listening on \(https:\/\/[0-9.:]*\)$/\1/p' "$tmp/server.log")
	[ -n "$url" ] && break
	sleep 0.1
done
[ -n "$url" ] || { cat "$tmp/server.log" >&2; die "the server did not start"; }
# The fingerprint is printed on the line after its title; openssl computes
# the same from the certificate otherwise.
fingerprint=
for _ in $(seq 20); do
	fingerprint=$(sed -n '/^Certificate SHA-256 fingerprint/{n;s/^ *//p}' "$tmp/server.log")
	[ -n "$fingerprint" ] && break
	sleep 0.05
done
if [ -z "$fingerprint" ]; then
	fingerprint=$(openssl x509 -in "$tmp/server/tls/cert.pem" -noout -fingerprint -sha256 | sed 's/^.*=//')
fi
[ -n "$fingerprint" ] || die "no certificate fingerprint"

# --- A virtual screen of our own: Xvfb picks a free display number.
: >"$tmp/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
xvfb=$!
display=
for _ in $(seq 100); do
	kill -0 "$xvfb" 2>/dev/null || { cat "$tmp/xvfb.log" >&2; die "Xvfb stopped"; }
	display=$(tr -dc 0-9 <"$tmp/display")
	[ -n "$display" ] && break
	sleep 0.05
done
[ -n "$display" ] || die "Xvfb did not start"
export DISPLAY=:$display
unset XAUTHORITY

# --- The app, with a fresh home and data folder, in French.
mkdir -p "$tmp/home" "$tmp/app-data"
# The PMI list, where the file dialog opens (the home folder).
cp "$repo/testdata/pmi/liste-pmi-92.csv" "$tmp/home/"
env -u DBUS_SESSION_BUS_ADDRESS -u WAYLAND_DISPLAY \
	HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_CACHE_HOME="$tmp/home/.cache" \
	XDG_DATA_HOME="$tmp/home/.local/share" LC_ALL=fr_FR.UTF-8 LANG=fr_FR.UTF-8 LANGUAGE=fr \
	FYNE_THEME="$theme" FYNE_SCALE=1 \
	ESPACEPRO_DATA="$tmp/app-data" ESPACEPRO_SERVER="$url" ESPACEPRO_FINGERPRINT="$fingerprint" \
	"$repo/bin/espacepro" >"$tmp/app.log" 2>&1 &
app=$!

wid=$(timeout 20 xdotool search --sync --onlyvisible --name "^Espace professionnel$" 2>/dev/null | head -n 1) || true
[ -n "$wid" ] || { cat "$tmp/app.log" >&2; die "the app's window did not appear"; }
geometry=$(xdotool getwindowgeometry "$wid" | sed -n 's/^ *Geometry: //p')
[ "$geometry" = "${win_w}x${win_h}" ] ||
	say "warning: the window is $geometry, not ${win_w}x${win_h}: the clicks may miss"

# --- Driving and photographing the window.

# capture FILE: a picture of the window (mark and settle first move the
# pointer out of it, so that nothing shows as hovered).
capture() {
	kill -0 "$app" 2>/dev/null || { cat "$tmp/app.log" >&2; die "the app stopped"; }
	import -window "$wid" "$1"
}

# diff A B: how many pixels differ between two pictures (a large number when
# they cannot be compared).
diff_pixels() {
	local n
	n=$(compare -metric AE -fuzz 3% "$1" "$2" null: 2>&1 >/dev/null) || true
	awk -v n="$n" 'BEGIN { if (n ~ /^[0-9.e+]+$/) printf "%d", n + 0; else print 999999999 }'
}

# click X Y: a left click at X,Y of the window.
click() {
	xdotool mousemove --window "$wid" "$1" "$2" click 1
}

# typekeys TEXT: types TEXT into the focused widget.
typekeys() {
	xdotool type --delay 8 -- "$1"
}

# mark: remembers the screen as it is before an action, for settle.
mark() {
	xdotool mousemove 1279 799
	capture "$tmp/before.miff"
}

# settle NAME MINCHANGE [TRIES]: waits until at least MINCHANGE pixels differ
# from the screen at mark, then until two pictures in a row are the same
# (up to a blinking text cursor), and keeps the last one as $tmp/NAME.miff.
settle() {
	local name=$1 min=$2 tries=${3:-80} changed= stable=0 d i
	cp "$tmp/before.miff" "$tmp/prev.miff"
	for ((i = 0; i < tries; i++)); do
		sleep 0.1
		xdotool mousemove 1279 799
		capture "$tmp/cur.miff"
		if [ -z "$changed" ]; then
			d=$(diff_pixels "$tmp/before.miff" "$tmp/cur.miff")
			[ "$d" -ge "$min" ] && changed=1
		else
			d=$(diff_pixels "$tmp/prev.miff" "$tmp/cur.miff")
			if [ "$d" -le 80 ]; then
				stable=$((stable + 1))
				if [ $stable -ge 2 ]; then
					cp "$tmp/cur.miff" "$tmp/$name.miff"
					return 0
				fi
			else
				stable=0
			fi
		fi
		cp "$tmp/cur.miff" "$tmp/prev.miff"
	done
	convert "$tmp/cur.miff" "$out/app-$name-FAILED.png"
	if [ -z "$changed" ]; then
		die "$name: the screen did not change (fewer than $min pixels); see $out/app-$name-FAILED.png"
	fi
	die "$name: the screen did not settle; see $out/app-$name-FAILED.png"
}

# keep NAME: saves the last settled picture NAME as OUTDIR/app-NAME.png.
keep() {
	convert "$tmp/$1.miff" "$out/app-$1.png"
	rm -f "$out/app-$1-FAILED.png"
	say "$out/app-$1.png"
}

# login EMAIL PASSWORD NAME: logs in from the login screen, its e-mail field
# focused, and waits for the next screen.
login() {
	xdotool key ctrl+a
	typekeys "$1"
	xdotool key Tab
	typekeys "$2"
	mark
	xdotool key Return
	settle "$3" 80000 120
}

# The login screen: wait for its first complete picture.
convert -size "${win_w}x${win_h}" xc:black "$tmp/before.miff"
settle login 100000
keep login

# The request form: « Faites votre demande d'habilitation en ligne »,
# « assistant(e) maternel(le) », « Poursuivre ».
mark
click 326 181
settle request-choice 30000
mark
click 400 136
click 979 269
settle request-form 30000
# The name (focused), an e-mail and a different confirmation, then Enter in
# the captcha's answer (three fields on), which is « Terminer la demande ».
typekeys "Dupont"
click 724 625
typekeys "nathalie.dupont@exemple.fr"
xdotool key Tab
typekeys "nathalie.dupond@exemple.fr"
mark
xdotool key Tab Tab Tab Return
settle request-errors 2000
keep request-errors
# The end of the form: the scroll bar dragged down.
mark
xdotool mousemove --window "$wid" 1027 150
sleep 0.2
xdotool mousedown 1
xdotool mousemove --window "$wid" 1027 400
sleep 0.05
xdotool mousemove --window "$wid" 1027 $((win_h + 100))
sleep 0.05
xdotool mouseup 1
settle request-errors-bottom 30000
keep request-errors-bottom

# Back to the login: « Page précédente », « Retour à la connexion ».
mark
click 240 733
settle request-choice-again 30000
mark
click 258 269
settle login-again 30000

# A childminder: her availability, tabs « Semaine courante » and the
# January one: the two dated tabs (6th and 7th) are the next 1 September and
# 1 January in date order, so January is the 6th from September to December.
click 700 302
login am1@demo.espacepro.example demo-am-1 availability-global
mark
click 243 155
settle availability-week 30000
keep availability-week
month=$(TZ=Europe/Paris date +%-m)
if [ "$month" -ge 9 ]; then january_x=495; else january_x=591; fi
mark
click $january_x 155
settle availability-january 30000
keep availability-january

# A Caf agent: « Se déconnecter », then agent921's requests, the first one
# selected.
mark
click 1134 22
settle logged-out 80000
click 700 302
login agent921@caf.espacepro.example demo-agent-921 agent-requests-list
mark
click 150 220
settle agent-requests 5000
keep agent-requests

# « Import PMI », « Choisir le fichier… »: Fyne's file dialog opens in the
# home folder, which holds liste-pmi-92.csv only (after « (Parent) »).
mark
click 322 67
settle agent-import 30000
mark
click 78 189
settle agent-import-dialog 30000
keep agent-import-dialog
mark
click 445 230
settle agent-import-dialog-chosen 300
mark
click 1009 657
settle agent-import-preview 30000 150
keep agent-import-preview

say "done in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }') s (theme $theme)"
