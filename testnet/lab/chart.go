package lab

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// chart draws every office's sync lag over the run, with the scenario's
// marks as vertical lines, as a PNG.
func (r *Report) chart(path string) error {
	p := plot.New()
	p.Title.Text = "Sinkron lab: " + r.Scenario
	p.X.Label.Text = "detik"
	p.Y.Label.Text = "event tertinggal (lag)"
	r.mu.Lock()
	var lines []any
	for _, name := range r.offices {
		var pts plotter.XYs
		for _, s := range r.Samples {
			if s.Office == name && s.Answering {
				pts = append(pts, plotter.XY{X: s.T.Seconds(), Y: float64(s.Behind)})
			}
		}
		if len(pts) > 0 {
			lines = append(lines, name, pts)
		}
	}
	marks := append([]Mark(nil), r.Marks...)
	r.mu.Unlock()
	if err := plotutil.AddLines(p, lines...); err != nil {
		return fmt.Errorf("lab: chart: %w", err)
	}
	for _, m := range marks {
		l, err := plotter.NewLine(plotter.XYs{{X: m.T.Seconds(), Y: 0}, {X: m.T.Seconds(), Y: p.Y.Max}})
		if err != nil {
			return fmt.Errorf("lab: chart: %w", err)
		}
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		p.Add(l)
	}
	p.Legend.Top = true
	if err := p.Save(9*vg.Inch, 5*vg.Inch, path); err != nil {
		return fmt.Errorf("lab: chart: %w", err)
	}
	return nil
}
