#!/usr/bin/env bash
# Builds the desktop app's packages into dist/ ("make package"):
#
#   dist/espacepro-VERSION-linux-ARCH.tar.xz     fyne's Linux package: the binary, a .desktop
#                                                file, the icon and a Makefile ("make user-install")
#   dist/espacepro-VERSION-windows-amd64.exe     the app for Windows, one file with its icon and
#                                                version, cross-built with mingw-w64
#
# VERSION is Version in FyneApp.toml. Installs what it needs first: the Debian
# packages of scripts/install-deps.sh's "build" and "package" groups, and the
# fyne CLI (fyne.io/tools, pinned below) into .tools/bin. Then checks both
# files and prints their sizes. The central service is not packaged.
set -euo pipefail

readonly FYNE_TOOLS_VERSION=v1.7.4
readonly WINDOWS_CC=x86_64-w64-mingw32-gcc

cd "$(dirname "$0")/.."
root=$PWD
tools=$root/.tools
stage=$tools/stage
dist=$root/dist
started=$SECONDS

step() { printf '\npackage: %s (%ds)\n' "$*" $((SECONDS - started)); }
fail() { echo "package: $*" >&2; exit 1; }

# --- What it needs ------------------------------------------------------------

bash scripts/install-deps.sh build package
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH="$PATH:/usr/local/go/bin"
fi

fyne=$tools/bin/fyne
have=
[ -x "$fyne" ] && have=$(go version -m "$fyne" 2>/dev/null | awk '$1 == "mod" && $2 == "fyne.io/tools" { print $3 }')
if [ "$have" = "$FYNE_TOOLS_VERSION" ]; then
	echo "package: fyne CLI $FYNE_TOOLS_VERSION already in .tools/bin."
else
	step "installing the fyne CLI $FYNE_TOOLS_VERSION into .tools/bin"
	GOBIN=$tools/bin go install "fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION"
fi

# details KEY prints the value of KEY in FyneApp.toml's [Details] section.
details() {
	awk -v key="$1" '
		/^[ \t]*\[/ { section = $0; gsub(/[][ \t]/, "", section); next }
		section == "Details" && $1 == key { sub(/^[^=]*=[ \t]*/, ""); gsub(/"/, ""); print; exit }
	' FyneApp.toml
}
version=$(details Version)
icon=$(details Icon)
app_id=$(details ID)
[[ $version =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || fail "FyneApp.toml: Version '$version' is not x, x.y or x.y.z"
[ -f "$icon" ] || fail "FyneApp.toml: the icon '$icon' does not exist"
[ -n "$app_id" ] || fail "FyneApp.toml: no ID"
arch=$(go env GOARCH)
linux_pkg=$dist/espacepro-$version-linux-$arch.tar.xz
windows_exe=$dist/espacepro-$version-windows-amd64.exe

# --- A throw-away copy of the main package for fyne ---------------------------
#
# "fyne package" builds the Go package of its --src folder and reads
# FyneApp.toml from that same folder, while our main package is cmd/espacepro
# and FyneApp.toml is at the root. It also writes into that folder while it
# works: fyne_metadata_init.go (the metadata for app.Metadata()), the
# executable, and for Windows a fyne.syso (icon, version, manifest) whose name
# has no _windows suffix, so that while it exists (or for good, if the build is
# interrupted) every Linux build of that package fails at link; at the end it
# raises Build in FyneApp.toml and rewrites the file without its comments.
# So fyne works on a copy: .tools/stage/OS/espacepro holds cmd/espacepro's
# files, FyneApp.toml and the icon. It is inside the module, so it builds
# against the real espacepro/ui etc., and "./..." skips it (its path has a
# folder that starts with a dot). The copy's folder name is the executable's.

# make_stage OS makes the copy for OS and prints its path.
make_stage() {
	local dir=$stage/$1/espacepro
	rm -rf "${stage:?}/$1"
	mkdir -p "$dir/$(dirname "$icon")"
	cp -R cmd/espacepro/. "$dir/"
	rm -rf "$dir"/*_test.go "$dir/testdata" "$dir/espacepro" "$dir/espacepro.exe"
	cp FyneApp.toml "$dir/"
	cp "$icon" "$dir/$icon"
	echo "$dir"
}
trap 'rm -rf "$stage"' EXIT
mkdir -p "$dist"
rm -f "$linux_pkg" "$windows_exe"

# --- 1. Linux -------------------------------------------------------------------

step "Linux package (fyne package --target linux --release)"
dir=$(make_stage linux)
(cd "$dir" && env GOOS=linux GOARCH="$arch" CGO_ENABLED=1 "$fyne" package --target linux --release --src .)
built=("$dir"/*.tar.xz)
[ -f "${built[0]}" ] || fail "fyne package made no .tar.xz in $dir"
mv "${built[0]}" "$linux_pkg"

# --- 2. Windows -------------------------------------------------------------------
#
# fyne package, not a bare "go build": with CC set to the mingw-w64
# cross-compiler it cross-builds with -H=windowsgui (no console window) and,
# with --release, -s -w -trimpath, and it embeds the icon (as .ico), the
# version (file and product version VERSION.BUILD) and a manifest in a .syso
# that it makes with its own Go code (goversioninfo): no windres, no .ico
# converter, and the same FyneApp.toml as the Linux package. It builds twice
# (once plain, once with the .syso); the second build only relinks.

step "Windows .exe (fyne package --target windows --release, CC=$WINDOWS_CC)"
command -v "$WINDOWS_CC" >/dev/null || fail "$WINDOWS_CC not found (scripts/install-deps.sh package)"
dir=$(make_stage windows)
(cd "$dir" && env GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC="$WINDOWS_CC" "$fyne" package --target windows --release --src .)
built=("$dir"/*.exe)
[ -f "${built[0]}" ] || fail "fyne package made no .exe in $dir"
mv "${built[0]}" "$windows_exe"

# --- 3. Checks --------------------------------------------------------------------

step "checking the packages"
desc=$(file -b "$windows_exe")
echo "  $(basename "$windows_exe"): $desc"
[[ $desc == "PE32+ executable (GUI) x86-64"* ]] || fail "the .exe is not a 64-bit Windows GUI program"
# Windows has only its own DLLs: a MinGW runtime DLL (libwinpthread-1.dll,
# libgcc_s_seh-1.dll...) would have to ship beside the .exe.
# (Whole outputs go into variables: "cmd | grep -q" fails under pipefail when
# grep stops reading early.)
headers=$(x86_64-w64-mingw32-objdump -p "$windows_exe")
dlls=$(awk '/DLL Name:/ { print $3 }' <<<"$headers" | sort -u)
echo "  DLLs: $(echo $dlls)"
if grep -qi '^lib' <<<"$dlls"; then fail "the .exe needs a MinGW DLL"; fi
# The resource types, from the first level of the resource directory.
types=$(sed -nE 's/^[0-9a-f]+   Entry: ID: 0x0*([0-9a-f]+),.*/\1/p' <<<"$headers" | tr '\n' ' ')
for t in 3:icon e:group-icon 10:version 18:manifest; do
	[[ " $types" == *" ${t%%:*} "* ]] || fail "the .exe has no ${t#*:} resource"
done
wide=$(strings -el "$windows_exe")
exe_version=$(grep -x -m1 "$version\.[0-9]*" <<<"$wide") || fail "the .exe's version resource does not say $version"
echo "  resources: icon, manifest, version $exe_version"

files=$(tar -tJf "$linux_pkg" | grep -v '/$')
echo "  $(basename "$linux_pkg"): $(echo $files)"
for want in bin/espacepro "share/applications/$app_id.desktop" "share/pixmaps/$app_id.png" /Makefile; do
	grep -qF -- "$want" <<<"$files" || fail "$(basename "$linux_pkg") has no $want"
done
check=$(mktemp -d)
trap 'rm -rf "$stage" "$check"' EXIT
tar -xJf "$linux_pkg" -C "$check"
desc=$(file -b "$(find "$check" -path '*/bin/espacepro' -type f)")
echo "  espacepro: ${desc%%, BuildID*}"
[[ $desc == "ELF 64-bit LSB executable"* ]] || fail "the Linux binary is not a 64-bit ELF program"
desc=$(file -b "$(find "$check" -name "$app_id.png")")
echo "  $app_id.png: $desc"
[[ $desc == "PNG image data"* ]] || fail "the Linux icon is not a PNG"
echo "  $app_id.desktop:"
sed 's/^/    /' "$(find "$check" -name "$app_id.desktop")"

step "done"
for f in "$linux_pkg" "$windows_exe"; do
	size=$(stat -c %s "$f")
	awk -v f="${f#"$root"/}" -v n="$size" 'BEGIN { printf "  %-48s %6.1f MB (%d bytes)\n", f, n / 1e6, n }'
done
