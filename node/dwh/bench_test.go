package dwh

import (
	"context"
	"testing"
	"time"
)

// BenchmarkCatchUp feeds an empty warehouse a regency's backlog (residents,
// families with members, cards, states) in catch-up batches through COPY,
// and reports rows written per second.
//
//	go test ./node/dwh -run - -bench CatchUp -benchtime 3x
func BenchmarkCatchUp(b *testing.B) {
	_, pool := warehouse(b)
	if _, err := pool.Exec(context.Background(), `DROP TABLE writes CASCADE; DROP FUNCTION note_write CASCADE`); err != nil {
		b.Fatal(err) // the test ledger's triggers are not the product's cost
	}
	w := newWorld(10, 10000) // 100k residents
	rows := len(w.want())
	ctx := context.Background()
	b.ResetTimer()
	var elapsed time.Duration
	for range b.N {
		b.StopTimer()
		if _, err := pool.Exec(ctx, `TRUNCATE residents, families, family_members, cards, nik_state, pending, checkpoint`); err != nil {
			b.Fatal(err)
		}
		sink := NewSink(pool, "bench", 0)
		b.StartTimer()
		start := time.Now()
		cp := Checkpoint{}
		for {
			changes, _ := w.After(ctx, cp, 20000)
			if len(changes) == 0 {
				break
			}
			if _, err := sink.Apply(ctx, 1, changes); err != nil {
				b.Fatal(err)
			}
			for _, c := range changes {
				cp[c.Pos.Stream] = max(cp[c.Pos.Stream], c.Pos.Seq)
			}
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(rows), "rows")
}
