package search

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/sinkron-id/sinkron/biometric/fusion"
	"github.com/sinkron-id/sinkron/biometric/iris"
	"github.com/sinkron-id/sinkron/biometric/mcc"
	"github.com/sinkron-id/sinkron/biometric/template"
)

// Config tunes a search.
type Config struct {
	Fusion fusion.Config
	MCC    mcc.Params
	// Coarse: normalised HD on the coarse quarter below which the whole
	// iris is compared. The quarter's ~250 bits normalise towards 0.5, so
	// a same eye (whole-iris HD about 0.11) lands near 0.3 and strangers
	// near 0.47 with an s.d. of about 0.03; the worst same person of 1,500
	// (the better of two eyes) was at 0.384.
	Coarse float64
	// Shortlist: whole-iris normalised HD below which fingers are compared
	// and the recordings fused. Strangers' best-rotation HD has a 1st
	// percentile of 0.40 on the synthetic set; same eyes' worst was 0.29.
	Shortlist float64
	// Workers: goroutines; 0 means GOMAXPROCS.
	Workers int
}

// DefaultConfig is the configuration the figures in BENCHMARKS.md use.
func DefaultConfig() Config {
	return Config{Fusion: fusion.Default(), MCC: mcc.Default(), Coarse: 0.42, Shortlist: 0.35}
}

// Candidate is a person the search judged the same as the probe.
type Candidate struct {
	ID       uint64
	Score    float64 // fused
	Evidence fusion.Evidence
}

// Stats count what a search did.
type Stats struct {
	Scanned, Fine, Fused int
	// BestRejected is the highest fused score among the people verified
	// and judged not the same (−Inf if none): the margin a search had.
	BestRejected float64
}

// chunk is how many people a worker takes at a time.
const chunk = 4096

// probeEye is one eye of the probe in the gallery's word order, at every
// rotation.
type probeEye struct {
	rot [][eyeWords]uint64
}

func newProbeEye(c *template.IrisCode, maxShift int) *probeEye {
	p := &probeEye{}
	for s := -maxShift; s <= maxShift; s++ {
		r := iris.Rotate(*c, s)
		var w [eyeWords]uint64
		storeEye(w[:], &r)
		p.rot = append(p.rot, w)
	}
	return p
}

// coarseBest is the lowest normalised HD on the coarse quarter over every
// other rotation: the code's angular correlation spans more than one step
// (synth's smoothing, like real Gabor overlap), so a same eye one step off
// its best rotation still lands far below strangers, and half the
// rotations halve the stage that reads everyone.
func (p *probeEye) coarseBest(g []uint64) float64 {
	gc, gm := (*[coarseWords]uint64)(g[:coarseWords]), (*[coarseWords]uint64)(g[irisWords:irisWords+coarseWords])
	best := 0.5
	for r := 0; r < len(p.rot); r += 2 {
		pc, pm := (*[coarseWords]uint64)(p.rot[r][:coarseWords]), (*[coarseWords]uint64)(p.rot[r][irisWords:irisWords+coarseWords])
		diff, n := 0, 0
		for k := 0; k < coarseWords; k++ {
			m := pm[k] & gm[k]
			diff += bits.OnesCount64((pc[k] ^ gc[k]) & m)
			n += bits.OnesCount64(m)
		}
		if n*4 >= iris.MinBits {
			best = math.Min(best, iris.Normalize(diff, n))
		}
	}
	return best
}

// best is the lowest normalised HD over rotations of the probe against a
// gallery eye g, on the first `words` words of code and mask.
func (p *probeEye) best(g []uint64, words int) float64 {
	best := 0.5
	for r := range p.rot {
		diff, n := 0, 0
		pc, pm := p.rot[r][:words], p.rot[r][irisWords:irisWords+words]
		gc, gm := g[:words], g[irisWords:irisWords+words]
		for k := range pc {
			m := pm[k] & gm[k]
			diff += bits.OnesCount64((pc[k] ^ gc[k]) & m)
			n += bits.OnesCount64(m)
		}
		if n*irisWords >= iris.MinBits*words { // iris.MinBits, scaled to the words read
			best = math.Min(best, iris.Normalize(diff, n))
		}
	}
	return best
}

// Search returns the enrolled people the probe matches, best first.
func (g *Gallery) Search(ctx context.Context, probe *template.Record, cfg Config) ([]Candidate, Stats, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	s := &searcher{g: g, cfg: cfg, prep: cfg.Fusion.Prepare(probe, &cfg.MCC), bestRejected: math.Inf(-1)}
	for e := range probe.Eyes {
		if s.prep.Eyes[e] != nil {
			s.eyes[e] = newProbeEye(&probe.Eyes[e].Code, cfg.Fusion.MaxShift)
		}
	}
	if s.eyes[0] == nil && s.eyes[1] == nil {
		s.all = true // no usable iris: fingers alone, everyone
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.work(ctx)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, Stats{}, err
	}
	if !s.all {
		s.fingersOnly(ctx, g.noIris)
	}
	slices.SortFunc(s.found, func(a, b Candidate) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return cmp.Compare(float64(a.ID), float64(b.ID))
	})
	return s.found, Stats{Scanned: len(g.ids), Fine: int(s.fine.Load()), Fused: int(s.fused.Load()), BestRejected: s.bestRejected}, nil
}

// searcher is one search's state, shared by its workers.
type searcher struct {
	g            *Gallery
	cfg          Config
	prep         *fusion.Prepared
	eyes         [2]*probeEye
	all          bool
	next         atomic.Int64
	fine, fused  atomic.Int64
	mu           sync.Mutex
	found        []Candidate
	bestRejected float64
}

// work takes chunks of the gallery until none is left.
func (s *searcher) work(ctx context.Context) {
	m := mcc.NewMatcher(s.cfg.MCC)
	n := len(s.g.ids)
	for ctx.Err() == nil {
		start := int(s.next.Add(chunk)) - chunk
		if start >= n {
			return
		}
		for i := start; i < min(start+chunk, n); i++ {
			if s.all || s.irisShortlisted(i) {
				s.verify(m, i)
			}
		}
	}
}

// irisShortlisted runs the coarse and fine iris stages for person i.
func (s *searcher) irisShortlisted(i int) bool {
	ok := s.g.eyeOK[i]
	base := i * personWords
	coarse := 0.5
	for e, p := range s.eyes {
		if p != nil && ok&(1<<e) != 0 {
			coarse = math.Min(coarse, p.coarseBest(s.g.iris[base+e*eyeWords:base+(e+1)*eyeWords]))
		}
	}
	if coarse >= s.cfg.Coarse {
		return false
	}
	s.fine.Add(1)
	fine := 0.5
	for e, p := range s.eyes {
		if p != nil && ok&(1<<e) != 0 {
			fine = math.Min(fine, p.best(s.g.iris[base+e*eyeWords:base+(e+1)*eyeWords], irisWords))
		}
	}
	return fine < s.cfg.Shortlist
}

// verify compares everything the probe and person i both have and keeps
// the person if the fused decision is a match.
func (s *searcher) verify(m *mcc.Matcher, i int) {
	s.fused.Add(1)
	rec := s.g.record(i)
	other := s.cfg.Fusion.Prepare(&rec, &s.cfg.MCC)
	e, d := s.cfg.Fusion.Compare(m, s.prep, other)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !d.Match {
		s.bestRejected = math.Max(s.bestRejected, d.Score)
		return
	}
	s.found = append(s.found, Candidate{ID: s.g.ids[i], Score: d.Score, Evidence: e})
}

// fingersOnly verifies the people who have no usable iris.
func (s *searcher) fingersOnly(ctx context.Context, people []int32) {
	m := mcc.NewMatcher(s.cfg.MCC)
	for _, i := range people {
		if ctx.Err() != nil {
			return
		}
		s.verify(m, int(i))
	}
}
