package synth

import (
	"math"
	"reflect"
	"testing"

	"github.com/sinkron-id/sinkron/biometric/iris"
	"github.com/sinkron-id/sinkron/biometric/template"
)

// TestDeterministic: the same seed, person and impression give the same
// record, whatever else was made before.
func TestDeterministic(t *testing.T) {
	pop := Population{Seed: 7, Params: DefaultParams()}
	a := pop.Impression(pop.Person(3), 3, 1)
	pop.Person(9)
	b := pop.Impression(pop.Person(3), 3, 1)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, person and impression gave different records")
	}
	if reflect.DeepEqual(a, pop.Impression(pop.Person(3), 3, 2)) {
		t.Fatal("two impressions are identical")
	}
}

// irisStats compares first captures of different people at one alignment
// and second captures of the same eye at the best alignment.
func irisStats(n int) (impMean, impSD, bits, genMean float64) {
	pop := Population{Seed: 11, Params: DefaultParams()}
	var hds, ns, gen []float64
	var prev *irisPair
	for i := 0; i < n; i++ {
		p := pop.Person(i)
		r0, r1 := pop.Impression(p, i, 0), pop.Impression(p, i, 1)
		if !r0.Eyes[0].Present() {
			continue
		}
		cur := &irisPair{r0.Eyes[0].Code, r1.Eyes[0].Code}
		if prev != nil {
			d, m := iris.Distance(&prev.a, &cur.a)
			hds = append(hds, float64(d)/float64(m))
			ns = append(ns, float64(m))
		}
		gen = append(gen, iris.Compare(cur.a, cur.b).HD)
		prev = cur
	}
	impMean, impSD = meanSD(hds)
	bits, _ = meanSD(ns)
	genMean, _ = meanSD(gen)
	return
}

type irisPair struct{ a, b template.IrisCode }

func meanSD(xs []float64) (float64, float64) {
	var s, ss float64
	for _, x := range xs {
		s += x
	}
	m := s / float64(len(xs))
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(xs)-1))
}

// TestIrisDegreesOfFreedom: impostor HDs at one alignment are binomial with
// about 249 degrees of freedom (Daugman 2004: p(1−p)/σ² with p ≈ 0.5), two
// masks share about 911 bits, and same-eye captures are far closer.
func TestIrisDegreesOfFreedom(t *testing.T) {
	m, sd, bits, gen := irisStats(2000)
	dof := m * (1 - m) / (sd * sd)
	t.Logf("impostor HD mean %.4f sd %.4f → %.0f degrees of freedom; %.0f bits compared; genuine HD mean %.3f", m, sd, dof, bits, gen)
	if m < 0.48 || m > 0.52 || dof < 200 || dof > 300 || bits < 750 || bits > 1100 || gen > 0.2 {
		t.Fatal("synthetic irises are off Daugman's figures")
	}
}

// BenchmarkPerson is the cost of one person and one impression, what a
// gallery of synthetic people costs to build.
func BenchmarkPerson(b *testing.B) {
	pop := Population{Seed: 1, Params: DefaultParams()}
	for i := 0; b.Loop(); i++ {
		pop.Impression(pop.Person(i), i, 0)
	}
}
