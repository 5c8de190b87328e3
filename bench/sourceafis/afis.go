package sourceafis

import (
	"context"
	"math"

	"github.com/warnakulasuriya-fds-e23/go-sourceafis-fork"
	"github.com/warnakulasuriya-fds-e23/go-sourceafis-fork/config"
	"github.com/warnakulasuriya-fds-e23/go-sourceafis-fork/features"
	"github.com/warnakulasuriya-fds-e23/go-sourceafis-fork/primitives"
	"github.com/warnakulasuriya-fds-e23/go-sourceafis-fork/templates"

	"github.com/sinkron-id/sinkron/biometric/template"
)

// quiet accepts no transparency data, so SourceAFIS logs nothing.
type quiet struct{}

func (quiet) Accepts(string) bool                 { return false }
func (quiet) Accept(string, string, []byte) error { return nil }

// Init loads SourceAFIS's default configuration; call it once first.
func Init() { config.LoadDefaultConfig() }

// Template makes SourceAFIS's search template of ISO minutiae in an image
// of w×h pixels. SourceAFIS's directions are in image coordinates (y down):
// the ISO angle, counter-clockwise with y up, negated, as its own ISO
// importer does.
func Template(ms []template.Minutia, w, h int) *templates.SearchTemplate {
	list := primitives.NewGenericList[*features.FeatureMinutia]()
	for _, m := range ms {
		t := features.ENDING
		if m.Type == template.Bifurcation {
			t = features.BIFURCATION
		}
		dir := math.Mod(2*math.Pi-m.Radians(), 2*math.Pi)
		list.PushBack(features.NewFeatureMinutia(primitives.IntPoint{X: int(m.X), Y: int(m.Y)}, dir, t))
	}
	ft := templates.NewFeatureTemplate(primitives.IntPoint{X: w, Y: h}, list)
	return templates.NewSearchTemplate(sourceafis.NewTransparencyLogger(quiet{}), ft)
}

// Matcher holds one probe.
type Matcher struct{ m *sourceafis.Matcher }

// NewMatcher prepares probe for comparisons.
func NewMatcher(probe *templates.SearchTemplate) (*Matcher, error) {
	m, err := sourceafis.NewMatcher(sourceafis.NewTransparencyLogger(quiet{}), probe)
	if err != nil {
		return nil, err
	}
	return &Matcher{m}, nil
}

// Score is SourceAFIS's similarity of the probe and candidate.
func (m *Matcher) Score(candidate *templates.SearchTemplate) float64 {
	return m.m.Match(context.Background(), candidate)
}
