package lab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/sinkron-id/sinkron/testnet/netlab"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// offlineWeek: the first kecamatan is cut off while it files five working
// days of requests at speed (the others work at a counter's pace), then
// comes back over its 3G link. Measured: how long until the dinas holds
// all of its events, and all of its photos.
func (r *run) offlineWeek(ctx context.Context) error {
	target := r.l.State.Kecamatan()[0].Name
	n := r.opt.PerDay * r.opt.Days
	if err := Lease(ctx, r.l, target, n/10+5); err != nil {
		return err
	}
	b, err := r.baseOf(ctx, target)
	if err != nil {
		return err
	}
	r.mark("lease NIK untuk %s diterima", target)
	if err := r.l.Cut(ctx, target, netlab.DirBoth); err != nil {
		return err
	}
	r.mark("putus %s", target)
	week := Counter{Office: target, Requests: n, PhotoBytes: r.opt.PhotoBytes, CancelEvery: 20, NIKEvery: 10, Seed: r.opt.Seed}
	err = r.withPrints(ctx, r.opt.Others, func() error {
		return counters(ctx, r.l, r.g, append(r.others(target, r.opt.Others), week))
	})
	if err != nil {
		return err
	}
	r.mark("%s selesai mengisi %d permohonan (%d hari) tanpa jaringan", target, n, r.opt.Days)
	return r.catchUp(ctx, target, "seminggu offline", b)
}

// catchUp heals target's link and measures until the dinas has its events
// and photos.
func (r *run) catchUp(ctx context.Context, target, label string, b base) error {
	seq, err := authored(ctx, r.l, target)
	if err != nil {
		return err
	}
	b.up = linkBytes(ctx, r.l, target)
	if err := r.l.Heal(ctx, target, netlab.DirBoth); err != nil {
		return err
	}
	r.mark("sambung %s (%d event menunggu)", target, seq)
	return r.measure(ctx, target, label, b, seq, time.Now())
}

// measure waits for target's events and photos at the dinas and records
// the figures, counting from start.
func (r *run) measure(ctx context.Context, target, label string, b base, seq uint64, start time.Time) error {
	if _, err := r.atDinas(ctx, target, seq, false); err != nil {
		return fmt.Errorf("events of %s never reached the dinas: %w", target, err)
	}
	tEvents := time.Since(start)
	r.mark("semua %d event %s di dinas", seq, target)
	r.rep.Figure(label+": event di dinas", "%.1f s (%d event)", tEvents.Seconds(), seq)
	// Counted once the photos are in (or waited for): an exchange adds to
	// the counters when it ends, and later rounds may send the events again.
	defer r.eventFigures(ctx, target, label, b, seq)
	photos := r.g.PhotoBytesOf(target)
	_, err := r.atDinas(ctx, target, seq, true)
	if err != nil && r.opt.WaitPhotos {
		return fmt.Errorf("photos of %s: %w", target, err)
	}
	if err != nil {
		r.rep.Figure(label+": foto di dinas", "belum semua setelah %.0f s", r.opt.Patience.Seconds())
		return nil
	}
	tPhotos := time.Since(start)
	r.mark("semua foto %s di dinas", target)
	sent := linkBytes(ctx, r.l, target) - b.up
	capB := capacity(ctx, r.l, target)
	r.rep.Figure(label+": foto di dinas", "%.1f s (%.1f MB foto)", tPhotos.Seconds(), float64(photos)/1e6)
	if capB > 0 {
		r.rep.Figure(label+": foto ÷ kapasitas tautan naik", "%.0f %% (%.1f kB/s dari %.1f kB/s)",
			100*float64(photos)/tPhotos.Seconds()/capB, float64(photos)/tPhotos.Seconds()/1e3, capB/1e3)
	}
	r.rep.Figure(label+": byte naik ÷ byte foto", "%.3f (%.1f MB lewat tautan)", float64(sent)/float64(max(photos, 1)), float64(sent)/1e6)
	return nil
}

// fullDay: one kecamatan files a full day (PerDay requests with two photos
// each) at speed, online on its link; measured from the first request.
func (r *run) fullDay(ctx context.Context) error {
	target := r.l.State.Kecamatan()[0].Name
	b, err := r.baseOf(ctx, target)
	if err != nil {
		return err
	}
	start := time.Now()
	r.mark("%s mulai %d permohonan", target, r.opt.PerDay)
	day := Counter{Office: target, Requests: r.opt.PerDay, PhotoBytes: r.opt.PhotoBytes, CancelEvery: 20, Seed: r.opt.Seed}
	// The dinas prints cards meanwhile, one job per ten requests of the day.
	err = r.withPrints(ctx, max(r.opt.PerDay/10, 1), func() error { return counters(ctx, r.l, r.g, []Counter{day}) })
	if err != nil {
		return err
	}
	r.mark("%s selesai mengisi", target)
	seq, err := authored(ctx, r.l, target)
	if err != nil {
		return err
	}
	return r.measure(ctx, target, "satu hari penuh", b, seq, start)
}

// killsPartitions: every kecamatan files at speed while a kecamatan is
// cut off, a dinas server and a kecamatan are SIGKILLed and restarted,
// another dinas server hangs (SIGSTOP) and resumes, and two counters edit
// one request at once across a partition. The dinas print room prints
// KTP-el cards all along, one print sent to the killed server.
func (r *run) killsPartitions(ctx context.Context) error {
	kec := r.l.State.Kecamatan()
	dinas := r.l.State.Dinas()
	a, b := kec[0].Name, kec[len(kec)-1].Name
	for _, o := range kec { // before any cut: a lease comes from the dinas
		if err := Lease(ctx, r.l, o.Name, r.opt.Others/5+2); err != nil {
			return err
		}
	}
	r.mark("lease NIK diterima di %d kecamatan", len(kec))
	if len(dinas) > 1 {
		if err := r.conflict(ctx, a, dinas[0].Name, dinas[len(dinas)-1].Name); err != nil {
			return err
		}
	} else if err := r.l.Cut(ctx, a, netlab.DirBoth); err != nil {
		return err
	}
	var cs []Counter
	for i, o := range kec {
		cs = append(cs, Counter{Office: o.Name, Requests: r.opt.Others, PhotoBytes: r.opt.PhotoBytes, CancelEvery: 10,
			NIKEvery: 5, Seed: r.opt.Seed + uint64(i)})
	}
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() { defer wg.Done(); werr = counters(ctx, r.l, r.g, cs) }()
	ferr := r.withPrints(ctx, r.opt.Others, func() error { return r.faults(ctx, b, dinas) })
	wg.Wait()
	r.mark("semua loket selesai")
	return errors.Join(werr, ferr)
}

// faults kills and pauses nodes while the counters work.
func (r *run) faults(ctx context.Context, kec string, dinas []Office) error {
	step := func(d time.Duration) { time.Sleep(d) }
	step(time.Second)
	victim := dinas[len(dinas)-1].Name
	if err := r.l.Kill(ctx, victim); err != nil {
		return err
	}
	r.mark("SIGKILL %s", victim)
	// The print room's software still has the dead server as its own: the
	// call fails there and goes, with its key, to the next one.
	if err := r.prints.Job(ctx, jobKilled, r.prints.ServerIndex(victim)); err != nil {
		return err
	}
	r.mark("cetak KTP-el dikirim ke %s yang mati, dijawab server lain", victim)
	if err := r.l.Kill(ctx, kec); err != nil {
		return err
	}
	r.mark("SIGKILL %s (di tengah pengisian)", kec)
	step(2 * time.Second)
	if err := r.l.StartNode(ctx, kec); err != nil {
		return err
	}
	r.mark("%s hidup lagi", kec)
	if err := r.l.StartNode(ctx, victim); err != nil {
		return err
	}
	r.mark("%s hidup lagi", victim)
	if len(dinas) > 1 {
		hung := dinas[0].Name
		if err := r.l.Pause(ctx, hung); err != nil {
			return err
		}
		r.mark("SIGSTOP %s", hung)
		step(3 * time.Second)
		if err := r.l.Resume(ctx, hung); err != nil {
			return err
		}
		r.mark("SIGCONT %s", hung)
	}
	return nil
}
