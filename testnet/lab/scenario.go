package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/testnet/netlab"
)

// Options tune a scenario run.
type Options struct {
	// PerDay is one kecamatan's requests per working day (default 300);
	// Days how many days the offline kecamatan works cut off (default 5).
	PerDay, Days int
	// Others is how many requests each other kecamatan files meanwhile
	// (default 20).
	Others int
	// PhotoBytes is each photo's size (default 30,000: a compressed scan).
	PhotoBytes int
	// WaitPhotos makes a run wait until the dinas has every photo.
	WaitPhotos bool
	// Patience bounds each wait after healing (default 10 minutes).
	Patience time.Duration
	// Sample is the report's sampling interval (default 2s).
	Sample time.Duration
	Seed   uint64
	Log    io.Writer
}

func (o Options) withDefaults() Options {
	if o.PerDay == 0 {
		o.PerDay = 300
	}
	if o.Days == 0 {
		o.Days = 5
	}
	if o.Others == 0 {
		o.Others = 20
	}
	if o.PhotoBytes == 0 {
		o.PhotoBytes = 30_000
	}
	if o.Patience == 0 {
		o.Patience = 10 * time.Minute
	}
	if o.Sample == 0 {
		o.Sample = 2 * time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return o
}

// Scenarios lists the scenarios Run knows.
func Scenarios() []string { return []string{"hari-penuh", "kills-partitions", "offline-week"} }

// Run runs a scenario on l and returns its report, invariants checked.
// The error is for a run that could not be carried out; broken invariants
// are in the report (Report.OK).
func Run(ctx context.Context, l *Lab, name string, opt Options) (*Report, error) {
	opt = opt.withDefaults()
	if len(l.State.Kecamatan()) < 1 {
		return nil, errors.New("lab: a scenario needs a kecamatan")
	}
	g := NewLedger()
	rep := NewReport(name, l, g)
	// The start time keeps this run's decision keys apart from another
	// run's on the same lab; the seed draws the jobs.
	prints, err := NewPrintRoom(l, g, opt.Seed, strconv.FormatInt(rep.Start.UnixNano(), 36))
	if err != nil {
		return nil, err
	}
	r := &run{l: l, g: g, rep: rep, opt: opt, prints: prints}
	var body func(context.Context) error
	switch name {
	case "offline-week":
		body = r.offlineWeek
	case "hari-penuh":
		body = r.fullDay
	case "kills-partitions":
		body = r.killsPartitions
	default:
		return nil, fmt.Errorf("lab: no scenario %q (have %v)", name, Scenarios())
	}
	if err := r.background(ctx, body); err != nil {
		return rep, err
	}
	return rep, nil
}

// run is one scenario run's shared parts.
type run struct {
	l      *Lab
	g      *Ledger
	rep    *Report
	opt    Options
	desk   Desk
	prints *PrintRoom
}

func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(r.opt.Log, "[%6.1f s] %s\n", time.Since(r.rep.Start).Seconds(), fmt.Sprintf(format, args...))
}

func (r *run) mark(format string, args ...any) {
	r.rep.Mark(fmt.Sprintf(format, args...))
	r.logf(format, args...)
}

// background runs the sampler, the dinas desk and the residents around
// body, then heals everything, drains the desk and checks the invariants.
func (r *run) background(ctx context.Context, body func(context.Context) error) error {
	bctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, fn := range []func(){
		func() { r.rep.Sample(bctx, r.l, r.opt.Sample) },
		func() { r.desk.Run(bctx, r.l, r.g) },
		func() { Residents(bctx, r.l, r.g, time.Second, r.opt.Seed) },
	} {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	err := body(ctx)
	// Heal even after a failed body, so the lab is left usable.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	err = errors.Join(err, r.healAll(hctx))
	cancel()
	if err == nil {
		err = r.finish(ctx)
	}
	stop()
	wg.Wait()
	r.g.count(func(g *Ledger) {
		r.rep.Figure("warga mengecek status (ditemukan/total)", "%d/%d", g.Found, g.Tracked)
	})
	r.rep.Figure("panggilan meja dinas gagal (server mati/jeda)", "%d", r.desk.Errors)
	r.cardFigures()
	return err
}

// cardFigures reports what the print room printed.
func (r *run) cardFigures() {
	cards := r.g.Cards()
	replaced := 0
	for _, c := range cards {
		if c.Revoked != 0 {
			replaced++
		}
	}
	r.g.count(func(g *Ledger) {
		r.rep.Figure("kartu KTP-el dicetak (pengganti; blangko bekas ditolak)", "%d (%d; %d)", len(cards), replaced, g.BlanksRefused)
	})
}

// printPace is the print room's pause between jobs, a counter's pace
// like the other kecamatan's in a scenario.
const printPace = 300 * time.Millisecond

// withPrints gives the print room its residents, then runs n of its jobs
// beside work, and waits for both.
func (r *run) withPrints(ctx context.Context, n int, work func() error) error {
	if err := r.prints.Prepare(ctx); err != nil {
		return err
	}
	r.mark("ruang cetak dinas mulai %d pekerjaan", n)
	var perr error
	var wg sync.WaitGroup
	wg.Go(func() { perr = r.prints.Run(ctx, n, printPace) })
	werr := work()
	wg.Wait()
	return errors.Join(werr, perr)
}

// healAll heals every link.
func (r *run) healAll(ctx context.Context) error {
	var errs []error
	for _, o := range r.l.State.Offices {
		errs = append(errs, r.l.Heal(ctx, o.Name, netlab.DirBoth))
	}
	r.mark("semua tautan pulih")
	return errors.Join(errs...)
}

// finish waits for the desk and convergence, and
// checks the invariants.
func (r *run) finish(ctx context.Context) error {
	err := poll(ctx, r.opt.Patience, func() error {
		if n := r.g.Pending(); n > 0 {
			return fmt.Errorf("%d requests not finished at the dinas", n)
		}
		return nil
	})
	if err != nil {
		r.logf("desk: %v", err) // the invariants will say so
	}
	r.mark("meja dinas selesai")
	took, err := WaitConverged(ctx, r.l, r.opt.Patience)
	if err != nil {
		r.logf("not converged after %.0f s: %v", took.Seconds(), err)
	} else {
		r.mark("semua kantor konvergen")
	}
	if snap, err := TakeSnapshot(ctx, r.l, false); err == nil {
		r.rep.add(snap) // the last sample shows the end state
	}
	r.rep.Results = Check(ctx, r.l, r.g)
	return nil
}

// counters runs counters at once and waits for them all.
func counters(ctx context.Context, l *Lab, g *Ledger, cs []Counter) error {
	var wg sync.WaitGroup
	errs := make([]error, len(cs))
	for i, c := range cs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = c.Run(ctx, l, g) }()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// others are counters at every kecamatan but skip, filing n each at a
// counter's pace.
func (r *run) others(skip string, n int) []Counter {
	var out []Counter
	for i, o := range r.l.State.Kecamatan() {
		if o.Name != skip {
			out = append(out, Counter{Office: o.Name, Requests: n, PhotoBytes: r.opt.PhotoBytes, CancelEvery: 20,
				Interval: 300 * time.Millisecond, Seed: r.opt.Seed + uint64(i)})
		}
	}
	return out
}

// authored is how many events an office wrote, as the office says.
func authored(ctx context.Context, l *Lab, office string) (uint64, error) {
	snap, err := TakeSnapshot(ctx, l, false)
	if err != nil {
		return 0, err
	}
	s, err := snap.Office(office)
	if err != nil || s.Err != "" {
		return 0, errors.Join(err, fmt.Errorf("%s: %s", office, s.Err))
	}
	o, _ := l.State.office(office)
	return s.Vector[o.Peer], nil
}

// atDinas waits until the first dinas server holds seq events of office,
// and (with photos) every photo it wants.
func (r *run) atDinas(ctx context.Context, office string, seq uint64, photos bool) (time.Duration, error) {
	start := time.Now()
	o, _ := r.l.State.office(office)
	dinas := r.l.State.Dinas()[0].Name
	err := poll(ctx, r.opt.Patience, func() error {
		snap, err := TakeSnapshot(ctx, r.l, false)
		if err != nil {
			return err
		}
		d, err := snap.Office(dinas)
		if err != nil {
			return err
		}
		if d.Vector[o.Peer] < seq {
			return fmt.Errorf("dinas has %d of %d events of %s", d.Vector[o.Peer], seq, office)
		}
		if photos && d.BlobsMissing > 0 {
			return fmt.Errorf("dinas lacks %d photos", d.BlobsMissing)
		}
		return nil
	})
	return time.Since(start), err
}

// linkBytes is what crossed an office's uplink upwards so far.
func linkBytes(ctx context.Context, l *Lab, office string) uint64 {
	st, err := l.Net.Stats(ctx)
	if err != nil {
		return 0
	}
	return st[office].Up.SentBytes
}

// capacity is an office's uplink rate in bytes per second, 0 if unlimited.
func capacity(ctx context.Context, l *Lab, office string) float64 {
	st, err := l.Net.Status(ctx)
	if err != nil {
		return 0
	}
	for _, o := range st.Offices {
		if o.Name == office {
			return float64(o.Link.Up.RateKbit) * 1000 / 8
		}
	}
	return 0
}

// conflict files a request at kecamatan a, whose counter approves it and so
// hands its file to the dinas; once dinas servers d1 and d2 both hold it
// approved, a and d1 are cut off and the two dinas servers move it at once:
// d1 starts processing, d2 cancels; d1 then rejoins. After healing, every
// office must show the conflict. Two kecamatan cannot race this way: a request belongs to
// the counter that took it until its file goes to the dinas.
func (r *run) conflict(ctx context.Context, a, d1, d2 string) error {
	la, err := r.l.Officer(a, CounterUser(a))
	if err != nil {
		return err
	}
	l1, err := r.l.Officer(d1, kasiUser)
	if err != nil {
		return err
	}
	l2, err := r.l.Officer(d2, kasiUser)
	if err != nil {
		return err
	}
	c := Counter{Office: a, PhotoBytes: 1000}
	cr, err := la.Request.CreateRequest(ctx, connect.NewRequest(&v1.CreateRequestRequest{
		ApplicantName: "Warga Konflik", Nik: residentNIK, Kk: residentKK, Problem: "NIK ganda di dua loket",
		Whatsapp: "081234567890", Officer: "Petugas Loket", Documents: c.docs()}))
	if err != nil {
		return fmt.Errorf("conflict: file at %s: %w", a, err)
	}
	id := cr.Msg.Request.Id
	r.g.filed(id, a, 2, 0)
	r.g.conflict(id) // the desk leaves it to the two dinas servers below
	if err := transition(ctx, la, r.g, id, v1.Status_STATUS_DISETUJUI, "Disetujui", "petugas-pendukung-pelayanan", ""); err != nil {
		return fmt.Errorf("conflict: approve at %s: %w", a, err)
	}
	for _, l := range []*Client{l1, l2} {
		err = poll(ctx, r.opt.Patience, func() error {
			got, err := l.Request.GetRequest(ctx, connect.NewRequest(&v1.GetRequestRequest{Id: id}))
			if err == nil && got.Msg.Request.Status != v1.Status_STATUS_DISETUJUI {
				err = fmt.Errorf("%s is %s", id, got.Msg.Request.Status)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("conflict: %s never reached the dinas approved: %w", id, err)
		}
	}
	for _, o := range []string{a, d1} {
		if err := r.l.Cut(ctx, o, netlab.DirBoth); err != nil {
			return err
		}
	}
	r.mark("putus %s dan %s; %s memproses dan %s membatalkan %s bersamaan", a, d1, d1, d2, id)
	if err := transition(ctx, l1, r.g, id, v1.Status_STATUS_DIPROSES, "Diproses", "", ""); err != nil {
		return fmt.Errorf("conflict: process at %s: %w", d1, err)
	}
	if err := transition(ctx, l2, r.g, id, v1.Status_STATUS_DIBATALKAN, "Dibatalkan", "", "berkas ganda"); err != nil {
		return fmt.Errorf("conflict: cancel at %s: %w", d2, err)
	}
	// The dinas server rejoins at once: the scenario goes on to kill
	// another, and the cluster must keep its quorum. a stays cut.
	if err := r.l.Heal(ctx, d1, netlab.DirBoth); err != nil {
		return err
	}
	r.mark("%s pulih", d1)
	return nil
}

// docs are the two photos of a request.
func (c Counter) docs() []*v1.DocumentUpload {
	rng := newRNG(c.Seed)
	return []*v1.DocumentUpload{
		{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KK, Content: Photo(rng, c.PhotoBytes)},
		{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KTP_EL, Content: Photo(rng, c.PhotoBytes)},
	}
}
