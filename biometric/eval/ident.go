package eval

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sinkron-id/sinkron/biometric/mcc"
	"github.com/sinkron-id/sinkron/biometric/search"
	"github.com/sinkron-id/sinkron/biometric/synth"
)

// IdentResult is one gallery size's 1:N figures.
type IdentResult struct {
	Gallery        int
	Mated, NonMate int     // searches of each kind
	FNIR, FPIR     float64 // misses among mated, any candidate among non-mated
	MedianSearch   time.Duration
	ReadOnce       time.Duration // reading the gallery once (memory bandwidth)
	BytesPerPerson float64
	RSS            int64   // resident bytes of this process after the searches
	Fine, Fused    float64 // mean people per search reaching those stages
	// BestStranger is the highest fused score any non-mated search met
	// (verified and rejected, or returned): how close strangers came to
	// the threshold.
	BestStranger float64
}

// Identification enrols people 0, 1, … of pop (first impressions) into one
// gallery, growing it through sizes, and at each size runs mated searches
// (second impressions of enrolled people spread over the gallery) and
// non-mated ones (people never enrolled, numbered after the largest size).
func Identification(ctx context.Context, pop synth.Population, sizes []int, mated, nonMated int, cfg search.Config, progress func(string)) ([]IdentResult, error) {
	sizes = slices.Sorted(slices.Values(sizes))
	g := search.New(cfg.Fusion)
	g.Reserve(sizes[len(sizes)-1], 500) // ten plain impressions hold about 480 minutiae
	var out []IdentResult
	have := 0
	for _, n := range sizes {
		if err := Enrol(ctx, g, pop, have, n); err != nil {
			return nil, err
		}
		have = n
		// Return the enrolment's garbage to the OS, so the resident size
		// measured during the searches is the gallery's and the searches'.
		debug.FreeOSMemory()
		progress("galeri " + strconv.Itoa(n) + " orang siap")
		r, err := identAt(ctx, g, pop, n, sizes[len(sizes)-1], mated, nonMated, cfg, progress)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func identAt(ctx context.Context, g *search.Gallery, pop synth.Population, n, largest, mated, nonMated int, cfg search.Config, progress func(string)) (IdentResult, error) {
	r := IdentResult{Gallery: n, Mated: mated, NonMate: nonMated, BytesPerPerson: g.BytesPerPerson(), BestStranger: math.Inf(-1)}
	var times []time.Duration
	var fine, fused int
	run := func(id, k int, stranger bool) (bool, bool, error) {
		probe := pop.Impression(pop.Person(id), id, k)
		start := time.Now()
		found, st, err := g.Search(ctx, &probe, cfg)
		times = append(times, time.Since(start))
		fine += st.Fine
		fused += st.Fused
		hit := false
		for _, c := range found {
			hit = hit || c.ID == uint64(id)
			if stranger {
				r.BestStranger = math.Max(r.BestStranger, c.Score)
			}
		}
		if stranger {
			r.BestStranger = math.Max(r.BestStranger, st.BestRejected)
		}
		return hit, len(found) > 0, err
	}
	misses, falses := 0, 0
	for s := 0; s < mated; s++ {
		hit, _, err := run(int(int64(s)*int64(n)/int64(mated)), 1, false)
		if err != nil {
			return r, err
		}
		if !hit {
			misses++
			progress(missed(pop, int(int64(s)*int64(n)/int64(mated)), cfg))
		}
	}
	for s := 0; s < nonMated; s++ {
		_, any, err := run(largest+1+s, 0, true)
		if err != nil {
			return r, err
		}
		if any {
			falses++
		}
	}
	r.FNIR = float64(misses) / float64(max(mated, 1))
	r.FPIR = float64(falses) / float64(max(nonMated, 1))
	slices.Sort(times)
	if len(times) > 0 {
		r.MedianSearch = times[len(times)/2]
	}
	r.Fine = float64(fine) / float64(max(len(times), 1))
	r.Fused = float64(fused) / float64(max(len(times), 1))
	var reads []time.Duration
	for k := 0; k < 5; k++ {
		start := time.Now()
		g.ReadOnce(0)
		reads = append(reads, time.Since(start))
	}
	slices.Sort(reads)
	r.ReadOnce = reads[2]
	r.RSS = RSS()
	return r, nil
}

// missed says why a mated search missed person id: the fused score of the
// probe against the enrolled recording, compared directly. At or above
// the threshold, the search's index passed the person over; below it,
// fusion judged the two recordings different people.
func missed(pop synth.Population, id int, cfg search.Config) string {
	person := pop.Person(id)
	a, b := pop.Impression(person, id, 0), pop.Impression(person, id, 1)
	pa, pb := cfg.Fusion.Prepare(&a, &cfg.MCC), cfg.Fusion.Prepare(&b, &cfg.MCC)
	_, d := cfg.Fusion.Compare(mcc.NewMatcher(cfg.MCC), pb, pa)
	stage := "fusi"
	if d.Match {
		stage = "indeks"
	}
	return fmt.Sprintf("cari-sama: orang %d tidak ditemukan; skor langsung %.1f (ambang %.0f): terlewat di %s", id, d.Score, cfg.Fusion.Threshold, stage)
}

// Enrol adds people [from, to) of pop, first impressions, on every core.
func Enrol(ctx context.Context, g *search.Gallery, pop synth.Population, from, to int) error {
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := from + w; i < to && ctx.Err() == nil; i += workers {
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
			return err
		}
	}
	return ctx.Err()
}

// RSS is this process's resident memory in bytes (Linux), or 0.
func RSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
