package eval

import (
	"math"
	"slices"
)

// Scores are a matcher's genuine and impostor scores, higher meaning more
// alike (negate distances).
type Scores struct {
	Genuine, Impostor []float64
}

// sorted returns ascending copies.
func (s Scores) sorted() ([]float64, []float64) {
	g, im := slices.Clone(s.Genuine), slices.Clone(s.Impostor)
	slices.Sort(g)
	slices.Sort(im)
	return g, im
}

// below counts the values in ascending xs that are < t.
func below(xs []float64, t float64) int {
	n, _ := slices.BinarySearch(xs, t)
	return n
}

// AtFMR is the FNMR at the lowest threshold whose FMR is at most fmr: a
// pair is a match when its score is ≥ the threshold. With fewer than 1/fmr
// impostor scores the FMR cannot be resolved and ok is false.
func (s Scores) AtFMR(fmr float64) (fnmr, threshold float64, ok bool) {
	g, im := s.sorted()
	if len(im) == 0 || len(g) == 0 || float64(len(im))*fmr < 1 {
		return 0, 0, false
	}
	allowed := int(math.Floor(fmr * float64(len(im)))) // impostors allowed at or above
	// The threshold sits just above the (allowed+1)-th highest impostor.
	threshold = math.Nextafter(im[len(im)-1-allowed], math.Inf(1))
	return float64(below(g, threshold)) / float64(len(g)), threshold, true
}

// EER is the equal error rate: where FNMR and FMR cross, their mean.
func (s Scores) EER() float64 {
	g, im := s.sorted()
	if len(g) == 0 || len(im) == 0 {
		return math.NaN()
	}
	cands := append(slices.Clone(g), im...)
	slices.Sort(cands)
	best, eer := math.Inf(1), 0.0
	for _, t := range cands {
		fnmr := float64(below(g, t)) / float64(len(g))
		fmr := float64(len(im)-below(im, t)) / float64(len(im))
		if d := math.Abs(fnmr - fmr); d < best {
			best, eer = d, (fnmr+fmr)/2
		}
	}
	return eer
}

// Point is one point of a DET curve.
type Point struct{ FMR, FNMR float64 }

// DET is the DET curve at every distinct impostor score (each step in FMR).
func (s Scores) DET() []Point {
	g, im := s.sorted()
	var pts []Point
	for i := len(im) - 1; i >= 0; i-- {
		if i < len(im)-1 && im[i] == im[i+1] {
			continue
		}
		t := math.Nextafter(im[i], math.Inf(1))
		pts = append(pts, Point{
			FMR:  float64(len(im)-1-i) / float64(len(im)),
			FNMR: float64(below(g, t)) / float64(len(g)),
		})
	}
	return pts
}
