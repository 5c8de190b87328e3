package decision

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/sinkron-id/sinkron/replication/event"
)

// Watcher makes the dinas leader propose every decision request that
// reaches the replicated log. It checks new events as they commit and, on
// becoming leader, every request still undecided, so a leader change loses
// nothing; keys make a second proposal decide nothing twice.
type Watcher struct {
	svc  *Service
	log  *slog.Logger
	news chan []*event.Event
	// missed is set when a batch found the queue full or a proposal
	// failed (a leader change, a timeout): the next tick rescans.
	missed atomic.Bool
}

// NewWatcher watches for svc's cluster.
func NewWatcher(svc *Service, log *slog.Logger) *Watcher {
	return &Watcher{svc: svc, log: log, news: make(chan []*event.Event, 64)}
}

// Committed offers freshly stored events; it never blocks (a full queue is
// caught by the periodic rescan).
func (w *Watcher) Committed(evs []*event.Event) {
	var reqs []*event.Event
	for _, e := range evs {
		if e.Kind == RequestKind {
			reqs = append(reqs, e)
		}
	}
	if len(reqs) == 0 {
		return
	}
	select {
	case w.news <- reqs:
	default:
		w.missed.Store(true)
	}
}

// Run proposes until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	wasLeader := false
	for {
		select {
		case <-ctx.Done():
			return
		case evs := <-w.news:
			if w.svc.cluster.IsLeader() {
				w.propose(ctx, evs)
			}
		case <-tick.C:
			leader := w.svc.cluster.IsLeader()
			if leader && (!wasLeader || w.missed.Swap(false)) {
				w.rescan(ctx)
			}
			wasLeader = leader
		}
	}
}

func (w *Watcher) propose(ctx context.Context, evs []*event.Event) {
	for _, e := range evs {
		if _, done, _ := w.svc.Decided(e.ID().String()); done {
			continue
		}
		cmd, err := requested(e)
		if err != nil {
			w.log.Warn("bad decision request", "err", err)
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err = w.svc.Decide(cctx, cmd)
		cancel()
		if err != nil && !errors.Is(err, ErrRefused) {
			w.log.Info("decision request", "key", cmd.Key, "err", err)
			w.missed.Store(true)
		}
	}
}

// rescan proposes every stored request without a decision.
func (w *Watcher) rescan(ctx context.Context) {
	var pending []*event.Event
	_ = w.svc.store.Each(RequestKind, "", func(id string, _ []byte) bool {
		evs, err := w.svc.store.Events(RequestKind, id)
		if err == nil {
			pending = append(pending, evs...)
		}
		return ctx.Err() == nil
	})
	w.propose(ctx, pending)
}
