#!/usr/bin/env bash
# Installs the Debian packages that building, running and testing Espace
# professionnel need, skipping those already installed. Safe to run again.
#
#   scripts/install-deps.sh [build|x11|postgres|run|browser|package|all]...   (default: all)
#
#   build     make, CA certificates (Go fetches modules over HTTPS), the C compiler and the X11/OpenGL headers that Fyne (GLFW, cgo) links with
#   x11       a virtual display for tests and screenshots: Xvfb, xauth, xdotool, ImageMagick
#   postgres  PostgreSQL server (the tests start a throw-away cluster of their own)
#   run       curl, used by "make run" to wait for the server
#   browser   Chromium and openssl, for the public page's browser test and its screenshots
#   package   for "make package" only: the mingw-w64 C cross-compiler (Windows .exe), xz, file
#   all       all of the above but package (make run and make test do not need a cross-compiler)
#
# Also checks that Go >= 1.26 is installed (it is not a Debian package here:
# Debian 12 ships Go 1.19).
set -euo pipefail

readonly GO_MIN_MAJOR=1 GO_MIN_MINOR=26

pkgs_build=(make ca-certificates gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev)
pkgs_x11=(xvfb xauth xdotool imagemagick)
pkgs_postgres=(postgresql)
pkgs_run=(curl)
pkgs_browser=(chromium openssl)
# Only the win32-threads flavour of Debian's gcc-mingw-w64-x86-64 (that package
# is just both flavours): it provides x86_64-w64-mingw32-gcc and links no
# libwinpthread-1.dll into the .exe, which Windows PCs would lack.
pkgs_package=(gcc-mingw-w64-x86-64-win32 xz-utils file)

usage() {
	sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
}

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(all)

wanted=()
for g in "${groups[@]}"; do
	case "$g" in
	build) wanted+=("${pkgs_build[@]}") ;;
	x11) wanted+=("${pkgs_x11[@]}") ;;
	postgres) wanted+=("${pkgs_postgres[@]}") ;;
	run) wanted+=("${pkgs_run[@]}") ;;
	browser) wanted+=("${pkgs_browser[@]}") ;;
	package) wanted+=("${pkgs_package[@]}") ;;
	all) wanted+=("${pkgs_build[@]}" "${pkgs_x11[@]}" "${pkgs_postgres[@]}" "${pkgs_run[@]}" "${pkgs_browser[@]}") ;;
	-h | --help | help) usage; exit 0 ;;
	*) echo "install-deps: unknown group '$g'" >&2; usage >&2; exit 2 ;;
	esac
done

# --- Debian packages -------------------------------------------------------

missing=()
for p in "${wanted[@]}"; do
	# dpkg -s succeeds for removed-but-not-purged packages too: check the status line.
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		case " ${missing[*]-} " in *" $p "*) ;; *) missing+=("$p") ;; esac
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: Debian packages already installed (${groups[*]})."
else
	echo "install-deps: installing ${missing[*]}"
	if [ "$(id -u)" -eq 0 ]; then
		as_root=()
	elif command -v sudo >/dev/null 2>&1; then
		as_root=(sudo)
	else
		echo "install-deps: these Debian packages are missing: ${missing[*]}" >&2
		echo "install-deps: run this script as root (su -c 'scripts/install-deps.sh ${groups[*]}')," >&2
		echo "              or install sudo, or install the packages yourself:" >&2
		echo "              apt-get install --no-install-recommends ${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${as_root[@]}" apt-get update
	"${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

# --- Go ----------------------------------------------------------------------

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH="$PATH:/usr/local/go/bin"
fi
if ! command -v go >/dev/null 2>&1; then
	cat >&2 <<MSG
install-deps: Go is not installed (neither on PATH nor in /usr/local/go/bin).
  This project needs Go ${GO_MIN_MAJOR}.${GO_MIN_MINOR} or later; Debian 12's golang package is too old.
  Install the official release from https://go.dev/dl/ into /usr/local/go:
      tar -C /usr/local -xzf go1.${GO_MIN_MINOR}.*.linux-amd64.tar.gz
  then add /usr/local/go/bin to your PATH.
MSG
	exit 1
fi
gov=$(go env GOVERSION) # e.g. go1.26.8, go1.27rc1
if [[ $gov =~ ^go([0-9]+)\.([0-9]+) ]]; then
	major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
	if [ "$major" -lt $GO_MIN_MAJOR ] || { [ "$major" -eq $GO_MIN_MAJOR ] && [ "$minor" -lt $GO_MIN_MINOR ]; }; then
		echo "install-deps: $(command -v go) is $gov; Go ${GO_MIN_MAJOR}.${GO_MIN_MINOR} or later is needed." >&2
		echo "  Install a newer release from https://go.dev/dl/ into /usr/local/go and put /usr/local/go/bin first on PATH." >&2
		exit 1
	fi
	echo "install-deps: $gov at $(command -v go)."
else
	echo "install-deps: warning: cannot read the Go version from '$gov'; continuing." >&2
fi
