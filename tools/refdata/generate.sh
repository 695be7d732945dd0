#!/usr/bin/env bash
# Regenerates data/refdata/communes.tsv.gz and data/refdata/departements.tsv
# from the Licence Ouverte data of the npm package
# @etalab/decoupage-administratif (INSEE Code officiel géographique 2026 and
# La Poste's postal codes). Needs npm and go; the build and the tests do not:
# the output is committed. Run from anywhere: bash tools/refdata/generate.sh
#
# data/refdata/cafs.tsv and data/refdata/caf_exceptions.tsv are kept by hand
# and are not touched here.
set -euo pipefail

pkg="@etalab/decoupage-administratif"
version="6.0.0"
# The sha1 the registry publishes for that version (npm view … dist.shasum).
sha1="0330556cf07e21fff21111e5775a316ec18b9636"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
tgz="$(ls "$tmp"/*.tgz)"
got="$(sha1sum "$tgz" | cut -d' ' -f1)"
if [ "$got" != "$sha1" ]; then
	echo "generate.sh: $tgz has sha1 $got, expected $sha1" >&2
	exit 1
fi
tar -xzf "$tgz" -C "$tmp"

cd "$root"
go run ./tools/refdata -src "$tmp/package/data" -out data/refdata
echo "generate.sh: wrote data/refdata/communes.tsv.gz and data/refdata/departements.tsv" >&2
