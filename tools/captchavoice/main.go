// Command captchavoice packs the voice samples of the French audio captcha
// into the file that package espacepro/server/captcha embeds (voice.bin).
// generate.sh, beside it, makes the samples with espeak-ng and sox and runs it:
//
//	captchavoice -o server/captcha/voice.bin DIR...
//
// Each DIR holds one voice variant, named after the DIR's base name (e.g.
// "fr+f3"), as raw signed 16-bit little-endian PCM at 8 kHz mono: 0.raw …
// 9.raw for the digits, intro.raw (« Recopiez les chiffres suivants : ») and
// repeat.raw (« Je répète : »). Every clip is trimmed of its leading and
// trailing silence, faded in and out over a few milliseconds, normalised to
// the same peak and stored as 8-bit G.711 µ-law. The output depends only on
// the input: the same samples give the same bytes.
//
// File format (integers little-endian; the reader is server/captcha/voice.go):
//
//	"CVOX"             magic
//	uint8              version, 1
//	uint8              encoding, 1 = G.711 µ-law
//	uint16             sample rate, 8000
//	uint8              number of variants V
//	uint8              number of clips per variant C, 12
//	V times:
//	  uint8 n, n bytes variant name
//	  C times uint32   clip length in samples
//	then the samples of every clip, variant by variant, clip by clip, in the
//	order 0 … 9, intro, repeat.
//
// Licence: the samples are output of eSpeak NG (GPL), not part of it; see
// generate.sh.
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
)

const (
	sampleRate = 8000
	// window is the length (samples) over which the envelope is measured to
	// find silence: 10 ms.
	window = sampleRate / 100
	// silence is the envelope level, relative to the clip's peak, under which
	// a leading or trailing window counts as silence (-40 dB): low enough to
	// keep the quiet fricatives (the « s » of « six », the « f » of « neuf »).
	silence = 0.01
	// margin is kept on either side of the sound, and fade is the length of
	// the linear fade in and out, in samples.
	margin = sampleRate * 15 / 1000
	fade   = sampleRate * 5 / 1000
	// peak is the level every clip is normalised to, of full scale.
	peak = 0.9
)

// clipNames are the files of a variant, in the order of the file format.
var clipNames = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "intro", "repeat"}

func main() {
	out := flag.String("o", "server/captcha/voice.bin", "output `file`")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: captchavoice [-o file] DIR...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	b, err := pack(flag.Args())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s: %d bytes, %d variants", *out, len(b), flag.NArg())
}

// pack reads the variants in dirs and returns the packed file.
func pack(dirs []string) ([]byte, error) {
	if len(dirs) > 255 {
		return nil, errors.New("too many variants")
	}
	var head, body bytes.Buffer
	head.WriteString("CVOX")
	head.WriteByte(1) // version
	head.WriteByte(1) // µ-law
	binary.Write(&head, binary.LittleEndian, uint16(sampleRate))
	head.WriteByte(byte(len(dirs)))
	head.WriteByte(byte(len(clipNames)))
	for _, dir := range dirs {
		name := filepath.Base(dir)
		if len(name) > 255 {
			return nil, fmt.Errorf("%s: name too long", dir)
		}
		head.WriteByte(byte(len(name)))
		head.WriteString(name)
		for _, c := range clipNames {
			file := filepath.Join(dir, c+".raw")
			s, err := readRaw(file)
			if err != nil {
				return nil, err
			}
			s = trim(s)
			if len(s) == 0 {
				return nil, fmt.Errorf("%s: only silence", file)
			}
			binary.Write(&head, binary.LittleEndian, uint32(len(s)))
			for _, x := range s {
				body.WriteByte(linearToMulaw(x))
			}
		}
	}
	return append(head.Bytes(), body.Bytes()...), nil
}

// readRaw reads signed 16-bit little-endian samples as floats in [-1, 1).
func readRaw(file string) ([]float64, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if len(b)%2 != 0 {
		return nil, fmt.Errorf("%s: odd length", file)
	}
	s := make([]float64, len(b)/2)
	for i := range s {
		s[i] = float64(int16(binary.LittleEndian.Uint16(b[2*i:]))) / 32768
	}
	return s, nil
}

// trim cuts the leading and trailing silence of s (keeping a margin), fades
// the ends and normalises the peak.
func trim(s []float64) []float64 {
	top := 0.0
	for _, x := range s {
		top = math.Max(top, math.Abs(x))
	}
	if top == 0 {
		return nil
	}
	loud := func(w int) bool { // whether window w is above the silence level
		for _, x := range s[w*window : min((w+1)*window, len(s))] {
			if math.Abs(x) > silence*top {
				return true
			}
		}
		return false
	}
	nw := (len(s) + window - 1) / window
	first, last := 0, nw-1
	for !loud(first) {
		first++
	}
	for !loud(last) {
		last--
	}
	start := max(first*window-margin, 0)
	end := min((last+1)*window+margin, len(s))
	t := make([]float64, end-start)
	for i := range t {
		g := peak / top
		if i < fade {
			g *= float64(i) / fade
		}
		if j := len(t) - 1 - i; j < fade {
			g *= float64(j) / fade
		}
		t[i] = s[start+i] * g
	}
	return t
}

// linearToMulaw encodes x in [-1, 1] as G.711 µ-law.
func linearToMulaw(x float64) byte {
	const bias, clip = 0x84, 32635
	v := int(math.Round(x * 32767))
	sign := 0
	if v < 0 {
		v, sign = -v, 0x80
	}
	if v > clip {
		v = clip
	}
	v += bias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0f
	return ^byte(sign | exp<<4 | mant)
}
