package synth

import (
	"math"
	"math/rand/v2"

	"github.com/sinkron-id/sinkron/biometric/template"
)

// point is a minutia on the master pad, in pad coordinates (pixels from the
// pad's centre) and radians.
type point struct {
	x, y, theta float64
	typ         template.MinutiaType
}

// MasterFinger is the whole finger pad a person has: every minutia, the
// pattern's singular points, and whether the finger exists.
type MasterFinger struct {
	Missing  bool
	Minutiae []point
	cores    []complex128
	deltas   []complex128
}

// orientation is the ridge orientation at z by Sherlock and Monro's zero-pole
// model (Pattern Recognition 26(7), 1993): half the sum of the arguments to
// the deltas minus those to the cores, in [0, π).
func (f *MasterFinger) orientation(x, y float64) float64 {
	z := complex(x, y)
	o := 0.0
	for _, d := range f.deltas {
		o += phase(z - d)
	}
	for _, c := range f.cores {
		o -= phase(z - c)
	}
	o /= 2
	return math.Mod(o+4*math.Pi, math.Pi)
}

func phase(z complex128) float64 { return math.Atan2(imag(z), real(z)) }

// singular places cores and deltas for a pattern class drawn by natural
// frequency. An arch has none (the field is then nearly horizontal, as an
// arch's ridges are); a loop one core and one delta below it to one side; a
// whorl two cores and two deltas.
func singular(r *rand.Rand, p *Params) (cores, deltas []complex128) {
	jit := func(s float64) float64 { return r.NormFloat64() * s }
	u := r.Float64()
	switch {
	case u < p.LoopShare:
		side := 1.0
		if r.IntN(2) == 0 {
			side = -1
		}
		cores = []complex128{complex(jit(15), -20+jit(15))}
		deltas = []complex128{complex(side*(70+jit(15)), 90+jit(15))}
	case u < p.LoopShare+p.WhorlShare:
		cores = []complex128{complex(-10+jit(8), -25+jit(10)), complex(10+jit(8), 5+jit(10))}
		deltas = []complex128{complex(-90+jit(15), 100+jit(15)), complex(90+jit(15), 100+jit(15))}
	default:
		// An arch: a far-off delta pair gives gently curving ridges.
		deltas = []complex128{complex(-300, 200+jit(20)), complex(300, 200+jit(20))}
		cores = []complex128{complex(jit(20), 400)}
	}
	return cores, deltas
}

// newMasterFinger draws a finger: minutiae uniform over the pad ellipse,
// kept at least MinDistance apart, each along the ridge flow.
func newMasterFinger(r *rand.Rand, p *Params) MasterFinger {
	f := MasterFinger{}
	if r.Float64() < p.MissingFinger {
		f.Missing = true
		return f
	}
	f.cores, f.deltas = singular(r, p)
	n := int(math.Round(p.MinutiaeMean + p.MinutiaeSD*r.NormFloat64()))
	n = max(n, 10)
	g := newGrid(p)
	for tries := 0; len(f.Minutiae) < n && tries < 50*n; tries++ {
		x, y := (2*r.Float64()-1)*p.PadA, (2*r.Float64()-1)*p.PadB
		if (x*x)/(p.PadA*p.PadA)+(y*y)/(p.PadB*p.PadB) > 1 || g.crowded(f.Minutiae, x, y) {
			continue
		}
		g.add(x, y, len(f.Minutiae))
		f.Minutiae = append(f.Minutiae, f.flowMinutia(r, p, x, y))
	}
	return f
}

// grid finds minutiae near a point without scanning them all: cells are
// MinDistance/√2 wide, so a cell holds at most one minutia and the ones
// closer than MinDistance are within two cells.
type grid struct {
	cell, x0, y0 float64
	w, h         int
	at           []int32 // minutia index + 1; 0 empty
	minDist      float64
}

func newGrid(p *Params) *grid {
	c := p.MinDistance / math.Sqrt2
	w, h := int(2*p.PadA/c)+1, int(2*p.PadB/c)+1
	return &grid{cell: c, x0: -p.PadA, y0: -p.PadB, w: w, h: h, at: make([]int32, w*h), minDist: p.MinDistance}
}

func (g *grid) index(x, y float64) (int, int) {
	return min(g.w-1, max(0, int((x-g.x0)/g.cell))), min(g.h-1, max(0, int((y-g.y0)/g.cell)))
}

func (g *grid) add(x, y float64, i int) {
	cx, cy := g.index(x, y)
	g.at[cy*g.w+cx] = int32(i + 1)
}

func (g *grid) crowded(ms []point, x, y float64) bool {
	cx, cy := g.index(x, y)
	for yy := max(0, cy-2); yy <= min(g.h-1, cy+2); yy++ {
		for xx := max(0, cx-2); xx <= min(g.w-1, cx+2); xx++ {
			if k := g.at[yy*g.w+xx]; k > 0 {
				m := ms[k-1]
				if (m.x-x)*(m.x-x)+(m.y-y)*(m.y-y) < g.minDist*g.minDist {
					return true
				}
			}
		}
	}
	return false
}

// flowMinutia makes a minutia at (x, y) pointing along the ridge flow, one
// way or the other.
func (f *MasterFinger) flowMinutia(r *rand.Rand, p *Params, x, y float64) point {
	theta := f.orientation(x, y) + 5*math.Pi/180*r.NormFloat64()
	if r.IntN(2) == 0 {
		theta += math.Pi
	}
	typ := template.Bifurcation
	if r.Float64() < p.EndingShare {
		typ = template.Ending
	}
	return point{x: x, y: y, theta: theta, typ: typ}
}

// impression is what a scanner and extractor give for one press of f.
type impression struct {
	rot, tx, ty        float64 // finger rotation (rad) and pad centre in the window
	contact            float64 // pressed share of the pad
	cx, cy             float64 // contact centre, pad coordinates
	dshiftX, dshiftY   float64 // plastic distortion's outer rigid move
	dangle             float64
	miss, spuriousMean float64
}

func newImpression(r *rand.Rand, p *Params) impression {
	u := func(a, b float64) float64 { return a + (b-a)*r.Float64() }
	return impression{
		rot:     p.RotationSD * math.Pi / 180 * r.NormFloat64(),
		tx:      float64(p.Width)/2 + p.PlacementSD*r.NormFloat64(),
		ty:      float64(p.Height)/2 + p.PlacementSD*r.NormFloat64(),
		contact: u(p.ContactMin, p.ContactMax),
		cx:      20 * r.NormFloat64(), cy: 20 * r.NormFloat64(),
		dshiftX: p.DistortShift * (2*r.Float64() - 1), dshiftY: p.DistortShift * (2*r.Float64() - 1),
		dangle: p.DistortAngle * math.Pi / 180 * (2*r.Float64() - 1),
		miss:   u(p.MissMin, p.MissMax), spuriousMean: u(p.SpuriousMin, p.SpuriousMax),
	}
}

// distort applies Cappelli et al.'s plastic distortion: a rigid move of the
// skin beyond the close-contact region, braked smoothly towards it.
func (im *impression) distort(p *Params, x, y float64) (float64, float64) {
	dx, dy := x-im.cx, y-im.cy
	d := math.Hypot(dx, dy) - p.CloseContact
	if d <= 0 {
		return x, y
	}
	brake := 1 - math.Exp(-d*d/(2*p.DistortBrake*p.DistortBrake))
	s, c := math.Sincos(im.dangle)
	rx, ry := im.cx+c*dx-s*dy+im.dshiftX, im.cy+s*dx+c*dy+im.dshiftY
	return x + brake*(rx-x), y + brake*(ry-y)
}

// place moves pad coordinates into the window: rotation about the pad
// centre, then translation.
func (im *impression) place(x, y float64) (float64, float64) {
	s, c := math.Sincos(im.rot)
	return im.tx + c*x - s*y, im.ty + s*x + c*y
}

// inContact reports whether pad point (x, y) was pressed on the glass.
func (im *impression) inContact(p *Params, x, y float64) bool {
	a, b := p.PadA*im.contact, p.PadB*im.contact
	return (x*x)/(a*a)+(y*y)/(b*b) <= 1
}

// Impress makes one impression of f: the minutiae an extractor would report
// from one press on the scanner, in window pixels.
func (f *MasterFinger) Impress(r *rand.Rand, p *Params) []template.Minutia {
	if f.Missing {
		return nil
	}
	im := newImpression(r, p)
	var out []template.Minutia
	emit := func(m point) {
		x, y := im.distort(p, m.x, m.y)
		theta := m.theta + im.dangle*math.Min(1, math.Hypot(m.x-im.cx, m.y-im.cy)/(p.CloseContact+p.DistortBrake))
		wx, wy := im.place(x, y)
		wx += p.PositionSD * r.NormFloat64()
		wy += p.PositionSD * r.NormFloat64()
		theta += im.rot + p.AngleSD*math.Pi/180*r.NormFloat64()
		if wx < 0 || wy < 0 || wx >= float64(p.Width) || wy >= float64(p.Height) {
			return // beyond the scanner's window
		}
		out = append(out, toISO(wx, wy, theta, m.typ, r))
	}
	for _, m := range f.Minutiae {
		if !im.inContact(p, m.x, m.y) || r.Float64() < im.miss {
			continue
		}
		if r.Float64() < p.TypeSwap {
			m.typ = 3 - m.typ // ending ↔ bifurcation
		}
		emit(m)
	}
	for k := poisson(r, im.spuriousMean); k > 0; k-- {
		x, y := (2*r.Float64()-1)*p.PadA*im.contact, (2*r.Float64()-1)*p.PadB*im.contact
		if im.inContact(p, x, y) {
			emit(f.flowMinutia(r, p, x, y))
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// toISO rounds to the ISO record's units. The y axis of an image points
// down, so the counter-clockwise angle of the record is −θ.
func toISO(x, y, theta float64, typ template.MinutiaType, r *rand.Rand) template.Minutia {
	a := math.Mod(-theta, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return template.Minutia{
		X: uint16(x), Y: uint16(y), Angle: uint8(int(math.Round(a*256/(2*math.Pi))) & 0xff),
		Type: typ, Quality: uint8(40 + r.IntN(61)),
	}
}

// poisson draws a Poisson count by Knuth's method (means here are small).
func poisson(r *rand.Rand, mean float64) int {
	l, k, prod := math.Exp(-mean), 0, r.Float64()
	for prod > l {
		k++
		prod *= r.Float64()
	}
	return k
}
