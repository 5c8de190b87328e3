package mcc

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
)

// Matcher compares templates; it keeps scratch space, so one goroutine uses
// one Matcher.
type Matcher struct {
	p     Params
	sqrt  [ns*ns*nd + 1]float64 // square roots of popcounts
	pairs []pair
	rho   []float64
	lam   [2][]float64
	geo   [2][]geom
	cnt   []uint64 // localPairs: packed cell counts (cellCounts)
	top   []cand   // localPairs: the best nr so far, best first
	nz    []link   // relax: the nonzero ρ of each pair, row after row
	nzEnd []int32  // where each pair's row of nz ends
}

// geom is where a pair's minutia sits in its own template.
type geom struct{ x, y, theta float64 }

// cand is a pair while LSS selects: half a pair's size, since insertion
// moves them.
type cand struct {
	sim  float64
	a, b int32
}

// link is one nonzero compatibility ρ(t, k) of pair t with pair k.
type link struct {
	k int32
	r float64
}

// pair is a candidate correspondence: cylinder a of one template, b of the
// other, with their local similarity.
type pair struct {
	a, b int32
	sim  float64 // local similarity λ⁰
	rel  float64 // after relaxation
	eff  float64 // rel / sim: how much the other pairs supported it
}

// NewMatcher makes a Matcher with parameters p.
func NewMatcher(p Params) *Matcher {
	m := &Matcher{p: p}
	for i := range m.sqrt {
		m.sqrt[i] = math.Sqrt(float64(i))
	}
	return m
}

// cellCountsScalar fills out[k], for b[k] and the cells v that it and a
// both see, with the set bits among v of a's eight words (bits 0–15), of
// b's (16–31), of their XOR (32–47), and popcount(v) (48–63). The valid
// word is among the eight, so the first two counts include popcount(v)
// once more (similarity takes it off). On AVX-512 VPOPCNTDQ CPUs the same
// is assembly (cells_amd64.s), a cylinder one vector.
func cellCountsScalar(a *cylinder, b []cylinder, out []uint64) {
	for k := range b {
		v := a.bits[validWord] & b[k].bits[validWord]
		var na, nb, nx int
		for w := range a.bits {
			ca, cb := a.bits[w]&v, b[k].bits[w]&v
			na += bits.OnesCount64(ca)
			nb += bits.OnesCount64(cb)
			nx += bits.OnesCount64(ca ^ cb)
		}
		out[k] = uint64(na) | uint64(nb)<<16 | uint64(nx)<<32 | uint64(bits.OnesCount64(v))<<48
	}
}

// similarity is the bit-based cylinder similarity from cellCounts' packed
// counts: over the cells both cylinders see, 1 − ‖a⊕b‖ / (‖a‖ + ‖b‖), norms
// being square roots of popcounts (Cappelli et al. 2010, eq. 17).
func (m *Matcher) similarity(c uint64) float64 {
	pv := c >> 48
	na, nb, nx := c&0xffff-pv, c>>16&0xffff-pv, c>>32&0xffff
	den := m.sqrt[na] + m.sqrt[nb]
	if den == 0 {
		return 0
	}
	return 1 - m.sqrt[nx]/den
}

// runs are the one or two runs of t's cylinders (sorted by direction)
// within δ of direction th, as [lo, hi) pairs; δ < π.
func (t *Template) runs(th, delta float64) [2][2]int {
	lo, hi := th-delta, th+delta
	first := func(x float64) int { i, _ := slices.BinarySearch(t.theta, x); return i }
	after := func(x float64) int {
		i, _ := slices.BinarySearchFunc(t.theta, x, func(e, x float64) int {
			if e <= x {
				return -1
			}
			return 1
		})
		return i
	}
	n := len(t.theta)
	switch {
	case lo < 0:
		return [2][2]int{{0, after(hi)}, {first(lo + 2*math.Pi), n}}
	case hi >= 2*math.Pi:
		return [2][2]int{{0, after(hi - 2*math.Pi)}, {first(lo), n}}
	default:
		return [2][2]int{{first(lo), after(hi)}, {}}
	}
}

// Score compares two templates: 0 (nothing in common) to 1.
func (m *Matcher) Score(a, b *Template) float64 {
	if len(a.cyl) == 0 || len(b.cyl) == 0 {
		return 0
	}
	nr := min(len(a.cyl), len(b.cyl))
	m.localPairs(a, b, nr)
	if len(m.pairs) == 0 {
		return 0
	}
	m.relax(a, b)
	np := m.p.MinNP + int(math.Round(sigmoid(float64(nr), m.p.MuP, m.p.TauP)*float64(m.p.MaxNP-m.p.MinNP)))
	np = min(np, len(m.pairs))
	slices.SortFunc(m.pairs, func(x, y pair) int { return cmp.Compare(y.eff, x.eff) })
	s := 0.0
	for _, pr := range m.pairs[:np] {
		s += pr.rel
	}
	return s / float64(np)
}

// localPairs fills m.pairs with the best nr comparable cylinder pairs, best
// first (the LSS selection). Most candidates fall below the current nr-th
// best and cost one comparison; the kept ones stay sorted by insertion.
func (m *Matcher) localPairs(a, b *Template, nr int) {
	m.top = m.top[:0]
	minCells := int(math.Ceil(m.p.MinME * float64(ns*ns) * math.Pi / 4))
	for i := range a.cyl {
		ca := &a.cyl[i]
		// Only b's cylinders within δθ of ca's direction are compared: one
		// or two runs of b, each counted in one kernel call.
		for _, r := range b.runs(a.m[ca.origin].theta, m.p.DeltaTh) {
			if r[0] >= r[1] {
				continue
			}
			m.cnt = grow(m.cnt, r[1]-r[0])
			cellCounts(ca, b.cyl[r[0]:r[1]], m.cnt)
			for k, c := range m.cnt {
				if int(c>>48) < minCells { // too few cells both see: not comparable
					continue
				}
				s := m.similarity(c)
				if s <= 0 || (len(m.top) == nr && s <= m.top[nr-1].sim) {
					continue
				}
				m.insert(cand{sim: s, a: int32(i), b: int32(r[0] + k)}, nr)
			}
		}
	}
	m.pairs = m.pairs[:0]
	for _, c := range m.top {
		m.pairs = append(m.pairs, pair{a: c.a, b: c.b, sim: c.sim})
	}
}

// insert puts p into the sorted top-nr list, dropping the last if full.
func (m *Matcher) insert(p cand, nr int) {
	k := len(m.top)
	if k < nr {
		m.top = append(m.top, p)
	} else {
		k = nr - 1
	}
	for ; k > 0 && m.top[k-1].sim < p.sim; k-- {
		m.top[k] = m.top[k-1]
	}
	m.top[k] = p
}

// relax is LSS-R's relaxation: each pair's similarity is mixed, NRel times,
// with the similarities of the pairs geometrically compatible with it, so
// pairs that agree with many others gain and lone coincidences fade
// (Cappelli et al. 2010, eqs. 23-24).
func (m *Matcher) relax(a, b *Template) {
	n := len(m.pairs)
	m.rho = grow(m.rho, n*n)
	m.compatibility(a, b)
	cur, next := grow(m.lam[0], n), grow(m.lam[1], n)
	for i, pr := range m.pairs {
		cur[i] = pr.sim
	}
	// Most pairs are incompatible with most others (ρ = 0): the NRel
	// iterations run over each row's nonzero entries only.
	m.nz, m.nzEnd = m.nz[:0], grow(m.nzEnd, n)
	for t := 0; t < n; t++ {
		for k, r := range m.rho[t*n : (t+1)*n] {
			if r != 0 {
				m.nz = append(m.nz, link{int32(k), r})
			}
		}
		m.nzEnd[t] = int32(len(m.nz))
	}
	for it := 0; it < m.p.NRel; it++ {
		from := int32(0)
		for t := 0; t < n; t++ {
			sum := 0.0
			for _, l := range m.nz[from:m.nzEnd[t]] {
				sum += l.r * cur[l.k]
			}
			from = m.nzEnd[t]
			next[t] = m.p.WR*cur[t] + (1-m.p.WR)*sum/float64(max(n-1, 1))
		}
		cur, next = next, cur
	}
	for i := range m.pairs {
		m.pairs[i].rel = cur[i]
		m.pairs[i].eff = cur[i] / m.pairs[i].sim
	}
	m.lam[0], m.lam[1] = cur, next
}

// compatibility fills ρ(t, k) for every two pairs: how well the distance,
// the direction difference and the radial angle between their minutiae
// agree in the two templates (a product of three sigmoids).
func (m *Matcher) compatibility(a, b *Template) {
	n := len(m.pairs)
	ga, gb := grow(m.geo[0], n), grow(m.geo[1], n)
	for i, pr := range m.pairs {
		ma, mb := a.m[a.cyl[pr.a].origin], b.m[b.cyl[pr.b].origin]
		ga[i], gb[i] = geom{ma.x, ma.y, ma.theta}, geom{mb.x, mb.y, mb.theta}
	}
	m.geo[0], m.geo[1] = ga, gb
	p := &m.p
	for t := 0; t < n; t++ {
		m.rho[t*n+t] = 0
		for k := t + 1; k < n; k++ {
			r := 0.0
			if m.pairs[t].a != m.pairs[k].a && m.pairs[t].b != m.pairs[k].b {
				r = rho(ga[t], ga[k], gb[t], gb[k], p)
			}
			m.rho[t*n+k], m.rho[k*n+t] = r, r
		}
	}
}

func rho(at, ak, bt, bk geom, p *Params) float64 {
	da := math.Sqrt((at.x-ak.x)*(at.x-ak.x) + (at.y-ak.y)*(at.y-ak.y))
	db := math.Sqrt((bt.x-bk.x)*(bt.x-bk.x) + (bt.y-bk.y)*(bt.y-bk.y))
	d1 := math.Abs(da - db)
	if d1 > p.Mu1+6/-p.Tau1 { // the sigmoid is below 0.25 % from here
		return 0
	}
	d2 := math.Abs(diffAngle(diffAngle(at.theta, ak.theta), diffAngle(bt.theta, bk.theta)))
	if d2 > p.Mu2+6/-p.Tau2 {
		return 0
	}
	d3 := math.Abs(diffAngle(radial(at, ak), radial(bt, bk)))
	if d3 > p.Mu3+6/-p.Tau3 {
		return 0
	}
	return sigmoid(d1, p.Mu1, p.Tau1) * sigmoid(d2, p.Mu2, p.Tau2) * sigmoid(d3, p.Mu3, p.Tau3)
}

// radial is the angle between m1's direction and the line from m1 to m2.
func radial(m1, m2 geom) float64 {
	return diffAngle(m1.theta, math.Atan2(m2.y-m1.y, m2.x-m1.x))
}

func sigmoid(v, mu, tau float64) float64 { return 1 / (1 + math.Exp(-tau*(v-mu))) }

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
