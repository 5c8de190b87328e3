package search

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/biometric/synth"
	"github.com/sinkron-id/sinkron/biometric/template"
)

// TestFingersCoarseStepAgreesWithAll: probes without irises, on a gallery
// of 150 without irises either, find with the coarse step what comparing
// everyone's ten fingers finds (the enrolled person, nobody for a
// stranger), and compare few people in full.
func TestFingersCoarseStepAgreesWithAll(t *testing.T) {
	pop := synth.Population{Seed: 11, Params: synth.DefaultParams()}
	g := New(DefaultConfig().Fusion)
	const n = 150
	noEyes := [2]template.Eye{{Exception: template.Missing}, {Exception: template.Missing}}
	for i := 0; i < n; i++ {
		rec := pop.Impression(pop.Person(i), i, 0)
		rec.Eyes = noEyes
		if err := g.Add(uint64(i), &rec); err != nil {
			t.Fatal(err)
		}
	}
	coarse, all := DefaultConfig(), DefaultConfig()
	all.LeadFingers = 0
	fused := 0
	const probes = 8
	var tc, ta time.Duration
	for k := 0; k < probes; k++ {
		i, imp := k*(n/5), 1
		if k >= 5 {
			i, imp = n+k, 0 // a stranger
		}
		probe := pop.Impression(pop.Person(i), i, imp)
		probe.Eyes = noEyes
		start := time.Now()
		a, st, err := g.Search(context.Background(), &probe, coarse)
		if err != nil {
			t.Fatal(err)
		}
		mid := time.Now()
		b, _, err := g.Search(context.Background(), &probe, all)
		if err != nil {
			t.Fatal(err)
		}
		tc, ta = tc+mid.Sub(start), ta+time.Since(mid)
		fused += st.Fused
		if len(a) != len(b) || (len(a) > 0 && a[0].ID != b[0].ID) {
			t.Errorf("person %d: coarse step found %+v, all fingers %+v", i, a, b)
		}
		if want := k < 5; want != (len(a) == 1 && a[0].ID == uint64(i)) || len(a) > 1 {
			t.Errorf("person %d (enrolled %v): found %+v", i, want, a)
		}
	}
	t.Logf("%d searches: coarse step %v, all fingers %v; %d people compared in full", probes, tc, ta, fused)
	if fused > 2*probes {
		t.Errorf("the coarse step passed %d people over %d searches", fused, probes)
	}
}

var fingersN = flag.Int("fingers", 2000, "people in BenchmarkFingersOnly's gallery")

// BenchmarkFingersOnly: a search by fingers alone (no iris either side)
// against a gallery of -fingers people, with the coarse step and comparing
// everyone's ten, taking turns on the same gallery and probes:
//
//	go test ./biometric/search -run '^$' -bench FingersOnly -benchtime 2x -count 3 -fingers 10000
func BenchmarkFingersOnly(b *testing.B) {
	pop := synth.Population{Seed: 12, Params: synth.DefaultParams()}
	g := New(DefaultConfig().Fusion)
	noEyes := [2]template.Eye{{Exception: template.Missing}, {Exception: template.Missing}}
	for i := 0; i < *fingersN; i++ {
		rec := pop.Impression(pop.Person(i), i, 0)
		rec.Eyes = noEyes
		if err := g.Add(uint64(i), &rec); err != nil {
			b.Fatal(err)
		}
	}
	probes := make([]template.Record, 4)
	for k := range probes {
		i := k * (*fingersN / len(probes))
		probes[k] = pop.Impression(pop.Person(i), i, 1)
		probes[k].Eyes = noEyes
	}
	all := DefaultConfig()
	all.LeadFingers = 0
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"coarse", DefaultConfig()}, {"all", all}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				found, _, err := g.Search(context.Background(), &probes[i%len(probes)], c.cfg)
				if err != nil || len(found) != 1 {
					b.Fatalf("found %+v, %v", found, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(*fingersN), "µs/person")
		})
	}
}
