package lab

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"text/tabwriter"
	"time"
)

// Sample is one office at one moment of a run.
type Sample struct {
	T      time.Duration // since the run started
	Office string
	// Behind is the office's sync lag in events; Authored the events it
	// wrote itself (its own entry in its vector).
	Behind, Authored, BlobsMissing uint64
	BytesUp, BytesDown             uint64
	Answering                      bool
}

// Report is what a scenario run leaves: samples over time, milestones,
// measurements and the invariants' verdicts.
type Report struct {
	Scenario string
	Start    time.Time

	mu       sync.Mutex
	Samples  []Sample
	Marks    []Mark
	Figures  []Figure
	Results  []Result
	Ledger   *Ledger
	offices  []string
	peerByOf map[string]string
	// dinas is the office whose photos in hand the report follows (the
	// first dinas server, as the scenarios' waits do); upRate is each
	// office's uplink in bytes per second as the run began, 0 unlimited.
	dinas  string
	upRate map[string]float64
}

// Mark is a moment of the scenario ("putus kota-agung", "sambung").
type Mark struct {
	T    time.Duration
	What string
}

// Figure is a measurement, for BENCHMARKS.md.
type Figure struct{ Name, Value string }

// NewReport starts a report for a scenario on l.
func NewReport(scenario string, l *Lab, g *Ledger) *Report {
	r := &Report{Scenario: scenario, Start: time.Now(), Ledger: g, peerByOf: map[string]string{}, upRate: map[string]float64{}}
	for _, o := range l.State.Offices {
		r.offices = append(r.offices, o.Name)
		r.peerByOf[o.Name] = o.Peer
	}
	if d := l.State.Dinas(); len(d) > 0 {
		r.dinas = d[0].Name
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if st, err := l.Net.Status(ctx); err == nil {
		for _, o := range st.Offices {
			r.upRate[o.Name] = float64(o.Link.Up.RateKbit) * 1000 / 8
		}
	}
	return r
}

// Mark records a moment.
func (r *Report) Mark(what string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Marks = append(r.Marks, Mark{time.Since(r.Start), what})
}

// Figure records a measurement.
func (r *Report) Figure(name, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Figures = append(r.Figures, Figure{name, fmt.Sprintf(format, args...)})
}

// Sample records every office every interval until ctx ends.
func (r *Report) Sample(ctx context.Context, l *Lab, every time.Duration) {
	for {
		if snap, err := TakeSnapshot(ctx, l, false); err == nil {
			r.add(snap)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

func (r *Report) add(snap *Snapshot) {
	t := snap.At.Sub(r.Start)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range snap.Offices {
		r.Samples = append(r.Samples, Sample{T: t, Office: o.Name, Behind: snap.Behind(o.Name),
			Authored: o.Vector[r.peerByOf[o.Name]], BlobsMissing: o.BlobsMissing,
			BytesUp: o.BytesUp, BytesDown: o.BytesDown, Answering: o.Err == ""})
	}
}

// OK reports whether every invariant held.
func (r *Report) OK() bool {
	for _, res := range r.Results {
		if !res.OK {
			return false
		}
	}
	return len(r.Results) > 0
}

// Print writes the report: per office the lag over time, events and bytes
// sent, then the measurements and the invariants.
func (r *Report) Print(out io.Writer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(out, "\n== skenario %s (%.0f s)\n\n", r.Scenario, time.Since(r.Start).Seconds())
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "KANTOR\tLAG MAKS\tLAG AKHIR\tLAG PER WAKTU (event)\tEVENT DITULIS\tKB NAIK\tKB TURUN\tFOTO KURANG\t")
	for _, name := range r.offices {
		s := r.officeSamples(name)
		if len(s) == 0 {
			continue
		}
		first, last := s[0], s[len(s)-1]
		var peak uint64
		for _, x := range s {
			peak = max(peak, x.Behind)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t\n", name, peak, last.Behind, sparkline(s, 24),
			last.Authored, (last.BytesUp-first.BytesUp)/1024, (last.BytesDown-first.BytesDown)/1024, last.BlobsMissing)
	}
	tw.Flush()
	for _, m := range r.Marks {
		fmt.Fprintf(out, "  %6.1f s  %s\n", m.T.Seconds(), m.What)
	}
	if figs := slices.Concat(r.Figures, r.photoFigures()); len(figs) > 0 {
		fmt.Fprintln(out, "\nUkuran:")
		for _, f := range figs {
			fmt.Fprintf(out, "  %-52s %s\n", f.Name, f.Value)
		}
	}
	fmt.Fprintln(out, "\nInvarian:")
	for _, res := range r.Results {
		verdict := "LULUS"
		if !res.OK {
			verdict = "GAGAL"
		}
		fmt.Fprintf(out, "  %-5s %-18s %s\n", verdict, res.Name, res.Detail)
	}
}

func (r *Report) officeSamples(name string) []Sample {
	var out []Sample
	for _, s := range r.Samples {
		if s.Office == name {
			out = append(out, s)
		}
	}
	return out
}

// sparkline draws an office's lag over the run in n characters.
func sparkline(s []Sample, n int) string {
	bars := []rune(" ▁▂▃▄▅▆▇█")
	var peak uint64
	for _, x := range s {
		peak = max(peak, x.Behind)
	}
	out := make([]rune, 0, n)
	for i := range n {
		x := s[i*len(s)/n]
		if !x.Answering {
			out = append(out, '×')
			continue
		}
		lvl := 0
		if peak > 0 {
			lvl = int((x.Behind*uint64(len(bars)-1) + peak - 1) / peak)
		}
		out = append(out, bars[lvl])
	}
	return string(out)
}

// WriteCSV writes samples.csv, marks.csv, figures.csv and invariants.csv
// into dir, and lag.png, the chart of every office's lag.
func (r *Report) WriteCSV(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r.mu.Lock()
	var rows [][]string
	rows = append(rows, []string{"t_s", "office", "behind_events", "authored_events", "blobs_missing", "bytes_up", "bytes_down", "answering"})
	for _, s := range r.Samples {
		rows = append(rows, []string{strconv.FormatFloat(s.T.Seconds(), 'f', 1, 64), s.Office, u(s.Behind), u(s.Authored),
			u(s.BlobsMissing), u(s.BytesUp), u(s.BytesDown), strconv.FormatBool(s.Answering)})
	}
	files := map[string][][]string{"samples.csv": rows}
	files["marks.csv"] = [][]string{{"t_s", "what"}}
	for _, m := range r.Marks {
		files["marks.csv"] = append(files["marks.csv"], []string{strconv.FormatFloat(m.T.Seconds(), 'f', 1, 64), m.What})
	}
	files["figures.csv"] = [][]string{{"name", "value"}}
	for _, f := range slices.Concat(r.Figures, r.photoFigures()) {
		files["figures.csv"] = append(files["figures.csv"], []string{f.Name, f.Value})
	}
	files["invariants.csv"] = [][]string{{"invariant", "ok", "detail"}}
	for _, res := range r.Results {
		files["invariants.csv"] = append(files["invariants.csv"], []string{res.Name, strconv.FormatBool(res.OK), res.Detail})
	}
	r.mu.Unlock()
	for name, rows := range files {
		if err := writeCSV(filepath.Join(dir, name), rows); err != nil {
			return err
		}
	}
	return r.chart(filepath.Join(dir, "lag.png"))
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return fmt.Errorf("lab: %s: %w", path, err)
	}
	return f.Close()
}

// photoFigures measures, from the samples, the rate photos reached the
// dinas against the uplinks they crossed: from the sample where the dinas
// lacked the most photos (the events naming them are in by then) until it
// lacks none, or the last sample. Photos wanted anew after that peak
// would hide arrivals, so the rate errs low. Empty for a run without
// photos or without a kecamatan's uplink limited. Called with mu held.
func (r *Report) photoFigures() []Figure {
	var photos, photoBytes int
	var capacity float64
	var from []string // the offices that filed photos: their uplinks carry them
	most, mostBytes := "", 0
	r.Ledger.count(func(g *Ledger) {
		photos, photoBytes = g.Photos, g.PhotoBytes
		for office, b := range g.photoBytes {
			if b > 0 && r.upRate[office] > 0 {
				from = append(from, office)
				capacity += r.upRate[office]
				if b > mostBytes {
					most, mostBytes = office, b
				}
			}
		}
	})
	peak, end, ok := r.photoWindow()
	if photos == 0 || capacity == 0 || !ok || end.T <= peak.T {
		return nil
	}
	got := peak.BlobsMissing - end.BlobsMissing
	rate := float64(got) * float64(photoBytes) / float64(photos) / (end.T - peak.T).Seconds()
	var up uint64
	for _, office := range from {
		up += r.bytesUpBetween(office, peak.T, end.T)
	}
	busy := float64(up) / (end.T - peak.T).Seconds()
	name := "foto masuk " + r.dinas
	return []Figure{
		{name, fmt.Sprintf("%d foto dalam %.0f s (%.0f–%.0f s), %d masih kurang", got, (end.T - peak.T).Seconds(),
			peak.T.Seconds(), end.T.Seconds(), end.BlobsMissing)},
		{name + " ÷ kapasitas tautan naik", fmt.Sprintf("%.0f %% (%.1f kB/s dari %.1f kB/s)",
			100*rate/capacity, rate/1e3, capacity/1e3)},
		{"tautan naik terpakai, waktu yang sama", fmt.Sprintf("%.0f %% (%.1f kB/s)", 100*busy/capacity, busy/1e3)},
		// The office that filed most of the photos (after a week offline,
		// its backlog): its one uplink bounds the rate, not all of them.
		{name + " ÷ tautan naik " + most, fmt.Sprintf("%.0f %% (%.1f kB/s dari %.1f kB/s; %.0f %% foto dari kantor ini)",
			100*rate/r.upRate[most], rate/1e3, r.upRate[most]/1e3, 100*float64(mostBytes)/float64(photoBytes))},
	}
}

// photoWindow is the dinas's sample lacking the most photos, and the first
// later one lacking none (or the last).
func (r *Report) photoWindow() (peak, end Sample, ok bool) {
	for _, s := range r.officeSamples(r.dinas) {
		if !s.Answering {
			continue
		}
		switch {
		case !ok || s.BlobsMissing > peak.BlobsMissing:
			peak, end, ok = s, s, true
		case end.BlobsMissing > 0:
			end = s
		}
	}
	return peak, end, ok
}

// bytesUpBetween is what crossed office's uplink upwards between two
// moments of the run, as sampled.
func (r *Report) bytesUpBetween(office string, from, to time.Duration) uint64 {
	var first, last *Sample
	for _, s := range r.officeSamples(office) {
		if s.T >= from && first == nil {
			first = &s
		}
		if s.T <= to {
			last = &s
		}
	}
	if first == nil || last == nil || last.BytesUp < first.BytesUp {
		return 0
	}
	return last.BytesUp - first.BytesUp
}
