package dwh

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

var (
	// ErrFenced: a feeder with a newer term has written the warehouse; this
	// one is no longer the leader and must stop.
	ErrFenced = errors.New("dwh: a feeder with a newer term writes the warehouse")
	// ErrGap: a batch skips positions after the checkpoint.
	ErrGap = errors.New("dwh: changes skip positions after the checkpoint")
)

// DefaultCopyAt is the batch size (rows) from which the sink uses COPY.
const DefaultCopyAt = 512

// Sink writes changes into the warehouse, each position once.
type Sink struct {
	pool   *pgxpool.Pool
	name   string // who feeds, recorded in the feeder row
	copyAt int
}

// NewSink writes through pool as feeder name (e.g. the dinas server's office
// and peer). copyAt ≤ 0 takes DefaultCopyAt.
func NewSink(pool *pgxpool.Pool, name string, copyAt int) *Sink {
	if copyAt <= 0 {
		copyAt = DefaultCopyAt
	}
	return &Sink{pool: pool, name: name, copyAt: copyAt}
}

// Checkpoint reads how far the warehouse holds each stream.
func (s *Sink) Checkpoint(ctx context.Context) (Checkpoint, error) {
	return readCheckpoint(ctx, s.pool)
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func readCheckpoint(ctx context.Context, q querier) (Checkpoint, error) {
	rows, err := q.Query(ctx, `SELECT stream, seq FROM checkpoint`)
	if err != nil {
		return nil, fmt.Errorf("dwh: read checkpoint: %w", err)
	}
	cp := Checkpoint{}
	for rows.Next() {
		var stream string
		var seq int64
		if err := rows.Scan(&stream, &seq); err != nil {
			return nil, err
		}
		cp[stream] = uint64(seq)
	}
	return cp, rows.Err()
}

// Apply writes the changes not yet in the warehouse and moves the checkpoint
// in one transaction, as the feeder of term. It returns how many changes were
// new. A change at or below its stream's checkpoint is skipped; one beyond
// the next position is ErrGap; a newer term in the warehouse is ErrFenced.
func (s *Sink) Apply(ctx context.Context, term uint64, changes []Change) (int, error) {
	var fresh int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE feeder SET term = $1, feeder = $2, updated_at = now() WHERE term <= $1`,
			int64(term), s.name)
		if err != nil {
			return fmt.Errorf("dwh: fence: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrFenced
		}
		cp, err := readCheckpoint(ctx, tx)
		if err != nil {
			return err
		}
		rs, next, err := admit(cp, changes)
		if err != nil {
			return err
		}
		for _, n := range next {
			fresh += int(n.seq - cp[n.stream])
		}
		if rs.size() >= s.copyAt {
			err = copyRows(ctx, tx, rs)
		} else {
			err = upsertRows(ctx, tx, rs)
		}
		if err != nil {
			return err
		}
		return moveCheckpoint(ctx, tx, term, cp, next)
	})
	if err != nil {
		return 0, err
	}
	return fresh, nil
}

type streamSeq struct {
	stream string
	seq    uint64
}

// admit keeps the changes after the checkpoint, in order, and refuses gaps.
func admit(cp Checkpoint, changes []Change) (*rowset, []streamSeq, error) {
	at := map[string]uint64{}
	var order []string
	rs := &rowset{}
	for _, c := range changes {
		last, seen := at[c.Pos.Stream]
		if !seen {
			last = cp[c.Pos.Stream]
		}
		switch {
		case c.Pos.Seq <= last:
			continue // already in the warehouse (or twice in the batch)
		case c.Pos.Seq > last+1:
			return nil, nil, fmt.Errorf("%w: %s at %d, next is %d", ErrGap, c.Pos.Stream, c.Pos.Seq, last+1)
		}
		if !seen {
			order = append(order, c.Pos.Stream)
		}
		at[c.Pos.Stream] = c.Pos.Seq
		rs.add(c)
	}
	next := make([]streamSeq, 0, len(order))
	for _, st := range order {
		next = append(next, streamSeq{st, at[st]})
	}
	return rs, next, nil
}

// moveCheckpoint advances each stream from the value this transaction read,
// and only under a term not older than the one that wrote it.
func moveCheckpoint(ctx context.Context, tx pgx.Tx, term uint64, cp Checkpoint, next []streamSeq) error {
	b := &pgx.Batch{}
	for _, n := range next {
		b.Queue(`INSERT INTO checkpoint (stream, seq, term) VALUES ($1, $2, $3)
			ON CONFLICT (stream) DO UPDATE SET seq = EXCLUDED.seq, term = EXCLUDED.term, updated_at = now()
			WHERE checkpoint.seq = $4 AND checkpoint.term <= EXCLUDED.term`,
			n.stream, int64(n.seq), int64(term), int64(cp[n.stream]))
	}
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	for _, n := range next {
		tag, err := res.Exec()
		if err != nil {
			return fmt.Errorf("dwh: checkpoint %s: %w", n.stream, err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("%w: checkpoint of %s moved under us", ErrFenced, n.stream)
		}
	}
	return res.Close()
}

// upsertRows writes a small batch as upserts in one round trip.
func upsertRows(ctx context.Context, tx pgx.Tx, rs *rowset) error {
	b := &pgx.Batch{}
	if len(rs.done) > 0 {
		b.Queue(`DELETE FROM pending WHERE request = ANY($1)`, rs.done)
	}
	for _, t := range []struct {
		t    table
		rows [][]any
	}{{tResidents, rs.residents.list()}, {tFamilies, rs.families.list()}, {tCards, rs.cards.list()}, {tStates, rs.states.list()},
		{tPending, rs.pending.list()}} {
		sql := t.t.upsertSQL(t.t.placeholders())
		for _, r := range t.rows {
			b.Queue(sql, r...)
		}
	}
	kks, members := rs.memberRows()
	if len(kks) > 0 {
		b.Queue(`DELETE FROM family_members WHERE kk = ANY($1)`, kks)
	}
	sql := tMembers.upsertSQL(tMembers.placeholders())
	for _, r := range members {
		b.Queue(sql, r...)
	}
	if b.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("dwh: write rows: %w", err)
	}
	return nil
}

// copyRows writes a large batch: COPY into temporary tables dropped at
// commit, then one merge per table.
func copyRows(ctx context.Context, tx pgx.Tx, rs *rowset) error {
	kks, members := rs.memberRows()
	steps := []struct {
		t    table
		rows [][]any
	}{{tResidents, rs.residents.list()}, {tFamilies, rs.families.list()}, {tCards, rs.cards.list()},
		{tStates, rs.states.list()}, {tPending, rs.pending.list()}, {tMembers, members}}
	if len(rs.done) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM pending WHERE request = ANY($1)`, rs.done); err != nil {
			return fmt.Errorf("dwh: close pending: %w", err)
		}
	}
	if len(kks) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM family_members WHERE kk = ANY($1)`, kks); err != nil {
			return fmt.Errorf("dwh: replace members: %w", err)
		}
	}
	for _, st := range steps {
		if len(st.rows) == 0 {
			continue
		}
		stage := "stage_" + st.t.name
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+stage+` (LIKE `+st.t.name+`) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("dwh: stage %s: %w", st.t.name, err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{stage}, st.t.cols, pgx.CopyFromRows(st.rows)); err != nil {
			return fmt.Errorf("dwh: copy %s: %w", st.t.name, err)
		}
		if _, err := tx.Exec(ctx, st.t.upsertSQL(`SELECT `+colList(st.t)+` FROM `+stage)); err != nil {
			return fmt.Errorf("dwh: merge %s: %w", st.t.name, err)
		}
	}
	return nil
}

func colList(t table) string {
	out := ""
	for i, c := range t.cols {
		if i > 0 {
			out += ", "
		}
		out += c
	}
	return out
}
