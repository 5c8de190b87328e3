package dwh

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Source is what the warehouse is fed from: on a dinas server, the decision
// machine and the replicated store.
type Source interface {
	// After returns up to max changes following cp, in order within each
	// stream (contiguous from cp's position + 1); none when caught up.
	After(ctx context.Context, cp Checkpoint, max int) ([]Change, error)
	// Decisions is the newest decision number the source holds.
	Decisions() uint64
}

// Leader says whether this server may feed, and under which term.
type Leader interface {
	Leading() (term uint64, ok bool)
}

// Status is the feed as this server sees it.
type Status struct {
	Leading     bool
	Term        uint64
	Decisions   uint64        // the newest decision the source holds
	Fed         uint64        // the newest decision in the warehouse
	LagSeconds  float64       // age of the oldest decision not yet in the warehouse
	Applied     uint64        // changes this server wrote
	LastApplied time.Time     // when it last wrote
	LastError   string        // the last failure, "" after a success
	Interval    time.Duration // how often it polls when idle
}

// LagDecisions is how many decisions the warehouse lacks.
func (s Status) LagDecisions() uint64 {
	if s.Decisions > s.Fed {
		return s.Decisions - s.Fed
	}
	return 0
}

// FeederOptions tune a Feeder.
type FeederOptions struct {
	Batch    int           // changes per transaction in steady state (256)
	CatchUp  int           // changes per transaction while far behind (20000)
	Interval time.Duration // poll and retry interval (1 s)
	Now      func() time.Time
	Log      *slog.Logger
	// Prepare runs before the first round until it succeeds, e.g. the
	// schema's migrations, so a database down at start delays the feed.
	Prepare func(ctx context.Context) error
	// Applied is called after each round while leading, with the batch
	// committed (none when caught up) and the checkpoint: e.g. to confirm
	// records to the requests waiting for them.
	Applied func(ctx context.Context, changes []Change, cp Checkpoint)
}

// Feeder moves changes from a source into the sink while this server leads.
type Feeder struct {
	sink *Sink
	src  Source
	lead Leader
	opt  FeederOptions
	wake chan struct{}

	mu     sync.Mutex
	status Status
}

// NewFeeder feeds sink from src while lead says so.
func NewFeeder(sink *Sink, src Source, lead Leader, opt FeederOptions) *Feeder {
	if opt.Batch <= 0 {
		opt.Batch = 256
	}
	if opt.CatchUp <= 0 {
		opt.CatchUp = 20000
	}
	if opt.Interval <= 0 {
		opt.Interval = time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	return &Feeder{sink: sink, src: src, lead: lead, opt: opt, wake: make(chan struct{}, 1),
		status: Status{Interval: opt.Interval}}
}

// Wake makes the feeder look for changes now (after a commit).
func (f *Feeder) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Status reports the feed.
func (f *Feeder) Status() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.status
	st.Decisions = f.src.Decisions()
	return st
}

// Run feeds until ctx ends.
func (f *Feeder) Run(ctx context.Context) {
	t := time.NewTicker(f.opt.Interval)
	defer t.Stop()
	var cp Checkpoint // nil: read it from the warehouse
	prepared := f.opt.Prepare == nil
	for {
		var more bool
		var err error
		if !prepared {
			err = f.opt.Prepare(ctx)
			prepared = err == nil
		}
		if prepared {
			more, err = f.round(ctx, &cp)
		}
		if err != nil {
			cp = nil // the transaction may or may not have committed: ask the warehouse
			f.failed(err)
		}
		if more && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		case <-t.C:
		}
	}
}

// round writes one batch; more says the source had a full batch.
func (f *Feeder) round(ctx context.Context, cp *Checkpoint) (more bool, err error) {
	term, ok := f.lead.Leading()
	f.mu.Lock()
	f.status.Leading, f.status.Term = ok, term
	f.mu.Unlock()
	if !ok {
		*cp = nil
		return false, nil
	}
	if *cp == nil {
		if *cp, err = f.sink.Checkpoint(ctx); err != nil {
			return false, err
		}
		f.mu.Lock()
		f.status.Fed = (*cp)[StreamDecisions]
		f.mu.Unlock()
	}
	max := f.opt.Batch
	if f.src.Decisions() > (*cp)[StreamDecisions]+uint64(f.opt.Batch) {
		max = f.opt.CatchUp
	}
	changes, err := f.src.After(ctx, *cp, max)
	if err != nil {
		return false, err
	}
	f.noteLag(*cp, changes)
	if len(changes) == 0 {
		f.after(ctx, nil, *cp)
		return false, nil
	}
	n, err := f.sink.Apply(ctx, term, changes)
	if err != nil {
		return false, err
	}
	for _, c := range changes {
		if c.Pos.Seq > (*cp)[c.Pos.Stream] {
			(*cp)[c.Pos.Stream] = c.Pos.Seq
		}
	}
	f.applied(n, *cp)
	f.after(ctx, changes, *cp)
	return len(changes) >= max, nil
}

func (f *Feeder) after(ctx context.Context, changes []Change, cp Checkpoint) {
	if f.opt.Applied != nil {
		f.opt.Applied(ctx, changes, cp)
	}
}

// noteLag records the age of the oldest decision not yet fed.
func (f *Feeder) noteLag(cp Checkpoint, changes []Change) {
	lag := 0.0
	for _, c := range changes {
		if c.Pos.Stream == StreamDecisions && c.Pos.Seq > cp[StreamDecisions] && !c.At.IsZero() {
			lag = f.opt.Now().Sub(c.At).Seconds()
			break
		}
	}
	f.mu.Lock()
	f.status.LagSeconds = lag
	f.mu.Unlock()
}

func (f *Feeder) applied(n int, cp Checkpoint) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status.Applied += uint64(n)
	f.status.Fed = cp[StreamDecisions]
	f.status.LastApplied = f.opt.Now()
	f.status.LastError = ""
	f.status.LagSeconds = 0
}

func (f *Feeder) failed(err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	f.opt.Log.Warn("dwh feed", "err", err)
	f.mu.Lock()
	f.status.LastError = err.Error()
	f.mu.Unlock()
}
