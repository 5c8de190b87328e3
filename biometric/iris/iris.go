package iris

import (
	"math"
	"math/bits"
	"unsafe"

	"github.com/sinkron-id/sinkron/biometric/template"
)

const words = template.IrisWords

// EyeWords is one eye as the kernels read it: the code's 32 words, then the
// mask's 32 (the layout of template.IrisCode).
const EyeWords = 2 * words

// template.IrisCode must be exactly code then mask, with no padding, for
// eye's view of it: these fail to compile otherwise.
var (
	_ [unsafe.Sizeof(template.IrisCode{}) - 8*EyeWords]struct{}
	_ [8*EyeWords - unsafe.Sizeof(template.IrisCode{})]struct{}
	_ [unsafe.Offsetof(template.IrisCode{}.Mask) - 8*words]struct{}
	_ [8*words - unsafe.Offsetof(template.IrisCode{}.Mask)]struct{}
)

// eye views a code and its mask as the kernels' one array, without copying
// 512 bytes a comparison.
func eye(c *template.IrisCode) *[EyeWords]uint64 { return (*[EyeWords]uint64)(unsafe.Pointer(c)) }

// TypicalBits is Daugman's typical number of bits compared (2004).
const TypicalBits = 911

// DefaultMaxShift is the rotation range searched, in angular steps of
// 360/128 degrees each side: ±12 steps is ±33.75°. Two captures of an eye
// differ by the difference of two head tilts; with the synthetic set's
// 7° a capture (synth.Params.IrisRotationSD) that is 10° between them, and
// ±8 steps (22.5°) left 2.4 % of same eyes unaligned, the commonest reason
// a duplicate escaped the index. ±12 is 3.4 standard deviations.
const DefaultMaxShift = 12

// Distance is the masked Hamming distance of two codes at one alignment:
// diff bits disagree among n bits both masks keep.
func Distance(a, b *template.IrisCode) (diff, n int) {
	var out [1]uint64
	distanceMany(eye(a), eye(b)[:], 0, out[:])
	return Unpack(out[0])
}

// DistanceMany compares one eye p (code words, then mask words) with
// len(out) eyes of the same layout, the i-th at g[i*stride:], in one call:
// out[i] holds the bits that differ in its low 32 bits and the bits
// compared in its high 32 (Unpack). On a CPU with AVX-512 VPOPCNTDQ p stays
// in registers across the whole call, which is where the 1:N search and a
// probe's rotations spend their time.
func DistanceMany(p *[EyeWords]uint64, g []uint64, stride int, out []uint64) {
	if len(out) == 0 {
		return
	}
	if stride < 0 || (len(out)-1)*stride+EyeWords > len(g) {
		panic("iris: DistanceMany past the end of g")
	}
	distanceMany(p, g, stride, out)
}

// Unpack splits one of DistanceMany's results.
func Unpack(v uint64) (diff, n int) { return int(uint32(v)), int(v >> 32) }

// distanceManyScalar is the portable loop: four words an iteration so the
// popcounts of independent words overlap in the pipeline.
func distanceManyScalar(p *[EyeWords]uint64, g []uint64, stride int, out []uint64) {
	pc, pm := p[:words], p[words:]
	for i := range out {
		b := g[i*stride : i*stride+EyeWords]
		bc, bm := b[:words], b[words:]
		diff, n := 0, 0
		for k := 0; k < words; k += 4 {
			m0, m1, m2, m3 := pm[k]&bm[k], pm[k+1]&bm[k+1], pm[k+2]&bm[k+2], pm[k+3]&bm[k+3]
			diff += bits.OnesCount64((pc[k]^bc[k])&m0) + bits.OnesCount64((pc[k+1]^bc[k+1])&m1) +
				bits.OnesCount64((pc[k+2]^bc[k+2])&m2) + bits.OnesCount64((pc[k+3]^bc[k+3])&m3)
			n += bits.OnesCount64(m0) + bits.OnesCount64(m1) + bits.OnesCount64(m2) + bits.OnesCount64(m3)
		}
		out[i] = uint64(diff) | uint64(n)<<32
	}
}

// Normalize is Daugman's score normalisation for n bits compared.
func Normalize(diff, n int) float64 {
	if n == 0 {
		return 0.5
	}
	hd := float64(diff) / float64(n)
	if n < len(bitsWeight) {
		return 0.5 - (0.5-hd)*bitsWeight[n]
	}
	return 0.5 - (0.5-hd)*math.Sqrt(float64(n)/TypicalBits)
}

// bitsWeight[n] is sqrt(n/911), the same value Normalize would compute: a
// search normalises every rotation of every iris it compares in full, and
// the square root cost more than the comparison. Filled once, read only.
var bitsWeight = func() (w [template.IrisBits + 1]float64) {
	for n := range w {
		w[n] = math.Sqrt(float64(n) / TypicalBits)
	}
	return w
}()

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
	rot []uint64 // EyeWords a rotation, −maxShift … +maxShift
	max int
}

// NewProbe prepares c for comparison over ±maxShift angular steps.
func NewProbe(c template.IrisCode, maxShift int) *Probe {
	p := &Probe{max: maxShift, rot: make([]uint64, 0, (2*maxShift+1)*EyeWords)}
	for s := -maxShift; s <= maxShift; s++ {
		r := Rotate(c, s)
		p.rot = append(p.rot, eye(&r)[:]...)
	}
	return p
}

// Rotations is the number of rotations a probe holds.
func (p *Probe) Rotations() int { return 2*p.max + 1 }

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
	var buf [2*DefaultMaxShift + 1]uint64
	out := buf[:0]
	if p.Rotations() > len(buf) {
		out = make([]uint64, p.Rotations())
	}
	out = out[:p.Rotations()]
	// One call for every rotation: the gallery eye stays in registers and
	// the rotations stream past it.
	distanceMany(eye(g), p.rot, EyeWords, out)
	return p.best(out)
}

// CompareWords is Compare on an eye already in the kernels' layout.
func (p *Probe) CompareWords(g *[EyeWords]uint64) Result {
	var buf [2*DefaultMaxShift + 1]uint64
	out := buf[:0]
	if p.Rotations() > len(buf) {
		out = make([]uint64, p.Rotations())
	}
	out = out[:p.Rotations()]
	distanceMany(g, p.rot, EyeWords, out)
	return p.best(out)
}

// best picks the lowest normalised HD among the rotations' results.
func (p *Probe) best(out []uint64) Result {
	best := Result{Score: 0.5, HD: 0.5}
	for i, v := range out {
		diff, n := Unpack(v)
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
