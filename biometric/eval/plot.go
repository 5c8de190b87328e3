package eval

import (
	"encoding/csv"
	"fmt"
	"image/color"
	"math"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Curve is a named DET curve.
type Curve struct {
	Name   string
	Points []Point
}

// WriteDETCSV writes curves as name,fmr,fnmr rows.
func WriteDETCSV(path string, curves []Curve) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"matcher", "fmr", "fnmr"})
	for _, c := range curves {
		for _, p := range c.Points {
			w.Write([]string{c.Name, strconv.FormatFloat(p.FMR, 'g', 6, 64), strconv.FormatFloat(p.FNMR, 'g', 6, 64)})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteDETPNG plots curves on log-log axes (a DET plot's usual scale with
// log axes instead of normal-deviate ones); points with a zero rate are
// drawn at the floor of the axis.
func WriteDETPNG(path string, curves []Curve) error {
	p := plot.New()
	p.Title.Text = "DET"
	p.X.Label.Text = "FMR"
	p.Y.Label.Text = "FNMR"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	colors := []color.Color{color.RGBA{200, 30, 30, 255}, color.RGBA{30, 30, 200, 255}, color.RGBA{30, 150, 30, 255}, color.Black}
	const floor = 1e-5
	for i, c := range curves {
		xy := make(plotter.XYs, 0, len(c.Points))
		for _, pt := range c.Points {
			xy = append(xy, plotter.XY{X: math.Max(pt.FMR, floor), Y: math.Max(pt.FNMR, floor)})
		}
		if len(xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("curve %s: %w", c.Name, err)
		}
		l.Color = colors[i%len(colors)]
		p.Add(l)
		p.Legend.Add(c.Name, l)
	}
	p.X.Min, p.Y.Min = floor, floor
	p.X.Max, p.Y.Max = 1, 1
	return p.Save(6*vg.Inch, 5*vg.Inch, path)
}
