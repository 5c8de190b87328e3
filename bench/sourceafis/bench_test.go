package sourceafis

import (
	"testing"
	"time"

	"github.com/warnakulasuriya-fds-e23/go-sourceafis-fork/templates"
	"golang.org/x/sys/unix"

	"github.com/sinkron-id/sinkron/biometric/mcc"
	"github.com/sinkron-id/sinkron/biometric/synth"
)

// BenchmarkCompare is fingerprint 1:1 comparisons per second, SourceAFIS
// against Sinkron's MCC on the same synthetic pairs in the same run, one
// core each, every template prepared beforehand (SourceAFIS: a matcher
// holding the probe and a search template; MCC: cylinders), so only the
// comparison is timed. Half the pairs are genuine, half impostor. An op is
// 64 comparisons by each matcher.
//
//	(cd bench/sourceafis && nice go test -run '^$' -bench Compare -count 5 -cpu 1)
func BenchmarkCompare(b *testing.B) {
	Init()
	pop := synth.Population{Seed: 77, Params: synth.DefaultParams()}
	w, h := pop.Params.Width, pop.Params.Height
	p := mcc.Default()
	type side struct {
		afis *templates.SearchTemplate
		mcc  *mcc.Template
	}
	var probes, cands []side
	var matchers []*Matcher
	for i := 0; len(probes) < 100; i++ {
		per := pop.Person(i)
		r0, r1 := pop.Impression(per, i, 0), pop.Impression(per, i, 1)
		for f := 0; f < 10 && len(probes) < 100; f += 5 {
			if !r0.Fingers[f].Present() {
				continue
			}
			a, c := r0.Fingers[f].Minutiae, r1.Fingers[f].Minutiae
			probes = append(probes, side{Template(a, w, h), mcc.New(a, &p)})
			cands = append(cands, side{Template(c, w, h), mcc.New(c, &p)})
		}
	}
	for _, pr := range probes {
		m, err := NewMatcher(pr.afis)
		if err != nil {
			b.Fatal(err)
		}
		matchers = append(matchers, m)
	}
	// pair i: probe i/2 against its own finger (even) or the next one (odd).
	cand := func(i int) int { return (i/2 + i%2) % len(cands) }
	// The two matchers take turns, 64 comparisons each, each turn timed on
	// its own: on a shared machine a load that comes and goes falls on both
	// alike, so the ratio holds even when the absolute rates wander.
	// Each turn's CPU time is also read from the process's clock (user and
	// system, every thread: SourceAFIS's garbage collection included): a
	// turn that lost the core to another process for a while is not
	// charged for it, so ratio-cpu holds on a heavily loaded machine.
	const turn = 64
	m := mcc.NewMatcher(p)
	var afisTime, mccTime, afisCPU, mccCPU time.Duration
	var done int
	for b.Loop() {
		start, c0 := time.Now(), processCPU()
		for i := done; i < done+turn; i++ {
			matchers[(i/2)%len(matchers)].Score(cands[cand(i)].afis)
		}
		mid, c1 := time.Now(), processCPU()
		for i := done; i < done+turn; i++ {
			m.Score(probes[(i/2)%len(probes)].mcc, cands[cand(i)].mcc)
		}
		mccTime += time.Since(mid)
		mccCPU += processCPU() - c1
		afisTime += mid.Sub(start)
		afisCPU += c1 - c0
		done += turn
	}
	afis, ours := float64(done)/afisTime.Seconds(), float64(done)/mccTime.Seconds()
	b.ReportMetric(afis, "afis-cmp/s")
	b.ReportMetric(ours, "mcc-cmp/s")
	b.ReportMetric(ours/afis, "ratio")
	if afisCPU > 0 && mccCPU > 0 {
		b.ReportMetric(float64(done)/afisCPU.Seconds(), "afis-cmp/cpu-s")
		b.ReportMetric(float64(done)/mccCPU.Seconds(), "mcc-cmp/cpu-s")
		b.ReportMetric(afisCPU.Seconds()/mccCPU.Seconds(), "ratio-cpu")
	}
}

// processCPU is this process's CPU time.
func processCPU() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
