package captcha

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

var six = []byte{3, 1, 4, 1, 5, 9}

// wav is a parsed WAV file.
type wav struct {
	rate, channels, bits int
	samples              []float32 // in [-1, 1]
}

// parseWAV checks that b is a well-formed RIFF/WAVE file of 8-bit unsigned
// mono PCM and returns its samples.
func parseWAV(b []byte) (*wav, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errors.New("not RIFF/WAVE")
	}
	if n := binary.LittleEndian.Uint32(b[4:]); int(n) != len(b)-8 {
		return nil, fmt.Errorf("RIFF size %d, file %d bytes", n, len(b))
	}
	var w wav
	var haveFmt bool
	for p := 12; p < len(b); {
		if p+8 > len(b) {
			return nil, errors.New("truncated chunk header")
		}
		id, n := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		p += 8
		if p+n > len(b) {
			return nil, fmt.Errorf("chunk %q of %d bytes past the end", id, n)
		}
		c := b[p : p+n]
		switch id {
		case "fmt ":
			if n < 16 {
				return nil, errors.New("short fmt chunk")
			}
			if f := binary.LittleEndian.Uint16(c); f != 1 {
				return nil, fmt.Errorf("format %d, not PCM", f)
			}
			w.channels = int(binary.LittleEndian.Uint16(c[2:]))
			w.rate = int(binary.LittleEndian.Uint32(c[4:]))
			byteRate := int(binary.LittleEndian.Uint32(c[8:]))
			align := int(binary.LittleEndian.Uint16(c[12:]))
			w.bits = int(binary.LittleEndian.Uint16(c[14:]))
			if align != w.channels*w.bits/8 || byteRate != w.rate*align {
				return nil, fmt.Errorf("inconsistent fmt: align %d, byte rate %d", align, byteRate)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, errors.New("data before fmt")
			}
			if w.bits != 8 || w.channels != 1 {
				return nil, fmt.Errorf("%d bits, %d channels", w.bits, w.channels)
			}
			w.samples = make([]float32, n)
			for i, u := range c {
				w.samples[i] = (float32(u) - 128) / 127
			}
		}
		p += n + n%2
	}
	if w.samples == nil {
		return nil, errors.New("no data chunk")
	}
	return &w, nil
}

func audio(t testing.TB, digits []byte) *wav {
	t.Helper()
	var buf bytes.Buffer
	if err := Audio(digits, &buf); err != nil {
		t.Fatalf("Audio(%v): %v", digits, err)
	}
	w, err := parseWAV(buf.Bytes())
	if err != nil {
		t.Fatalf("Audio(%v): %v", digits, err)
	}
	if w.rate != 8000 || w.channels != 1 {
		t.Fatalf("Audio(%v): %d Hz, %d channels", digits, w.rate, w.channels)
	}
	return w
}

func seconds(w *wav) float64 { return float64(len(w.samples)) / float64(w.rate) }

func TestVoiceFile(t *testing.T) {
	vs, err := loadVoices()
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) < 2 {
		t.Fatalf("%d voice variants, want 2 or more", len(vs))
	}
	for _, v := range vs {
		if v.name == "" {
			t.Error("variant without a name")
		}
		for c, s := range v.clips {
			d := float64(len(s)) / SampleRate
			lo, hi := 0.15, 1.0 // a digit
			switch c {
			case clipIntro:
				lo, hi = 1, 3
			case clipRepeat:
				lo, hi = 0.4, 1.5
			}
			if d < lo || d > hi {
				t.Errorf("%s clip %d: %.2f s, want %.2f–%.2f", v.name, c, d, lo, hi)
			}
			if p := peakOf(s); p < 0.8 || p > 0.95 {
				t.Errorf("%s clip %d: peak %.2f, want about %.1f", v.name, c, p, clipPeak)
			}
		}
	}
	// A damaged file is refused, not read past its end.
	for _, n := range []int{0, 9, 40, len(voiceFile) - 1} {
		if _, err := parseVoices(voiceFile[:n]); err == nil {
			t.Errorf("voice file cut at %d bytes: no error", n)
		}
	}
}

func peakOf(s []float32) float32 {
	var p float32
	for _, x := range s {
		p = max(p, x, -x)
	}
	return p
}

func TestAudio(t *testing.T) {
	w := audio(t, six)
	// Typically 12–15 s; the bounds are the extremes of the random draws.
	if d := seconds(w); d < 9 || d > 18 {
		t.Errorf("6 digits last %.1f s, want 9–18 s", d)
	}
	if p := peakOf(w.samples); p < 0.5 || p > 1 {
		t.Errorf("peak %.2f", p)
	}
}

func TestAudioRandom(t *testing.T) {
	a, b := audio(t, six), audio(t, six)
	if len(a.samples) == len(b.samples) && slicesEqual(a.samples, b.samples) {
		t.Fatal("two renders of the same digits are identical")
	}
	if r := seconds(a) / seconds(b); r < 0.8 || r > 1.25 {
		t.Errorf("two renders of the same digits last %.1f s and %.1f s", seconds(a), seconds(b))
	}
}

func slicesEqual(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEveryDigit(t *testing.T) {
	for d := range byte(10) {
		audio(t, []byte{d})
	}
	audio(t, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
}

func TestInvalidDigits(t *testing.T) {
	for _, digits := range [][]byte{nil, {}, {10}, {1, 2, 3, 4, 5, 10}, {'7'}} {
		var buf bytes.Buffer
		if err := Audio(digits, &buf); !errors.Is(err, ErrDigits) {
			t.Errorf("Audio(%v): %v, want ErrDigits", digits, err)
		}
		if err := Image("id", digits, &buf); !errors.Is(err, ErrDigits) {
			t.Errorf("Image(%v): %v, want ErrDigits", digits, err)
		}
		if buf.Len() != 0 {
			t.Errorf("%v: wrote %d bytes", digits, buf.Len())
		}
	}
}

func TestImage(t *testing.T) {
	var buf bytes.Buffer
	if err := Image("abc", six, &buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("not a PNG: % x", buf.Bytes()[:min(8, buf.Len())])
	}
}

type errWriter struct{}

var errWrite = errors.New("write failed")

func (errWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestAudioWriteError(t *testing.T) {
	if err := Audio(six, errWriter{}); !errors.Is(err, errWrite) {
		t.Errorf("Audio to a failing writer: %v", err)
	}
}

func testRender(t *testing.T, seed uint64, digits []byte) ([]float32, []segment, []variant) {
	t.Helper()
	vs, err := loadVoices()
	if err != nil {
		t.Fatal(err)
	}
	s, segs := render(rand.New(rand.NewPCG(seed, 1)), vs, digits)
	return s, segs, vs
}

// TestLayout checks the order of the clips, the gaps and the level of the
// background between them.
func TestLayout(t *testing.T) {
	for seed := range uint64(20) {
		s, segs, _ := testRender(t, seed, six)
		want := []int{clipIntro}
		for range 2 {
			for _, d := range six {
				want = append(want, int(d))
			}
			if len(want) == 1+len(six) {
				want = append(want, clipRepeat)
			}
		}
		if len(segs) != len(want) {
			t.Fatalf("seed %d: %d segments, want %d", seed, len(segs), len(want))
		}
		var speech float32
		for i, sg := range segs {
			if sg.clip != want[i] {
				t.Errorf("seed %d: segment %d is clip %d, want %d", seed, i, sg.clip, want[i])
			}
			if sg.step < 1-digitStep || sg.step > 1+digitStep {
				t.Errorf("seed %d: segment %d at speed %.3f", seed, i, sg.step)
			}
			speech = max(speech, peakOf(s[sg.start:sg.start+sg.n]))
			if i > 0 {
				prev := segs[i-1]
				gap := float64(sg.start-prev.start-prev.n) * 1000 / SampleRate
				if gap < digitMin-1 || gap > repeatMax+1 {
					t.Errorf("seed %d: gap of %.0f ms before segment %d", seed, gap, i)
				}
				if bg := peakOf(s[prev.start+prev.n : sg.start]); bg > 0.15*speech {
					t.Errorf("seed %d: background peak %.3f in a gap, speech peak %.3f (%.0f%%)", seed, bg, speech, 100*bg/speech)
				}
			}
		}
		if p := peakOf(s); p > 1 {
			t.Errorf("seed %d: peak %.3f clips", seed, p)
		}
	}
}

// TestDigitsMatchTheirVoice is a check of intelligibility that needs no ear:
// each digit's place in the encoded output must resemble the sample of that
// digit (in the same variant, at the same speed) much more than the sample
// of any other digit at any nearby offset, through the background noise and
// the 8-bit quantisation. It proves the digits are where they should be and
// are not drowned; not that a listener understands eSpeak's French.
func TestDigitsMatchTheirVoice(t *testing.T) {
	digits := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	for seed := range uint64(3) {
		s, segs, vs := testRender(t, seed, digits)
		w, err := parseWAV(encodeWAV(s))
		if err != nil {
			t.Fatal(err)
		}
		out := w.samples
		for _, sg := range segs {
			if sg.clip >= 10 {
				continue
			}
			best, bestOther, other := 0.0, -1.0, -1
			for d := range 10 {
				src := vs[sg.variant].clips[d]
				ref := make([]float32, resampledLen(len(src), sg.step))
				mix(ref, src, sg.step, 1)
				// The right digit at its place; another anywhere within ±50 ms.
				lags := []int{0}
				if d != sg.clip {
					lags = lags[:0]
					for l := -400; l <= 400; l += 4 {
						lags = append(lags, l)
					}
				}
				for _, l := range lags {
					c := ncc(out, sg.start+l, ref)
					if d == sg.clip {
						best = c
					} else if c > bestOther {
						bestOther, other = c, d
					}
				}
			}
			// Observed: 0.97–1.00 with itself, at most 0.78 with another
			// (« six » and « huit » share their /i/).
			if best < 0.9 || best-bestOther < 0.15 {
				t.Errorf("seed %d, digit %d (%s): correlation %.2f with itself, %.2f with %d",
					seed, sg.clip, vs[sg.variant].name, best, bestOther, other)
			}
		}
	}
}

// ncc is the normalised cross-correlation of ref with s from offset p on.
func ncc(s []float32, p int, ref []float32) float64 {
	var sr, ss, rr float64
	for i, r := range ref {
		if p+i < 0 || p+i >= len(s) {
			continue
		}
		x := float64(s[p+i])
		sr += x * float64(r)
		ss += x * x
		rr += float64(r) * float64(r)
	}
	if ss == 0 || rr == 0 {
		return 0
	}
	return sr / math.Sqrt(ss*rr)
}

func BenchmarkAudio(b *testing.B) {
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Audio(six, &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "wav-bytes")
}

func BenchmarkImage(b *testing.B) {
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Image("id", six, &buf); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDurations(t *testing.T) {
	lo, hi, sum := math.Inf(1), 0.0, 0.0
	const n = 200
	for seed := range uint64(n) {
		s, _, _ := testRender(t, seed, six)
		d := float64(len(s)) / SampleRate
		lo, hi, sum = min(lo, d), max(hi, d), sum+d
	}
	t.Logf("6 digits: %.1f–%.1f s, mean %.1f s", lo, hi, sum/n)
	if m := sum / n; m < 10 || m > 15 {
		t.Errorf("6 digits last %.1f s on average, want 10–15 s", m)
	}
}

func TestAudioConcurrent(t *testing.T) {
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var buf bytes.Buffer
			errs <- Audio(six, &buf)
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
