package search

import (
	"context"
	"flag"
	"runtime"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sinkron-id/sinkron/biometric/iris"
	"github.com/sinkron-id/sinkron/biometric/synth"
	"github.com/sinkron-id/sinkron/biometric/template"
)

var galleryN = flag.Int("gallery", 100_000, "people in TestPlantedDuplicate's gallery")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// enrol adds people [from, to) of pop, first impressions, on every core.
func enrol(t testing.TB, g *Gallery, pop synth.Population, from, to int) {
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := from + w; i < to; i += workers {
				rec := pop.Impression(pop.Person(i), i, 0)
				if err := g.Add(uint64(i), &rec); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestPlantedDuplicate: among 100k enrolled people, a second recording of
// an enrolled person finds that person (first, and only them), and a
// stranger's recording finds nobody.
func TestPlantedDuplicate(t *testing.T) {
	pop := synth.Population{Seed: 2026, Params: synth.DefaultParams()}
	g := New(DefaultConfig().Fusion)
	start := time.Now()
	enrol(t, g, pop, 0, *galleryN)
	t.Logf("enrolled %d people in %v, %.0f bytes a person", g.Len(), time.Since(start).Round(time.Millisecond), g.BytesPerPerson())
	cfg := DefaultConfig()
	for _, i := range []int{7, *galleryN / 2, *galleryN - 1} {
		dup := pop.Impression(pop.Person(i), i, 1)
		start := time.Now()
		found, st, err := g.Search(context.Background(), &dup, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("duplicate of %d: %d found in %v (fine %d, fused %d)", i, len(found), time.Since(start).Round(time.Millisecond), st.Fine, st.Fused)
		if len(found) != 1 || found[0].ID != uint64(i) {
			t.Errorf("duplicate of %d: found %+v", i, found)
		}
	}
	for _, i := range []int{*galleryN + 1, *galleryN + 2, *galleryN + 3} {
		stranger := pop.Impression(pop.Person(i), i, 0)
		found, _, err := g.Search(context.Background(), &stranger, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 0 {
			t.Errorf("stranger %d matched %+v", i, found)
		}
	}
}

// TestWithoutIris: a probe with no usable iris is searched by fingers, and
// a gallery person without irises is still found by fingers.
func TestWithoutIris(t *testing.T) {
	pop := synth.Population{Seed: 5, Params: synth.DefaultParams()}
	g := New(DefaultConfig().Fusion)
	enrol(t, g, pop, 0, 200)
	noEyes := pop.Impression(pop.Person(300), 300, 0)
	noEyes.Eyes = [2]template.Eye{{Exception: template.Missing}, {Exception: template.Missing}}
	if err := g.Add(300, &noEyes); err != nil {
		t.Fatal(err)
	}
	probe := pop.Impression(pop.Person(42), 42, 1)
	probe.Eyes = noEyes.Eyes
	found, _, err := g.Search(context.Background(), &probe, DefaultConfig())
	if err != nil || len(found) != 1 || found[0].ID != 42 {
		t.Fatalf("fingers-only probe: %+v %v", found, err)
	}
	again := pop.Impression(pop.Person(300), 300, 1)
	found, _, err = g.Search(context.Background(), &again, DefaultConfig())
	if err != nil || len(found) != 1 || found[0].ID != 300 {
		t.Fatalf("iris-less gallery person: %+v %v", found, err)
	}
}

// TestIndexAgreesWithLinear: on a gallery of 2,000, the index finds what
// comparing everyone's irises finds, for enrolled people and strangers, and
// compares far fewer people in full.
func TestIndexAgreesWithLinear(t *testing.T) {
	pop := synth.Population{Seed: 9, Params: synth.DefaultParams()}
	g := New(DefaultConfig().Fusion)
	const n = 2000
	enrol(t, g, pop, 0, n)
	idx, lin := DefaultConfig(), DefaultConfig()
	lin.Linear = true
	fine := 0
	for k := 0; k < 40; k++ {
		i, imp := k*(n/20), 1
		if k >= 20 {
			i, imp = n+k, 0 // a stranger
		}
		probe := pop.Impression(pop.Person(i), i, imp)
		a, st, err := g.Search(context.Background(), &probe, idx)
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := g.Search(context.Background(), &probe, lin)
		if err != nil {
			t.Fatal(err)
		}
		fine += st.Fine
		if len(a) != len(b) || (len(a) > 0 && a[0].ID != b[0].ID) {
			t.Errorf("person %d: index found %+v, linear %+v", i, a, b)
		}
	}
	if mean := fine / 40; mean > n/4 {
		t.Errorf("the index passed %d of %d people on a search", mean, n)
	}
}

// TestBeaconsFollowRotation: rotating a code by s angular steps moves its
// beacons by s spaces, which is what lets the probe's rotations be looked
// up without rotating the code.
func TestBeaconsFollowRotation(t *testing.T) {
	pop := synth.Population{Seed: 4, Params: synth.DefaultParams()}
	rec := pop.Impression(pop.Person(1), 1, 0)
	c := rec.Eyes[0].Code
	b := beacons(&c)
	for _, s := range []int{-8, -1, 1, 5, 127} {
		r := iris.Rotate(c, s)
		rb := beacons(&r)
		for a := range rb {
			if rb[a] != b[((a-s)%beaconSpaces+beaconSpaces)%beaconSpaces] {
				t.Fatalf("shift %d: space %d holds %d", s, a, rb[a])
			}
		}
	}
}

func TestCancel(t *testing.T) {
	pop := synth.Population{Seed: 5, Params: synth.DefaultParams()}
	g := New(DefaultConfig().Fusion)
	enrol(t, g, pop, 0, 100)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	probe := pop.Impression(pop.Person(1), 1, 1)
	if _, _, err := g.Search(ctx, &probe, DefaultConfig()); err == nil {
		t.Fatal("a cancelled search returned no error")
	}
}

func TestPack(t *testing.T) {
	for _, m := range []template.Minutia{{}, {X: 2047, Y: 2047, Angle: 255, Type: template.Bifurcation}, {X: 5, Y: 1000, Angle: 3, Type: template.Ending}} {
		v, err := pack(m)
		if err != nil || unpack(v) != m {
			t.Errorf("%+v: %v %+v", m, err, unpack(v))
		}
	}
	if _, err := pack(template.Minutia{X: 2048}); err == nil {
		t.Error("packed x = 2048")
	}
}

// BenchmarkSearch is one search of a full recording (ten fingers, two
// irises) against a gallery of -gallery people, beside the time to read the
// gallery once from memory (readonce-ms): the floor for anything that
// looks at everyone.
//
// The index and the linear path (everyone's irises with the same kernel)
// take turns on the same gallery and probes:
//
//	go test ./biometric/search -run '^$' -bench Search -benchtime 20x -count 5 -gallery 100000
func BenchmarkSearch(b *testing.B) {
	pop := synth.Population{Seed: 2026, Params: synth.DefaultParams()}
	g := New(DefaultConfig().Fusion)
	g.Reserve(*galleryN, 500)
	enrol(b, g, pop, 0, *galleryN)
	cfg := DefaultConfig()
	probes := make([]template.Record, 16)
	for k := range probes {
		i := k * (*galleryN / len(probes))
		probes[k] = pop.Impression(pop.Person(i), i, 1)
	}
	start := time.Now()
	const reads = 5
	for k := 0; k < reads; k++ {
		g.ReadOnce(0)
	}
	readOnce := time.Since(start) / reads
	lin := cfg
	lin.Linear = true
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"index", cfg}, {"linear", lin}} {
		b.Run(c.name, func(b *testing.B) {
			fine := 0
			for i := 0; b.Loop(); i++ {
				_, st, err := g.Search(context.Background(), &probes[i%len(probes)], c.cfg)
				if err != nil {
					b.Fatal(err)
				}
				fine += st.Fine
			}
			b.ReportMetric(float64(readOnce.Microseconds())/1000, "readonce-ms")
			b.ReportMetric(g.BytesPerPerson(), "B/person")
			b.ReportMetric(float64(fine)/float64(b.N), "fine/op")
		})
	}
}
