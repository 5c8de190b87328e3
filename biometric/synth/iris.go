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
// across rings (the kernel is separable).
func smoothField(r *rand.Rand, p *Params) []float32 {
	white := make([]float64, template.IrisBits)
	for i := range white {
		white[i] = r.NormFloat64()
	}
	at := func(a, ring, ph int) int { return a*template.BitsPerAngle + ring*2 + ph }
	ka, kr := kernel(p.IrisAngularSmooth), kernel(p.IrisRadialSmooth)
	along := make([]float64, template.IrisBits)
	for a := 0; a < angles; a++ {
		for rp := 0; rp < rings*2; rp++ {
			var s float64
			for i, w := range ka {
				s += w * white[at((a+i-len(ka)/2+angles)%angles, rp/2, rp%2)]
			}
			along[at(a, rp/2, rp%2)] = s
		}
	}
	out := make([]float32, template.IrisBits)
	for a := 0; a < angles; a++ {
		for rp := 0; rp < rings*2; rp++ {
			var s float64
			for j, w := range kr {
				if rr := rp/2 + j - len(kr)/2; rr >= 0 && rr < rings {
					s += w * along[at(a, rr, rp%2)]
				}
			}
			out[at(a, rp/2, rp%2)] = float32(s)
		}
	}
	return out
}

// kernel is a Gaussian of s.d. sigma sampled at −3σ … 3σ (just [1] for 0).
func kernel(sigma float64) []float64 {
	if sigma <= 0 {
		return []float64{1}
	}
	h := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*h+1)
	for i := range k {
		d := float64(i - h)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
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
