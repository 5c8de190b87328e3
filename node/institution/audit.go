package institution

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Entry is one audited call.
type Entry struct {
	At          time.Time
	Institution string // "" when the key was not recognised
	RequestID   string
	Op          string // check | open-sync
	NIK         string
	Outcome     string // the answer's code, the tracking code, or "ditolak: …"
	Refused     bool
}

// auditor writes audit entries in batches with COPY: at thousands of checks
// a second one INSERT each would cost the database more than the checks.
// An entry waits at most flushEvery; Close writes what is left.
type auditor struct {
	pool  *pgxpool.Pool
	log   *slog.Logger
	in    chan Entry
	done  chan struct{}
	every time.Duration
	once  sync.Once
}

func newAuditor(pool *pgxpool.Pool, log *slog.Logger, every time.Duration) *auditor {
	a := &auditor{pool: pool, log: log, in: make(chan Entry, 8192), done: make(chan struct{}), every: every}
	go a.run()
	return a
}

// Record queues an entry; when the queue is full it waits, so no call goes
// unaudited.
func (a *auditor) Record(e Entry) { a.in <- e }

func (a *auditor) run() {
	defer close(a.done)
	t := time.NewTicker(a.every)
	defer t.Stop()
	var batch []Entry
	for {
		in := a.in
		if len(batch) >= maxHeld {
			in = nil // the database is away: hold what we have, let callers wait
		}
		select {
		case e, ok := <-in:
			if !ok {
				a.flush(batch)
				return
			}
			batch = append(batch, e)
			if len(batch) >= 4096 {
				batch = a.flush(batch)
			}
		case <-t.C:
			batch = a.flush(batch)
		}
	}
}

// maxHeld bounds the entries held while the database cannot take them;
// beyond it Record blocks, so checks slow down rather than go unaudited.
const maxHeld = 1 << 16

func (a *auditor) flush(batch []Entry) []Entry {
	if len(batch) == 0 {
		return batch
	}
	rows := make([][]any, len(batch))
	for i, e := range batch {
		rows[i] = []any{e.At, e.Institution, e.RequestID, e.Op, e.NIK, e.Outcome, e.Refused}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := a.pool.CopyFrom(ctx, pgx.Identifier{"institution_audit"},
		[]string{"at", "institution", "request_id", "op", "nik", "outcome", "refused"}, pgx.CopyFromRows(rows))
	if err != nil {
		// Kept for the next flush: an audit row is not dropped while the
		// database is away (the queue then pushes back on callers).
		a.log.Warn("institution audit", "err", err, "pending", len(batch))
		return batch
	}
	return batch[:0]
}

// Close writes the queued entries and stops.
func (a *auditor) Close() {
	a.once.Do(func() { close(a.in) })
	<-a.done
}

// replays remembers request ids within the replay window.
type replays struct {
	mu   sync.Mutex
	seen map[string]time.Time
	last time.Time // of the last pruning
}

// fresh records key and reports whether it was new within the window.
func (r *replays) fresh(key string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]time.Time{}
	}
	if now.Sub(r.last) > ReplayWindow {
		for k, at := range r.seen {
			if now.Sub(at) > 2*ReplayWindow {
				delete(r.seen, k)
			}
		}
		r.last = now
	}
	if _, ok := r.seen[key]; ok {
		return false
	}
	r.seen[key] = now
	return true
}
