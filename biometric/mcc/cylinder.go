package mcc

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"github.com/sinkron-id/sinkron/biometric/template"
)

// Params are MCC's parameters; Default gives the paper's values for the
// bit-based variant with Ns = 8 (Cappelli et al. 2010, Table 1 and §5).
type Params struct {
	R                               float64 // cylinder radius, px
	SigmaS                          float64 // spatial Gaussian s.d., px
	SigmaD                          float64 // directional Gaussian s.d., rad
	MuPsi                           float64 // a cell's bit is set when its contribution reaches this
	Omega                           float64 // cells farther than this outside the minutiae's convex hull are invalid, px
	MinVC                           float64 // share of a cylinder's cells that must be valid
	MinM                            int     // fewest neighbouring minutiae a valid cylinder has
	MinME                           float64 // share of cells two cylinders must both see to be compared
	DeltaTh                         float64 // largest direction difference of two comparable minutiae, rad
	MinNP                           int     // pairs averaged, fewest (LSS)
	MaxNP                           int     // and most
	MuP                             float64 // sigmoid on min(nA, nB) choosing between them
	TauP                            float64
	WR                              float64 // relaxation weight of a pair's own similarity
	NRel                            int     // relaxation iterations
	Mu1, Tau1, Mu2, Tau2, Mu3, Tau3 float64 // compatibility sigmoids (distance, direction, radial angle)
}

// Default returns the published parameters.
func Default() Params {
	return Params{
		R: 70, SigmaS: 28.0 / 3, SigmaD: defaultSigmaD, MuPsi: 0.01, Omega: 50,
		MinVC: 0.75, MinM: 2, MinME: 0.6, DeltaTh: math.Pi / 2,
		MinNP: 4, MaxNP: 12, MuP: 20, TauP: 0.4, WR: 0.5, NRel: 5,
		Mu1: 5, Tau1: -8.0 / 5, Mu2: math.Pi / 12, Tau2: -30, Mu3: math.Pi / 12, Tau3: -30,
	}
}

const (
	ns = 8 // cells along a side: 64 spatial cells, one uint64
	nd = 6 // direction sectors: one uint64 of cell bits each
)

// minutia is a minutia in image coordinates (y down), direction in radians.
type minutia struct{ x, y, theta float64 }

// cylinder is one minutia's bit-vector cylinder.
type cylinder struct {
	// Words 0…nd−1: bit c of word k is set when cell c has a neighbour in
	// sector k. Word validWord: bit c is set when cell c is valid. The
	// last word stays zero: eight words are one 512-bit vector for the
	// AVX-512 kernel (cells_amd64.s).
	bits   [8]uint64
	origin int32 // index of its minutia in Template.m
}

const validWord = nd

// Template is a finger prepared for matching. Its cylinders are sorted by
// their minutiae's directions (theta, in [0, 2π)), so the cylinders of
// another template within δθ of a direction are one or two runs of it.
type Template struct {
	m     []minutia
	cyl   []cylinder
	theta []float64
}

// Len is the number of valid cylinders (comparable minutiae).
func (t *Template) Len() int { return len(t.cyl) }

// fromISO turns record minutiae into image geometry: the record's angle is
// counter-clockwise with y up, so in y-down coordinates it is negated.
func fromISO(ms []template.Minutia) []minutia {
	out := make([]minutia, len(ms))
	for i, m := range ms {
		out[i] = minutia{float64(m.X), float64(m.Y), normAngle(-m.Radians())}
	}
	return out
}

// New builds the cylinders of a finger's minutiae.
func New(ms []template.Minutia, p *Params) *Template {
	t := &Template{m: fromISO(ms)}
	h := hull(t.m)
	area := defaultArea
	if p.SigmaD != defaultSigmaD {
		area = areaTable(p.SigmaD)
	}
	for i := range t.m {
		if c, ok := t.cylinder(i, h, p, area); ok {
			t.cyl = append(t.cyl, c)
		}
	}
	slices.SortStableFunc(t.cyl, func(a, b cylinder) int { return cmp.Compare(t.m[a.origin].theta, t.m[b.origin].theta) })
	t.theta = make([]float64, len(t.cyl))
	for i, c := range t.cyl {
		t.theta[i] = t.m[c.origin].theta
	}
	return t
}

// cylinder computes minutia i's cylinder, or reports it invalid (too few
// valid cells or neighbours).
func (t *Template) cylinder(i int, h []minutia, p *Params, area *[areaSteps]float64) (cylinder, bool) {
	m := t.m[i]
	delta := 2 * p.R / ns
	sin, cos := math.Sincos(m.theta)
	c := cylinder{origin: int32(i)}
	inR := 0
	neigh := t.neighbours(i, p, area)
	if len(neigh) < p.MinM {
		return c, false
	}
	for cj := 0; cj < ns; cj++ {
		for ci := 0; ci < ns; ci++ {
			u, v := (float64(ci)-(ns-1)/2.0)*delta, (float64(cj)-(ns-1)/2.0)*delta
			if u*u+v*v > p.R*p.R {
				continue
			}
			inR++
			px, py := m.x+cos*u-sin*v, m.y+sin*u+cos*v
			if !nearHull(h, px, py, p.Omega) {
				continue
			}
			bit := uint64(1) << (cj*ns + ci)
			c.bits[validWord] |= bit
			cellBits(&c, bit, px, py, neigh, p)
		}
	}
	if float64(bits.OnesCount64(c.bits[validWord])) < p.MinVC*float64(inR) {
		return c, false
	}
	return c, true
}

// neighbour is a minutia that can reach some cell of a cylinder, with
// its direction's share of each sector: that depends only on the two
// minutiae, not on the cell, so it is worked out once a cylinder.
type neighbour struct {
	x, y  float64
	share [nd]float64
}

// neighbours are the minutiae that can reach some cell of i's cylinder.
func (t *Template) neighbours(i int, p *Params, area *[areaSteps]float64) []neighbour {
	var out []neighbour
	m := t.m[i]
	reach := p.R + 3*p.SigmaS
	for j, o := range t.m {
		if j == i || (o.x-m.x)*(o.x-m.x)+(o.y-m.y)*(o.y-m.y) > reach*reach {
			continue
		}
		n := neighbour{x: o.x, y: o.y}
		dth := diffAngle(m.theta, o.theta)
		for k := range n.share {
			phi := -math.Pi + (float64(k)+0.5)*2*math.Pi/nd
			a := diffAngle(phi, dth)
			n.share[k] = area[int((a+math.Pi)*areaSteps/(2*math.Pi))%areaSteps]
		}
		out = append(out, n)
	}
	return out
}

// cellBits sets the cell's bit in each direction sector where the summed
// contributions of nearby minutiae reach MuPsi: a spatial Gaussian of the
// distance times the share of a directional Gaussian inside the sector.
func cellBits(c *cylinder, bit uint64, px, py float64, neigh []neighbour, p *Params) {
	var sum [nd]float64
	gs := 1 / (p.SigmaS * math.Sqrt(2*math.Pi))
	for _, o := range neigh {
		d2 := (o.x-px)*(o.x-px) + (o.y-py)*(o.y-py)
		if d2 > 9*p.SigmaS*p.SigmaS {
			continue
		}
		cs := gs * math.Exp(-d2/(2*p.SigmaS*p.SigmaS))
		for k := range sum {
			sum[k] += cs * o.share[k]
		}
	}
	for k := range sum {
		if sum[k] >= p.MuPsi {
			c.bits[k] |= bit
		}
	}
}

// areaSteps is the resolution of the sector-area table over [−π, π).
const areaSteps = 1024

// defaultArea is the table for the published σD, made once: its 2,048
// Erf calls were an eighth of building a template.
var defaultArea = areaTable(defaultSigmaD)

const defaultSigmaD = 2 * math.Pi / 9

// areaTable tabulates sectorArea for one sigma: Erf is the costliest part
// of building cylinders and the table's step (0.35°) is far below the
// angle noise of any extractor.
func areaTable(sigma float64) *[areaSteps]float64 {
	var t [areaSteps]float64
	for i := range t {
		t[i] = sectorArea(-math.Pi+(float64(i)+0.5)*2*math.Pi/areaSteps, sigma)
	}
	return &t
}

// sectorArea is the area of a Gaussian of s.d. sigma, centred a away from
// a sector's middle, over the sector's width.
func sectorArea(a, sigma float64) float64 {
	half := math.Pi / nd
	k := 1 / (sigma * math.Sqrt2)
	return 0.5 * (math.Erf((a+half)*k) - math.Erf((a-half)*k))
}

// diffAngle is the difference a−b of two angles in [−2π, 2π], brought
// into [−π, π).
func diffAngle(a, b float64) float64 {
	d := a - b
	if d < -math.Pi {
		d += 2 * math.Pi
		if d < -math.Pi {
			d += 2 * math.Pi
		}
	} else if d >= math.Pi {
		d -= 2 * math.Pi
		if d >= math.Pi {
			d -= 2 * math.Pi
		}
	}
	return d
}

func normAngle(a float64) float64 {
	a = math.Mod(a, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a
}
