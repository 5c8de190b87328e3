package iris

import (
	"math"
	"math/bits"

	"github.com/sinkron-id/sinkron/biometric/template"
)

const words = template.IrisWords

// TypicalBits is Daugman's typical number of bits compared (2004).
const TypicalBits = 911

// DefaultMaxShift is the rotation range searched, in angular steps of
// 360/128 degrees each side: ±8 steps is ±22.5°, beyond the head tilt of a
// cooperative subject at a counter camera.
const DefaultMaxShift = 8

// Distance is the masked Hamming distance of two codes at one alignment:
// diff bits disagree among n bits both masks keep.
func Distance(a, b *template.IrisCode) (diff, n int) {
	return distance(&a.Code, &a.Mask, &b.Code, &b.Mask)
}

// distanceScalar is the portable inner loop: four words an iteration so the
// popcounts of independent words overlap in the pipeline.
func distanceScalar(ac, am, bc, bm *[words]uint64) (diff, n int) {
	for i := 0; i < words; i += 4 {
		m0, m1, m2, m3 := am[i]&bm[i], am[i+1]&bm[i+1], am[i+2]&bm[i+2], am[i+3]&bm[i+3]
		diff += bits.OnesCount64((ac[i]^bc[i])&m0) + bits.OnesCount64((ac[i+1]^bc[i+1])&m1) +
			bits.OnesCount64((ac[i+2]^bc[i+2])&m2) + bits.OnesCount64((ac[i+3]^bc[i+3])&m3)
		n += bits.OnesCount64(m0) + bits.OnesCount64(m1) + bits.OnesCount64(m2) + bits.OnesCount64(m3)
	}
	return diff, n
}

// Normalize is Daugman's score normalisation for n bits compared.
func Normalize(diff, n int) float64 {
	if n == 0 {
		return 0.5
	}
	hd := float64(diff) / float64(n)
	return 0.5 - (0.5-hd)*math.Sqrt(float64(n)/TypicalBits)
}

// Rotate returns c rotated by steps angular positions (positive: the code's
// angle index grows), moving code and mask together.
func Rotate(c template.IrisCode, steps int) template.IrisCode {
	k := steps * template.BitsPerAngle
	return template.IrisCode{Code: rotateBits(c.Code, k), Mask: rotateBits(c.Mask, k)}
}

// rotateBits moves bit i to bit (i+k) mod 2048; bit i lives in word i/64 at
// position i%64.
func rotateBits(w [words]uint64, k int) [words]uint64 {
	const n = words * 64
	k = ((k % n) + n) % n
	ws, bs := k/64, uint(k%64)
	var out [words]uint64
	for i := range out {
		lo := w[(i-ws+words)%words]
		if bs == 0 {
			out[i] = lo
			continue
		}
		prev := w[(i-ws-1+2*words)%words]
		out[i] = lo<<bs | prev>>(64-bs)
	}
	return out
}

// Probe is one iris prepared for many comparisons: its rotations are made
// once, so each comparison is straight word-by-word popcounts.
type Probe struct {
	rot []template.IrisCode // rotation −maxShift … +maxShift
	max int
}

// NewProbe prepares c for comparison over ±maxShift angular steps.
func NewProbe(c template.IrisCode, maxShift int) *Probe {
	p := &Probe{max: maxShift, rot: make([]template.IrisCode, 2*maxShift+1)}
	for s := -maxShift; s <= maxShift; s++ {
		p.rot[s+maxShift] = Rotate(c, s)
	}
	return p
}

// Result is the best alignment of a comparison.
type Result struct {
	Score float64 // normalised HD: lower is more alike; 0.5 is chance
	HD    float64 // raw fractional HD at that alignment
	Bits  int     // bits compared
	Shift int     // rotation of the probe, in angular steps
}

// MinBits is the fewest bits a comparison may rest on; below it the result
// is 0.5 (no evidence either way).
const MinBits = 100

// Compare returns the best (lowest normalised HD) alignment of the probe
// against g.
func (p *Probe) Compare(g *template.IrisCode) Result {
	best := Result{Score: 0.5, HD: 0.5}
	for i := range p.rot {
		r := &p.rot[i]
		diff, n := distance(&r.Code, &r.Mask, &g.Code, &g.Mask)
		if n < MinBits {
			continue
		}
		if s := Normalize(diff, n); s < best.Score {
			best = Result{Score: s, HD: float64(diff) / float64(n), Bits: n, Shift: i - p.max}
		}
	}
	return best
}

// Compare is a one-off comparison of two codes over ±DefaultMaxShift.
func Compare(a, b template.IrisCode) Result { return NewProbe(a, DefaultMaxShift).Compare(&b) }

// UsableBits is the number of bits a code's mask keeps; a quality measure.
func UsableBits(c *template.IrisCode) int {
	n := 0
	for _, m := range c.Mask {
		n += bits.OnesCount64(m)
	}
	return n
}
