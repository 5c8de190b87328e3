package synth

import (
	"math"
	"math/rand/v2"

	"github.com/sinkron-id/sinkron/biometric/iris"
	"github.com/sinkron-id/sinkron/biometric/template"
)

const (
	angles = template.IrisBits / template.BitsPerAngle // 128
	rings  = 8
)

// MasterIris is the true iris: the field of wavelet responses its code is
// the sign of, one value a bit (8 rings × 128 angles × 2 phases).
type MasterIris struct {
	Missing bool
	field   []float32
}

// newMasterIris draws the field as white noise smoothed along the angle and
// across rings, in the code's bit layout. Real IrisCodes are correlated
// because neighbouring Gabor wavelets overlap; the smoothing widths are
// chosen so impostor codes keep Daugman's 249 degrees of freedom.
func newMasterIris(r *rand.Rand, p *Params) MasterIris {
	if r.Float64() < p.MissingEye {
		return MasterIris{Missing: true}
	}
	return MasterIris{field: smoothField(r, p)}
}

// smoothField is a Gaussian field over (angle, ring) for each phase bit,
// circular along the angle: white noise smoothed along the angle, then
// across rings (the kernel is separable). Tracks (ring × phase) are kept
// contiguous along the angle, padded on both sides so the circular
// convolution needs no modulo.
func smoothField(r *rand.Rand, p *Params) []float32 {
	ka, kr := kernel(p.IrisAngularSmooth), kernel(p.IrisRadialSmooth)
	h := len(ka) / 2
	const tracks = rings * 2
	stride := angles + 2*h
	white := make([]float32, tracks*stride)
	along := make([]float32, tracks*angles)
	for t := 0; t < tracks; t++ {
		row := white[t*stride : (t+1)*stride]
		for a := 0; a < angles; a++ {
			row[h+a] = float32(r.NormFloat64())
		}
		copy(row[:h], row[angles:angles+h])
		copy(row[h+angles:], row[h:2*h])
		out := along[t*angles : (t+1)*angles]
		for a := range out {
			var s float32
			for i, w := range ka {
				s += w * row[a+i]
			}
			out[a] = s
		}
	}
	field := make([]float32, template.IrisBits)
	hr := len(kr) / 2
	for t := 0; t < tracks; t++ {
		ring, ph := t/2, t%2
		for a := 0; a < angles; a++ {
			var s float32
			for j, w := range kr {
				if rr := ring + j - hr; rr >= 0 && rr < rings {
					s += w * along[(rr*2+ph)*angles+a]
				}
			}
			field[a*template.BitsPerAngle+t] = s
		}
	}
	return field
}

// kernel is a Gaussian of s.d. sigma sampled at −2.5σ … 2.5σ (just [1]
// for 0); beyond, its weight is below 5 %.
func kernel(sigma float64) []float32 {
	if sigma <= 0 {
		return []float32{1}
	}
	h := int(math.Ceil(2.5 * sigma))
	k := make([]float32, 2*h+1)
	for i := range k {
		d := float64(i - h)
		k[i] = float32(math.Exp(-d * d / (2 * sigma * sigma)))
	}
	return k
}

// Capture makes one capture of the iris: the field plus a capture's own
// noise field (focus, lighting, segmentation), its sign as the code, rotated
// by the head's tilt, with a mask for eyelids and lashes.
func (m *MasterIris) Capture(r *rand.Rand, p *Params) template.Eye {
	if m.Missing {
		return template.Eye{Exception: template.Missing}
	}
	eps := math.Abs(p.IrisNoiseMean + p.IrisNoiseSD*r.NormFloat64())
	noise := smoothField(r, p)
	var code template.IrisCode
	for i, v := range m.field {
		if float64(v)+eps*float64(noise[i]) > 0 {
			code.Code[i/64] |= 1 << (i % 64)
		}
	}
	for i := range code.Mask {
		code.Mask[i] = ^uint64(0)
	}
	shift := int(math.Round(p.IrisRotationSD * r.NormFloat64()))
	code = iris.Rotate(code, shift)
	mask := occlusion(r, p)
	for i := range code.Code {
		code.Mask[i] = mask[i]
		code.Code[i] &= mask[i]
	}
	return template.Eye{Code: code}
}

// occlusion is a capture's mask in the camera's frame: the upper lid covers
// the outer rings around the top of the iris (angle index 32 of 128 is
// 90°), the lower lid around the bottom (index 96), deeper at the centre of
// the lid; lashes speckle the upper half.
func occlusion(r *rand.Rand, p *Params) [template.IrisWords]uint64 {
	var mask [template.IrisWords]uint64
	upper := r.IntN(p.UpperLidMax + 1)
	lower := r.IntN(p.LowerLidMax + 1)
	for a := 0; a < angles; a++ {
		covered := lidDepth(a, 32, upper) // rings from the outside the lid covers here
		if c := lidDepth(a, 96, lower); c > covered {
			covered = c
		}
		for ring := 0; ring < rings; ring++ {
			if ring >= rings-covered { // ring 7 is outermost
				continue
			}
			if a < 64 && r.Float64() < p.LashShare {
				continue
			}
			for phaseBit := 0; phaseBit < 2; phaseBit++ {
				i := a*template.BitsPerAngle + ring*2 + phaseBit
				mask[i/64] |= 1 << (i % 64)
			}
		}
	}
	return mask
}

// lidDepth is how many outer rings a lid of the given depth covers at angle
// index a: depth at its centre, falling off over a half-width of 48 angle
// steps (a lid is a wide arc).
func lidDepth(a, centre, depth int) int {
	d := a - centre
	if d < 0 {
		d = -d
	}
	if d > angles/2 {
		d = angles - d
	}
	return int(float64(depth)*math.Max(0, 1-float64(d)/48) + 0.5)
}
