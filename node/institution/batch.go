package institution

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// reader batches concurrent checks into one query: with dozens of
// institutions' clients at once, one round trip for up to maxBatch NIKs
// costs the database little more than one for a single NIK, where a query
// each made PostgreSQL's backends the bottleneck on two cores.
type reader struct {
	pool *pgxpool.Pool
	in   chan *lookup
	wg   sync.WaitGroup
	stop chan struct{}
	once sync.Once
}

type lookup struct {
	ctx  context.Context
	nik  string
	rec  record
	err  error
	done chan struct{}
}

var errClosed = errors.New("institution service closed")

const (
	readers  = 4  // queries in flight at once
	maxBatch = 64 // NIKs per query
)

func newReader(pool *pgxpool.Pool) *reader {
	r := &reader{pool: pool, in: make(chan *lookup), stop: make(chan struct{})}
	for range readers {
		r.wg.Go(r.run)
	}
	return r
}

func (r *reader) close() {
	r.once.Do(func() { close(r.stop) })
	r.wg.Wait()
}

// read returns the warehouse's record of a NIK, in a batch with whatever
// other reads are waiting.
func (r *reader) read(ctx context.Context, nik string) (record, error) {
	l := &lookup{ctx: ctx, nik: nik, done: make(chan struct{})}
	select {
	case r.in <- l:
	case <-ctx.Done():
		return record{}, ctx.Err()
	case <-r.stop:
		return record{}, errClosed
	}
	<-l.done
	return l.rec, l.err
}

func (r *reader) run() {
	for {
		var batch []*lookup
		select {
		case l := <-r.in:
			batch = append(batch, l)
		case <-r.stop:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case l := <-r.in:
				batch = append(batch, l)
			default:
				break more
			}
		}
		r.query(batch)
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

func (r *reader) query(batch []*lookup) {
	defer func() {
		for _, l := range batch {
			close(l.done)
		}
	}()
	niks := make([]string, len(batch))
	for i, l := range batch {
		niks[i] = l.nik
	}
	recs, err := r.fetch(batch[0].ctx, niks)
	for _, l := range batch {
		l.rec, l.err = recs[l.nik], err
	}
}

func (r *reader) fetch(ctx context.Context, niks []string) (map[string]record, error) {
	rows, err := r.pool.Query(context.WithoutCancel(ctx), batchSQL, niks)
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
