package captcha

import (
	_ "embed"
	"encoding/binary"
	"fmt"
	"sync"
)

// voiceFile holds the French voice samples: the ten digits and the two
// phrases, spoken by a few eSpeak NG voice variants, 8 kHz mono, G.711 µ-law.
// tools/captchavoice/generate.sh makes it; the format is described in
// tools/captchavoice/main.go.
//
// Licence: the samples are output of eSpeak NG (GPL-3.0-or-later), not the
// program nor part of it, so the GPL does not extend to them, nor to this
// package; no eSpeak NG code is linked in.
//
//go:embed voice.bin
var voiceFile []byte

// Clips of a variant, in the order of the file.
const (
	clipIntro  = 10 // « Recopiez les chiffres suivants : »
	clipRepeat = 11 // « Je répète : »
	numClips   = 12
)

// variant is one voice: its clips decoded to floats, peaks about 0.9.
type variant struct {
	name  string
	clips [numClips][]float32
}

// loadVoices decodes voiceFile once.
var loadVoices = sync.OnceValues(func() ([]variant, error) {
	return parseVoices(voiceFile)
})

// parseVoices decodes a voice file.
func parseVoices(b []byte) ([]variant, error) {
	bad := func(what string) ([]variant, error) {
		return nil, fmt.Errorf("captcha: voice file: %s", what)
	}
	if len(b) < 10 || string(b[:4]) != "CVOX" {
		return bad("not a voice file")
	}
	if b[4] != 1 || b[5] != 1 {
		return bad(fmt.Sprintf("unknown version %d or encoding %d", b[4], b[5]))
	}
	if r := binary.LittleEndian.Uint16(b[6:]); r != SampleRate {
		return bad(fmt.Sprintf("sample rate %d", r))
	}
	nv, nc := int(b[8]), int(b[9])
	if nv == 0 || nc != numClips {
		return bad(fmt.Sprintf("%d variants of %d clips", nv, nc))
	}
	p := 10
	vs := make([]variant, nv)
	lens := make([][numClips]int, nv)
	for v := range vs {
		if p >= len(b) || p+1+int(b[p])+4*numClips > len(b) {
			return bad("truncated header")
		}
		n := int(b[p])
		vs[v].name = string(b[p+1 : p+1+n])
		p += 1 + n
		for c := range numClips {
			lens[v][c] = int(binary.LittleEndian.Uint32(b[p:]))
			p += 4
		}
	}
	for v := range vs {
		for c := range numClips {
			n := lens[v][c]
			if n == 0 || n > len(b)-p {
				return bad("truncated samples")
			}
			s := make([]float32, n)
			for i, u := range b[p : p+n] {
				s[i] = mulaw[u]
			}
			vs[v].clips[c] = s
			p += n
		}
	}
	if p != len(b) {
		return bad("trailing bytes")
	}
	return vs, nil
}

// mulaw decodes G.711 µ-law to floats in [-1, 1].
var mulaw = func() (t [256]float32) {
	for i := range t {
		u := ^byte(i)
		exp := int(u>>4) & 7
		v := ((int(u&0x0f) << 3) + 0x84) << exp
		v -= 0x84
		if u&0x80 != 0 {
			v = -v
		}
		t[i] = float32(v) / 32768
	}
	return t
}()
