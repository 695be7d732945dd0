// Package captcha renders a captcha's digits as an image and, for those who
// cannot see it, as French speech.
//
// The image is github.com/dchest/captcha's. The audio is made here from
// samples of the French digits « zéro » … « neuf » spoken by a few eSpeak NG
// voice variants (voice.bin, made by tools/captchavoice/generate.sh): it says
// « Recopiez les chiffres suivants : », the digits, « Je répète : » and the
// digits again, each digit in a voice variant drawn at random, slightly
// faster or slower and higher or lower, with random gaps, over a low
// background of noise and reversed speech, so that no two renders are alike.
package captcha

import (
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"

	"github.com/dchest/captcha"
)

// SampleRate is the sample rate of the audio, in Hz.
const SampleRate = 8000

// Content types of what Image and Audio write.
const (
	ImageContentType = "image/png"
	AudioContentType = "audio/wav"
)

// ErrDigits is returned for digits that are empty or not all values 0–9.
var ErrDigits = errors.New("captcha: digits must be one or more values 0–9")

func checkDigits(digits []byte) error {
	if len(digits) == 0 {
		return ErrDigits
	}
	for _, d := range digits {
		if d > 9 {
			return ErrDigits
		}
	}
	return nil
}

// Image writes digits (values 0–9) as a PNG image, distorted at random, of
// dchest/captcha's standard size.
func Image(id string, digits []byte, w io.Writer) error {
	if err := checkDigits(digits); err != nil {
		return err
	}
	_, err := captcha.NewImage(id, digits, captcha.StdWidth, captcha.StdHeight).WriteTo(w)
	return err
}

// Audio writes digits (values 0–9) spoken in French, twice, as a WAV file
// (RIFF, 8-bit unsigned PCM, 8 kHz, mono): about 14 s and 110 KB for six
// digits. Every call renders differently.
func Audio(digits []byte, w io.Writer) error {
	if err := checkDigits(digits); err != nil {
		return err
	}
	vs, err := loadVoices()
	if err != nil {
		return err
	}
	var seed [32]byte
	crand.Read(seed[:]) // never fails (it crashes the program instead)
	s, _ := render(rand.New(rand.NewChaCha8(seed)), vs, digits)
	_, err = w.Write(encodeWAV(s))
	return err
}

// Timing, in milliseconds: each gap is drawn uniformly in [min, max].
const (
	leadMin, leadMax     = 250, 450   // before the first phrase
	introMin, introMax   = 450, 700   // after a phrase
	digitMin, digitMax   = 300, 700   // between two digits
	repeatMin, repeatMax = 700, 1000  // before « Je répète : »
	tailMin, tailMax     = 300, 500   // after the last digit
	digitStep            = 0.05       // digits play at 1 ± digitStep speed
	phraseStep           = 0.03       // phrases at 1 ± phraseStep
	gainMin              = 0.9        // each clip's gain is in [gainMin, 1]
	master               = 0.85       // overall gain, so that mixing never clips
	noiseMin, noiseMax   = 0.04, 0.07 // peak of the noise, of the clips' peak
	babbleMin, babbleMax = 0.03, 0.06 // peak of the reversed speech, likewise
	clipPeak             = 0.9        // peak of the clips in voice.bin
)

// segment is a clip placed in a render, for the tests.
type segment struct {
	clip, variant int     // clip (0–9 for a digit) and variant
	step          float64 // resampling step: > 1 is faster and higher
	gain          float32
	start, n      int // position and length in samples
}

func ms(rng *rand.Rand, lo, hi int) int {
	return (lo + rng.IntN(hi-lo+1)) * SampleRate / 1000
}

// resampledLen is the length of a clip of n samples played at step.
func resampledLen(n int, step float64) int {
	return int(float64(n-1)/step) + 1
}

// render speaks digits with voices vs, drawing the variations from rng, and
// returns the samples (in [-1, 1]) and where each clip is.
func render(rng *rand.Rand, vs []variant, digits []byte) ([]float32, []segment) {
	segs := make([]segment, 0, 2+2*len(digits))
	pos := ms(rng, leadMin, leadMax)
	place := func(clip int, maxStep float64, gap int) {
		v := rng.IntN(len(vs))
		step := 1 + maxStep*(2*rng.Float64()-1)
		n := resampledLen(len(vs[v].clips[clip]), step)
		g := gainMin + (1-gainMin)*rng.Float32()
		segs = append(segs, segment{clip: clip, variant: v, step: step, gain: g, start: pos, n: n})
		pos += n + gap
	}
	sayDigits := func(last int) {
		for i, d := range digits {
			gap := ms(rng, digitMin, digitMax)
			if i == len(digits)-1 {
				gap = last
			}
			place(int(d), digitStep, gap)
		}
	}
	place(clipIntro, phraseStep, ms(rng, introMin, introMax))
	sayDigits(ms(rng, repeatMin, repeatMax))
	place(clipRepeat, phraseStep, ms(rng, introMin, introMax))
	sayDigits(ms(rng, tailMin, tailMax))

	out := make([]float32, pos)
	background(rng, vs, out)
	for _, sg := range segs {
		mix(out[sg.start:sg.start+sg.n], vs[sg.variant].clips[sg.clip], sg.step, sg.gain*master)
	}
	return out, segs
}

// mix adds src played at step (linear interpolation) and gain g to dst,
// whose length is resampledLen(len(src), step).
func mix(dst, src []float32, step float64, g float32) {
	last := len(src) - 1
	for i := range dst {
		t := float64(i) * step
		j := int(t)
		if j >= last {
			dst[i] += g * src[last]
			continue
		}
		f := float32(t - float64(j))
		dst[i] += g * (src[j] + f*(src[j+1]-src[j]))
	}
}

// background fills out with low noise: white noise, softened by a one-pole
// low-pass filter of random strength, plus digits of random variants played
// backwards one after another, which sound like speech but say nothing. Each
// is bounded by its peak level, so the background stays under
// (noiseMax+babbleMax) of the speech's peak.
func background(rng *rand.Rand, vs []variant, out []float32) {
	pk := float32(clipPeak * master)
	noise := pk * float32(noiseMin+(noiseMax-noiseMin)*rng.Float64())
	a := 0.3 + 0.5*rng.Float32()
	var y float32
	for i := range out {
		y += a * ((2*rng.Float32()-1)*noise - y)
		out[i] = y
	}
	babble := master * float32(babbleMin+(babbleMax-babbleMin)*rng.Float64())
	for p := rng.IntN(SampleRate / 2); p < len(out); {
		src := vs[rng.IntN(len(vs))].clips[rng.IntN(10)]
		n := min(len(src), len(out)-p)
		for i := range n {
			out[p+i] += babble * src[len(src)-1-i]
		}
		p += n + rng.IntN(SampleRate/5)
	}
}

// encodeWAV encodes samples in [-1, 1] as a WAV file: RIFF, 8-bit unsigned
// PCM, 8 kHz, mono.
func encodeWAV(s []float32) []byte {
	n := len(s) + len(s)%2 // a RIFF chunk has an even length
	b := make([]byte, 44+n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)         // fmt chunk size
	binary.LittleEndian.PutUint16(b[20:], 1)          // PCM
	binary.LittleEndian.PutUint16(b[22:], 1)          // mono
	binary.LittleEndian.PutUint32(b[24:], SampleRate) // sample rate
	binary.LittleEndian.PutUint32(b[28:], SampleRate) // bytes per second
	binary.LittleEndian.PutUint16(b[32:], 1)          // bytes per frame
	binary.LittleEndian.PutUint16(b[34:], 8)          // bits per sample
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(n))
	d := b[44:]
	for i, x := range s {
		v := int(x*127 + 128.5) // rounds to nearest (truncation, clamped below)
		d[i] = byte(min(max(v, 0), 255))
	}
	if len(s)%2 != 0 {
		d[len(s)] = 128
	}
	return b
}
