package fusion

import (
	"math"

	"github.com/sinkron-id/sinkron/biometric/iris"
	"github.com/sinkron-id/sinkron/biometric/template"
)

// Config holds the thresholds and score models.
type Config struct {
	// Quality: fewer minutiae than this and a finger is not compared (MCC
	// needs neighbours to build cylinders; 12 is the classic minimum for a
	// court identification in several countries, Maltoni et al. 2009).
	MinMinutiae int
	// Fewer usable iris bits than this and an eye is not compared: a third
	// of Daugman's typical 911 compared bits.
	MinIrisBits int
	// Impostor score models (mean, s.d.) for the z-scores: MCC scores, and
	// iris normalised HDs at the best of the searched rotations. Measured on
	// the synthetic set (TestImpostorModels prints them): 35,400 impostor
	// finger comparisons had median 0.0136 and 99th percentile 0.0161 (the
	// s.d. is read from these, as the upper tail is what matters); 89,700
	// impostor eyes over ±12 rotations had median 0.453 and 1st percentile
	// 0.397; same fingers had median 0.041 and same eyes 0.102.
	FingerMean, FingerSD float64
	IrisMean, IrisSD     float64
	// Cap on one sample's z-score, so one sample cannot outvote the rest
	// (a damaged finger's wrong match, or a perfect iris against fingers
	// that disagree).
	MaxZ float64
	// Threshold on the fused score at or above which two recordings are the
	// same person.
	Threshold float64
	// Iris rotation range searched, in angular steps each side.
	MaxShift int
}

// Default is the configuration measured on the calibrated synthetic set.
func Default() Config {
	return Config{
		MinMinutiae: 12, MinIrisBits: 300,
		FingerMean: 0.0137, FingerSD: 0.0011,
		IrisMean: 0.450, IrisSD: 0.023,
		MaxZ: 30, Threshold: 12, MaxShift: iris.DefaultMaxShift,
	}
}

// FingerUsable reports whether a finger can be compared.
func (c *Config) FingerUsable(f *template.Finger) bool {
	return f.Present() && len(f.Minutiae) >= c.MinMinutiae
}

// EyeUsable reports whether an eye can be compared.
func (c *Config) EyeUsable(e *template.Eye) bool {
	return e.Present() && iris.UsableBits(&e.Code) >= c.MinIrisBits
}

// Evidence gathers one comparison's scores; a sample not compared is left
// out with its Has flag false.
type Evidence struct {
	Finger    [10]float64 // MCC scores
	HasFinger [10]bool
	Iris      [2]float64 // normalised HDs
	HasIris   [2]bool
}

// AddFinger records finger position pos (1..10) scored s.
func (e *Evidence) AddFinger(pos int, s float64) { e.Finger[pos-1], e.HasFinger[pos-1] = s, true }

// AddIris records eye i (0 right, 1 left) at normalised HD hd.
func (e *Evidence) AddIris(i int, hd float64) { e.Iris[i], e.HasIris[i] = hd, true }

// Decision is the fused outcome.
type Decision struct {
	Score    float64 // fused z-score; −Inf when nothing was compared
	Compared int     // samples compared
	Match    bool
}

// Fuse combines the evidence.
func (c *Config) Fuse(e *Evidence) Decision {
	sum, n := 0.0, 0
	clamp := func(z float64) float64 { return math.Max(-c.MaxZ, math.Min(c.MaxZ, z)) }
	for i, ok := range e.HasFinger {
		if ok {
			sum += clamp((e.Finger[i] - c.FingerMean) / c.FingerSD)
			n++
		}
	}
	for i, ok := range e.HasIris {
		if ok {
			sum += clamp((c.IrisMean - e.Iris[i]) / c.IrisSD)
			n++
		}
	}
	if n == 0 {
		return Decision{Score: math.Inf(-1)}
	}
	s := sum / math.Sqrt(float64(n))
	return Decision{Score: s, Compared: n, Match: s >= c.Threshold}
}
