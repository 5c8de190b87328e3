package search

import (
	"cmp"
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/sinkron-id/sinkron/biometric/fusion"
	"github.com/sinkron-id/sinkron/biometric/mcc"
	"github.com/sinkron-id/sinkron/biometric/template"
)

// Config tunes a search.
type Config struct {
	Fusion fusion.Config
	MCC    mcc.Params
	// Beacons: the fewest beacon collisions (index.go), the two eyes'
	// counts at their best rotations added, for a person's irises to be
	// compared in full (one fewer where only one eye can be compared). At
	// 3 and ±12 rotations, 1 same person in 40,000 fell short on the
	// synthetic set and 13 % of strangers passed.
	Beacons int
	// Linear compares everyone's irises in full instead of asking the
	// index: the baseline the index is measured against.
	Linear bool
	// Shortlist: whole-iris normalised HD below which fingers are compared
	// and the recordings fused. Strangers' best-rotation HD (±12) has a
	// 1st percentile of 0.397 on the synthetic set, its lowest in 89,700
	// was 0.345; same eyes' median is 0.102.
	Shortlist float64
	// LeadFingers and FingerShortlist are the coarse step for people
	// compared by fingers alone (no iris either side): the probe's
	// LeadFingers usable fingers with the most minutiae are compared
	// first, and only a person whose fused score on them reaches
	// FingerShortlist has all ten compared. One same finger scores a z of
	// about 25 (fusion.Config), so a same person passes unless every lead
	// finger fails; strangers' fused z rarely passes 5. 0 lead fingers
	// compares everyone's ten.
	LeadFingers     int
	FingerShortlist float64
	// Workers: goroutines; 0 means GOMAXPROCS.
	Workers int
}

// DefaultConfig is the configuration the figures in BENCHMARKS.md use.
func DefaultConfig() Config {
	return Config{Fusion: fusion.Default(), MCC: mcc.Default(), Beacons: 3, Shortlist: 0.35, LeadFingers: 3, FingerShortlist: 5}
}

// Candidate is a person the search judged the same as the probe.
type Candidate struct {
	ID       uint64
	Score    float64 // fused
	Evidence fusion.Evidence
}

// Stats count what a search did.
type Stats struct {
	// Scanned: people looked at (everyone on a linear path, the index's
	// candidates otherwise); Fine: people whose irises were compared in
	// full; Fused: people whose fingers were compared too.
	Scanned, Fine, Fused int
	// BestRejected is the highest fused score among the people verified
	// and judged not the same (−Inf if none): the margin a search had.
	BestRejected float64
}

// chunk is how many people a worker takes at a time on a linear path.
const chunk = 4096

// Search returns the enrolled people the probe matches, best first.
func (g *Gallery) Search(ctx context.Context, probe *template.Record, cfg Config) ([]Candidate, Stats, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	s := &searcher{g: g, cfg: cfg, prep: cfg.Fusion.Prepare(probe, &cfg.MCC), bestRejected: math.Inf(-1)}
	for e := range probe.Eyes {
		if s.prep.Eyes[e] != nil {
			b := beacons(&probe.Eyes[e].Code)
			s.beacons[e] = &b
		}
	}
	if s.prep.Eyes[0] == nil && s.prep.Eyes[1] == nil {
		s.all = true // no usable iris: fingers alone, everyone
	}
	s.lead = leadFingers(probe, s.prep, cfg.LeadFingers)
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.all || cfg.Linear {
				s.scan(ctx)
				return
			}
			n := len(g.ids)
			s.indexed(uint32(n*w/workers), uint32(n*(w+1)/workers))
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
	return s.found, Stats{Scanned: s.scanned(), Fine: int(s.fine.Load()), Fused: int(s.fused.Load()), BestRejected: s.bestRejected}, nil
}

// searcher is one search's state, shared by its workers.
type searcher struct {
	g            *Gallery
	cfg          Config
	prep         *fusion.Prepared
	beacons      [2]*[beaconSpaces]int16
	all          bool
	lead         []int // fingers (0–9) of the coarse step; nil: none
	next         atomic.Int64
	fine, fused  atomic.Int64
	mu           sync.Mutex
	found        []Candidate
	bestRejected float64
}

// scan takes chunks of the gallery until none is left: everyone's irises
// (Config.Linear), or everyone's fingers when the probe has no iris.
func (s *searcher) scan(ctx context.Context) {
	m := mcc.NewMatcher(s.cfg.MCC)
	n := len(s.g.ids)
	for ctx.Err() == nil {
		start := int(s.next.Add(chunk)) - chunk
		if start >= n {
			return
		}
		end := min(start+chunk, n)
		if !s.all {
			s.fine.Add(int64(end - start))
		}
		for i := start; i < end; i++ {
			if s.all && s.fingersShortlisted(m, i) || !s.all && s.irisShortlisted(i) {
				s.verify(m, i)
			}
		}
	}
}

// indexed finds, for people [lo, hi), each eye's beacon collisions with
// the probe at its best rotation, and compares in full the irises of those
// whose two eyes' counts add up to what need asks.
func (s *searcher) indexed(lo, hi uint32) {
	m := mcc.NewMatcher(s.cfg.MCC)
	counts := make([]uint8, hi-lo)
	var best [2][]uint8
	for e, b := range s.beacons {
		best[e] = make([]uint8, hi-lo)
		if b != nil {
			s.g.index.collide(e, b, s.cfg.Fusion.MaxShift, lo, hi, counts, best[e])
		}
	}
	probeEyes := uint8(0)
	for e, b := range s.beacons {
		if b != nil {
			probeEyes |= 1 << e
		}
	}
	fine := 0
	for k := range counts {
		if int(best[0][k])+int(best[1][k]) < s.need(probeEyes&s.g.eyeOK[int(lo)+k]) {
			continue
		}
		fine++
		if s.irisShortlisted(int(lo) + k) {
			s.verify(m, int(lo)+k)
		}
	}
	s.fine.Add(int64(fine)) // once: a shared counter per person would bounce between cores
}

// need is the collisions a person must reach, given the eyes (bits) that
// both the probe and the person have usable: Config.Beacons for two, one
// fewer for one, as one eye brings about half the collisions two do.
func (s *searcher) need(both uint8) int {
	if both == 3 {
		return s.cfg.Beacons
	}
	return max(s.cfg.Beacons-1, 1)
}

// irisShortlisted compares person i's irises in full with the probe's, at
// every rotation (one kernel call an eye).
func (s *searcher) irisShortlisted(i int) bool {
	ok := s.g.eyeOK[i]
	base := i * personWords
	fine := 0.5
	for e, p := range s.prep.Eyes {
		if p != nil && ok&(1<<e) != 0 {
			g := (*[eyeWords]uint64)(s.g.iris[base+e*eyeWords:])
			fine = math.Min(fine, p.CompareWords(g).Score)
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

// scanned is how many people the search looked at.
func (s *searcher) scanned() int {
	if s.all || s.cfg.Linear {
		return len(s.g.ids)
	}
	return int(s.fine.Load())
}

// fingersOnly verifies the people who have no usable iris.
func (s *searcher) fingersOnly(ctx context.Context, people []int32) {
	m := mcc.NewMatcher(s.cfg.MCC)
	for _, i := range people {
		if ctx.Err() != nil {
			return
		}
		if s.fingersShortlisted(m, int(i)) {
			s.verify(m, int(i))
		}
	}
}
