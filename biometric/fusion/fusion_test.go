package fusion

import (
	"math"
	"testing"

	"github.com/sinkron-id/sinkron/biometric/mcc"
	"github.com/sinkron-id/sinkron/biometric/synth"
	"github.com/sinkron-id/sinkron/biometric/template"
)

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

// TestImpostorModels measures the impostor score models on the synthetic
// set and checks Default's values are those (means within 15 %, s.d.s
// within 40 %: the tails are not Gaussian), and that genuine
// recordings fuse far above the threshold and impostors far below.
func TestImpostorModels(t *testing.T) {
	pop := synth.Population{Seed: 31, Params: synth.DefaultParams()}
	c := Default()
	p := mcc.Default()
	m := mcc.NewMatcher(p)
	const n = 40
	var first, second [n]*Prepared
	for i := 0; i < n; i++ {
		per := pop.Person(i)
		r0, r1 := pop.Impression(per, i, 0), pop.Impression(per, i, 1)
		first[i], second[i] = c.Prepare(&r0, &p), c.Prepare(&r1, &p)
	}
	var fing, irs, genFused, impFused []float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			e, d := c.Compare(m, first[i], second[j])
			if i == j {
				genFused = append(genFused, d.Score)
				continue
			}
			impFused = append(impFused, d.Score)
			for k, ok := range e.HasFinger {
				if ok {
					fing = append(fing, e.Finger[k])
				}
			}
			for k, ok := range e.HasIris {
				if ok {
					irs = append(irs, e.Iris[k])
				}
			}
		}
	}
	fm, fsd := meanSD(fing)
	im, isd := meanSD(irs)
	gm, _ := meanSD(genFused)
	maxImp, minGen := math.Inf(-1), math.Inf(1)
	for _, s := range impFused {
		maxImp = math.Max(maxImp, s)
	}
	for _, s := range genFused {
		minGen = math.Min(minGen, s)
	}
	t.Logf("finger impostor mean %.4f sd %.4f; iris impostor mean %.4f sd %.4f", fm, fsd, im, isd)
	t.Logf("fused: genuine mean %.1f min %.1f; impostor max %.1f; threshold %.1f", gm, minGen, maxImp, c.Threshold)
	near := func(got, want, tol float64) bool { return math.Abs(got-want) <= tol*math.Abs(want) }
	if !near(fm, c.FingerMean, 0.15) || !near(fsd, c.FingerSD, 0.4) || !near(im, c.IrisMean, 0.15) || !near(isd, c.IrisSD, 0.4) {
		t.Error("Default's impostor models are off the measured ones")
	}
	if minGen < c.Threshold || maxImp >= c.Threshold {
		t.Error("fusion does not separate these genuine and impostor recordings")
	}
}

func TestFuseLeavesOut(t *testing.T) {
	c := Default()
	var e Evidence
	if d := c.Fuse(&e); d.Compared != 0 || d.Match || !math.IsInf(d.Score, -1) {
		t.Fatalf("nothing compared: %+v", d)
	}
	e.AddIris(0, 0.1)
	if d := c.Fuse(&e); !d.Match || d.Compared != 1 {
		t.Fatalf("one strong iris: %+v", d)
	}
	f := template.Finger{Minutiae: make([]template.Minutia, 5)}
	if c.FingerUsable(&f) {
		t.Fatal("a finger of 5 minutiae is usable")
	}
	if c.EyeUsable(&template.Eye{Exception: template.Missing}) {
		t.Fatal("a missing eye is usable")
	}
}
