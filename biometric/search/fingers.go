package search

import (
	"cmp"
	"slices"

	"github.com/sinkron-id/sinkron/biometric/fusion"
	"github.com/sinkron-id/sinkron/biometric/mcc"
	"github.com/sinkron-id/sinkron/biometric/template"
)

// leadFingers picks the probe's n usable fingers with the most minutiae
// (more minutiae, more cylinders with full neighbourhoods: the surest
// scores), in finger order; nil when n is 0 or the probe has no more
// usable fingers than that, as the coarse step would then save nothing.
func leadFingers(probe *template.Record, prep *fusion.Prepared, n int) []int {
	var usable []int
	for f, t := range prep.Fingers {
		if t != nil {
			usable = append(usable, f)
		}
	}
	if n <= 0 || len(usable) <= n {
		return nil
	}
	slices.SortStableFunc(usable, func(a, b int) int {
		return cmp.Compare(len(probe.Fingers[b].Minutiae), len(probe.Fingers[a].Minutiae))
	})
	lead := usable[:n]
	slices.Sort(lead)
	return lead
}

// fingersShortlisted is the coarse step of a search by fingers: the probe's
// lead fingers against person i's same fingers, fused. A person with none
// of them usable goes on to the full comparison, which has nothing cheaper
// to rest on.
func (s *searcher) fingersShortlisted(m *mcc.Matcher, i int) bool {
	if s.lead == nil {
		return true
	}
	var e fusion.Evidence
	for _, f := range s.lead {
		ms := s.g.finger(i, f)
		if len(ms) < s.cfg.Fusion.MinMinutiae {
			continue
		}
		e.AddFinger(f+1, m.Score(s.prep.Fingers[f], mcc.New(ms, &s.cfg.MCC)))
	}
	d := s.cfg.Fusion.Fuse(&e)
	return d.Compared == 0 || d.Score >= s.cfg.FingerShortlist
}
