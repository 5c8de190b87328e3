package institution

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sinkron-id/sinkron/node/fault"
)

// batcher answers concurrent calls together, the way a database commits a
// group: the checks waiting while a batch is in flight are read by one
// query (WHERE nik = ANY, by unnest), and the audit rows of every call in
// the batch, answered or refused, are written by one INSERT that commits
// before any of them is answered. With dozens of institutions' clients at
// once, two round trips and one commit serve up to maxBatch calls, where a
// query and an audit write each made PostgreSQL's backends the bottleneck
// on two cores.
type batcher struct {
	pool *pgxpool.Pool
	zone *time.Location
	log  *slog.Logger
	in   chan *call
	wg   sync.WaitGroup
	stop chan struct{}
	once sync.Once
}

// call is one institution call waiting for its batch.
type call struct {
	q      *Query // a check to answer; nil for a call only audited
	entry  Entry
	answer Answer
	err    error // the read's or the audit's failure
	done   chan struct{}
}

var errClosed = fault.New(fault.Unavailable, "layanan instansi sedang berhenti")

// ErrAudit answers a call whose audit row could not be written: nothing is
// answered that is not audited.
var ErrAudit = fault.New(fault.Unavailable, "audit panggilan tidak dapat dicatat; coba lagi")

const (
	batchers = 2  // batches in flight: one per core of the database here; 4 or 8 measured slower (BENCHMARKS.md)
	maxBatch = 64 // calls per batch
	// dbTimeout bounds a batch's round trips; a caller waits at most this
	// long once its call is in a batch.
	dbTimeout = 10 * time.Second
)

func newBatcher(pool *pgxpool.Pool, zone *time.Location, log *slog.Logger) *batcher {
	b := &batcher{pool: pool, zone: zone, log: log, in: make(chan *call), stop: make(chan struct{})}
	for range batchers {
		b.wg.Go(b.run)
	}
	return b
}

func (b *batcher) close() {
	b.once.Do(func() { close(b.stop) })
	b.wg.Wait()
}

// do answers and audits c in a batch with whatever other calls are waiting,
// and returns once c's audit row is committed (or the batch failed).
func (b *batcher) do(ctx context.Context, c *call) {
	c.done = make(chan struct{})
	select {
	case b.in <- c:
	case <-ctx.Done():
		c.err = ctx.Err()
		return
	case <-b.stop:
		c.err = errClosed
		return
	}
	<-c.done
}

func (b *batcher) run() {
	for {
		var batch []*call
		select {
		case c := <-b.in:
			batch = append(batch, c)
		case <-b.stop:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case c := <-b.in:
				batch = append(batch, c)
			default:
				break more
			}
		}
		b.serve(batch)
	}
}

// serve reads the batch's checks, fills each answer and audit outcome, and
// commits the audit rows before releasing any caller.
func (b *batcher) serve(batch []*call) {
	defer func() {
		for _, c := range batch {
			close(c.done)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	var niks []string
	for _, c := range batch {
		if c.q != nil {
			niks = append(niks, c.q.NIK)
		}
	}
	var recs map[string]record
	var err error
	if len(niks) > 0 {
		recs, err = b.fetch(ctx, niks)
	}
	for _, c := range batch {
		switch {
		case c.q == nil:
		case err != nil:
			c.err = err
			c.entry.Outcome, c.entry.Refused = "gagal: "+err.Error(), true
		default:
			c.answer = answer(*c.q, recs[c.q.NIK], b.zone)
			c.entry.Outcome = c.answer.Code
		}
	}
	if err := b.audit(ctx, batch); err != nil {
		// The database's words stay in the log; the institution learns
		// only that it may try again.
		b.log.Error("institution audit", "err", err, "calls", len(batch))
		for _, c := range batch {
			c.answer, c.err = Answer{}, ErrAudit
		}
	}
}

const batchSQL = `SELECT q.nik, r.nik IS NOT NULL, coalesce(r.nama, ''), coalesce(r.tempat_lahir, ''), coalesce(r.tanggal_lahir, ''),
	coalesce(r.nama_ibu, ''), coalesce(r.updated_at, 'epoch'),
	s.nik IS NOT NULL, coalesce(s.state, ''), coalesce(s.since, 'epoch'),
	p.nik IS NOT NULL, coalesce(p.state, ''), coalesce(p.office, ''), coalesce(p.since, 'epoch')
FROM unnest($1::text[]) AS q(nik)
LEFT JOIN residents r ON r.nik = q.nik
LEFT JOIN nik_state s ON s.nik = q.nik
LEFT JOIN LATERAL (SELECT nik, state, office, since FROM pending WHERE nik = q.nik ORDER BY since LIMIT 1) p ON true`

func (b *batcher) fetch(ctx context.Context, niks []string) (map[string]record, error) {
	rows, err := b.pool.Query(ctx, batchSQL, niks)
	if err != nil {
		return nil, fmt.Errorf("baca DWH: %w", err)
	}
	defer rows.Close()
	out := make(map[string]record, len(niks))
	for rows.Next() {
		var nik string
		var c record
		if err := rows.Scan(&nik, &c.found, &c.nama, &c.tempat, &c.tanggal, &c.ibu, &c.updated,
			&c.hasState, &c.state, &c.stateSince, &c.hasPending, &c.pendingState, &c.pendingOffice, &c.pendingSince); err != nil {
			return nil, fmt.Errorf("baca DWH: %w", err)
		}
		out[nik] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("baca DWH: %w", err)
	}
	return out, nil
}

// auditSQL writes the batch's rows; an answered check whose request id
// was answered before (by any dinas server, before any restart) meets the
// unique index and is not written: RETURNING names the rows written.
const auditSQL = `INSERT INTO institution_audit (at, institution, request_id, op, nik, outcome, refused)
SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[])
ON CONFLICT (institution, request_id) WHERE NOT refused AND op = 'check' DO NOTHING
RETURNING institution, request_id, op, refused`

// audit writes the batch's rows in one transaction, so one commit (one
// WAL flush) makes all of them durable. A check found already answered is
// a replay: its answer is withdrawn and its refusal recorded instead, in
// the same transaction.
func (b *batcher) audit(ctx context.Context, batch []*call) error {
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("tulis audit: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it does nothing
	written, err := insertAudit(ctx, tx, batch)
	if err != nil {
		return err
	}
	var replays []*call
	for _, c := range batch {
		key := auditKey{c.entry.Institution, c.entry.RequestID, c.entry.Op, c.entry.Refused}
		if written[key] > 0 {
			written[key]--
			continue
		}
		c.answer, c.err = Answer{}, fmt.Errorf("%w: request_id %s sudah dijawab", ErrReplay, c.entry.RequestID)
		c.entry.Outcome, c.entry.Refused = "ditolak: "+c.err.Error(), true
		replays = append(replays, c)
	}
	if len(replays) > 0 {
		if _, err := insertAudit(ctx, tx, replays); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("tulis audit: %w", err)
	}
	return nil
}

type auditKey struct {
	institution, request, op string
	refused                  bool
}

// insertAudit inserts the calls' rows and counts those written by key.
func insertAudit(ctx context.Context, tx pgx.Tx, batch []*call) (map[auditKey]int, error) {
	n := len(batch)
	at, inst, ids, ops, niks, outs, refused :=
		make([]time.Time, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]bool, n)
	for i, c := range batch {
		e := c.entry
		at[i], inst[i], ids[i], ops[i], niks[i], outs[i], refused[i] = e.At, e.Institution, e.RequestID, e.Op, e.NIK, e.Outcome, e.Refused
	}
	rows, err := tx.Query(ctx, auditSQL, at, inst, ids, ops, niks, outs, refused)
	if err != nil {
		return nil, fmt.Errorf("tulis audit: %w", err)
	}
	defer rows.Close()
	written := map[auditKey]int{}
	for rows.Next() {
		var k auditKey
		if err := rows.Scan(&k.institution, &k.request, &k.op, &k.refused); err != nil {
			return nil, fmt.Errorf("tulis audit: %w", err)
		}
		written[k]++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tulis audit: %w", err)
	}
	return written, nil
}
