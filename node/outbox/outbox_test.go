package outbox

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

type flakySender struct {
	mu    sync.Mutex
	fails int
	got   map[string]int
}

func (f *flakySender) Send(_ context.Context, n Notice) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return errors.New("gateway down")
	}
	f.got[n.ID]++
	return nil
}

func (f *flakySender) count(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got[id]
}

// Notices queued before a restart are delivered after it, once each, also
// when the gateway fails in between.
func TestPendingNoticesSurviveRestartAndFailures(t *testing.T) {
	dir := t.TempDir()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil).WithSyncWrites(true))
	if err != nil {
		t.Fatal(err)
	}
	first := New(db, &flakySender{fails: 1 << 30, got: map[string]int{}}, slog.New(slog.DiscardHandler))
	for _, id := range []string{"a/1", "a/2"} {
		if err := db.Update(func(txn *badger.Txn) error { return first.Enqueue(txn, Notice{ID: id, To: "0812", Text: "x"}) }); err != nil {
			t.Fatal(err)
		}
	}
	first.Committed(2)
	db.Close() // the node stops before anything was sent

	db, err = badger.Open(badger.DefaultOptions(dir).WithLogger(nil).WithSyncWrites(true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := &flakySender{fails: 2, got: map[string]int{}}
	ob := New(db, s, slog.New(slog.DiscardHandler), WithRetry(0, 5*time.Millisecond, 20*time.Millisecond))
	if ob.Depth() != 2 {
		t.Fatalf("depth after restart %d", ob.Depth())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ob.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for ob.Depth() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if s.count("a/1") != 1 || s.count("a/2") != 1 || ob.Depth() != 0 {
		t.Fatalf("delivered %v, depth %d", s.got, ob.Depth())
	}
}
