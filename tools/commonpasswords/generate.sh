#!/usr/bin/env bash
# Regenerates server/password/common.txt.gz, the list of common passwords that
# password.Policy refuses (OWASP ASVS 5.0 §6.2.4).
#
# Sources, both MIT-licensed (Copyright (c) 2012-2016 Dan Wheeler and Dropbox,
# Inc.; Copyright (c) 2021 @zxcvbn-ts), fetched from the npm registry:
#   - @zxcvbn-ts/language-common 4.1.3, src/passwords.json: common passwords
#     ranked by frequency; the top 10,000 are kept;
#   - @zxcvbn-ts/language-fr 4.1.2, src/lastnames.json: French first names
#     (the package swaps the two names lists: its lastnames.json holds first
#     names and its firstnames.json surnames; main.go checks this).
# plus tools/commonpasswords/french.txt, obvious French ones added by hand.
#
# Only this script needs npm: the generated file is committed, and the build
# and the tests use it as it is. Run from anywhere: bash tools/commonpasswords/generate.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent @zxcvbn-ts/language-common@4.1.3 @zxcvbn-ts/language-fr@4.1.2 >/dev/null
for pkg in common fr; do
	mkdir "$pkg"
	tar -xzf zxcvbn-ts-language-"$pkg"-*.tgz -C "$pkg"
	# Refuse to go on if a package's license ever stops being MIT.
	if ! grep -q '"license": *"MIT"' "$pkg/package/package.json"; then
		echo "generate.sh: @zxcvbn-ts/language-$pkg is no longer MIT-licensed; check before use" >&2
		exit 1
	fi
done

cd "$root"
go run ./tools/commonpasswords \
	-common "$tmp/common/package/src/passwords.json" \
	-firstnames "$tmp/fr/package/src/lastnames.json" \
	-french tools/commonpasswords/french.txt \
	-top 10000 -min 6 \
	-out server/password/common.txt.gz
