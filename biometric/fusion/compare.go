package fusion

import (
	"github.com/sinkron-id/sinkron/biometric/iris"
	"github.com/sinkron-id/sinkron/biometric/mcc"
	"github.com/sinkron-id/sinkron/biometric/template"
)

// Prepared is a recording ready for comparisons: MCC templates of its
// usable fingers and iris probes of its usable eyes (nil where not usable).
type Prepared struct {
	Fingers [10]*mcc.Template
	Eyes    [2]*iris.Probe
	Codes   [2]*template.IrisCode
}

// Prepare builds what comparing rec needs.
func (c *Config) Prepare(rec *template.Record, p *mcc.Params) *Prepared {
	out := &Prepared{}
	for i := range rec.Fingers {
		if c.FingerUsable(&rec.Fingers[i]) {
			out.Fingers[i] = mcc.New(rec.Fingers[i].Minutiae, p)
		}
	}
	for i := range rec.Eyes {
		if c.EyeUsable(&rec.Eyes[i]) {
			out.Eyes[i] = iris.NewProbe(rec.Eyes[i].Code, c.MaxShift)
			out.Codes[i] = &rec.Eyes[i].Code
		}
	}
	return out
}

// Compare fuses every sample a and b both have. m is the caller's MCC
// matcher (one per goroutine).
func (c *Config) Compare(m *mcc.Matcher, a, b *Prepared) (Evidence, Decision) {
	var e Evidence
	c.compareIrises(&e, a, b)
	c.CompareFingers(&e, m, a, b)
	return e, c.Fuse(&e)
}

func (c *Config) compareIrises(e *Evidence, a, b *Prepared) {
	for i := range a.Eyes {
		if a.Eyes[i] != nil && b.Codes[i] != nil {
			if r := a.Eyes[i].Compare(b.Codes[i]); r.Bits > 0 {
				e.AddIris(i, r.Score)
			}
		}
	}
}

// CompareFingers adds the MCC scores of the fingers a and b both have.
func (c *Config) CompareFingers(e *Evidence, m *mcc.Matcher, a, b *Prepared) {
	for i := range a.Fingers {
		if a.Fingers[i] != nil && b.Fingers[i] != nil {
			e.AddFinger(i+1, m.Score(a.Fingers[i], b.Fingers[i]))
		}
	}
}
