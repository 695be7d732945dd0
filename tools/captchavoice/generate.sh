#!/usr/bin/env bash
# Regenerates server/captcha/voice.bin, the French voice of the audio captcha:
# the ten digits « zéro » … « neuf » and the two phrases « Recopiez les
# chiffres suivants : » and « Je répète : », each spoken by a few eSpeak NG
# voice variants, resampled to 8 kHz mono, then packed by main.go (beside
# this script) into one small file that the package embeds.
#
# Needs espeak-ng, sox and go (Debian: apt-get install espeak-ng sox). Only this
# script needs them: the build and the tests use the committed voice.bin.
# The output is deterministic for given espeak-ng and sox versions (here
# eSpeak NG 1.51, SoX 14.4.2, Debian 12).
#
# Licence: eSpeak NG is GPL-3.0-or-later, but voice.bin is output of the
# program, not the program (nor any part of its code or data files copied in):
# like a document typeset with a GPL tool, it is not covered by the GPL, and no
# espeak-ng code is linked into the service.
#
# Usage: tools/captchavoice/generate.sh   (from anywhere in the repository)
set -euo pipefail

cd "$(dirname "$0")/../.."
for tool in espeak-ng sox go; do
	if ! command -v "$tool" >/dev/null; then
		echo "generate.sh: $tool is missing (apt-get install espeak-ng sox)" >&2
		exit 1
	fi
done

# Voice variants: the default French voice (male), female 3 and male 3.
VARIANTS=(fr fr+f3 fr+m3)
DIGITS=(zéro un deux trois quatre cinq six sept huit neuf)
INTRO="Recopiez les chiffres suivants :"
REPEAT="Je répète :"
# Words per minute (eSpeak's default is 175): digits a little slower.
DIGIT_SPEED=150
PHRASE_SPEED=165

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# say VOICE SPEED TEXT OUT: speak TEXT to OUT as raw signed 16-bit
# little-endian PCM, 8 kHz mono, without dither (so the output is repeatable).
say() {
	espeak-ng -b 1 -v "$1" -s "$2" -w "$tmp/say.wav" -- "$3"
	sox -D "$tmp/say.wav" -t raw -e signed-integer -b 16 -L -c 1 -r 8000 "$4"
}

dirs=()
for v in "${VARIANTS[@]}"; do
	d="$tmp/$v"
	mkdir -p "$d"
	for i in "${!DIGITS[@]}"; do
		say "$v" "$DIGIT_SPEED" "${DIGITS[$i]}" "$d/$i.raw"
	done
	say "$v" "$PHRASE_SPEED" "$INTRO" "$d/intro.raw"
	say "$v" "$PHRASE_SPEED" "$REPEAT" "$d/repeat.raw"
	dirs+=("$d")
done

go run ./tools/captchavoice -o server/captcha/voice.bin "${dirs[@]}"
