package wal

import (
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/sinkron-id/sinkron/replication/internal/testdisk"
)

// wantDurable checks the log's durable mark.
func wantDurable(t *testing.T, w *Log, want uint64, when string) {
	t.Helper()
	if d := w.Durable(); d != want {
		t.Fatalf("%s: durable %d, want %d", when, d, want)
	}
}

// leadingWAL is a WAL whose node leads, with its syncer held by g.
func leadingWAL(t *testing.T, g *testdisk.Gate) *Log {
	t.Helper()
	w, err := Open(t.TempDir(), nil, Options{SegmentSize: 1 << 20, BeforeSync: g.Wait})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Open(); w.Close() })
	w.SetLeading(func() bool { return true })
	return w
}

func TestWALLeaderDefersSync(t *testing.T) {
	g := testdisk.NewGate()
	w := leadingWAL(t, g)
	must(t, w.StoreLogs(walEntries(1, 3, 1))) // an empty log's first entries: synced
	wantDurable(t, w, 3, "after the first entries")
	g.Shut()
	must(t, w.StoreLogs(walEntries(4, 6, 1)))
	wantDurable(t, w, 3, "with the sync held")
	var l raft.Log
	must(t, w.GetLog(6, &l)) // raft sends what it stored at once
	waited := make(chan error, 1)
	go func() { waited <- w.WaitDurable(6) }()
	select {
	case err := <-waited:
		t.Fatalf("WaitDurable(6) returned %v before the sync", err)
	case <-time.After(50 * time.Millisecond):
	}
	g.Open()
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	wantDurable(t, w, 6, "after the sync")
}

func TestWALSyncsWhatALeaderMustNotDefer(t *testing.T) {
	g := testdisk.NewGate()
	w := leadingWAL(t, g)
	must(t, w.StoreLogs(walEntries(1, 1, 1)))
	g.Shut()
	for i, typ := range []raft.LogType{raft.LogConfiguration, raft.LogNoop, raft.LogBarrier} {
		l := walEntry(uint64(i+2), 1)
		l.Type = typ
		must(t, w.StoreLogs([]*raft.Log{l}))
		wantDurable(t, w, l.Index, typ.String()+" entry")
	}
	w.SetLeading(func() bool { return false }) // a follower's entries
	must(t, w.StoreLogs(walEntries(5, 6, 1)))
	wantDurable(t, w, 6, "a follower's entries")
}

// A leader that stepped down has its unsynced tail cut by the new leader:
// the cut syncs first, so the mark is exact, and the held round counts for
// nothing when it finishes.
func TestWALCutOfAnUnsyncedTail(t *testing.T) {
	g := testdisk.NewGate()
	w := leadingWAL(t, g)
	must(t, w.StoreLogs(walEntries(1, 2, 1)))
	g.Shut()
	must(t, w.StoreLogs(walEntries(3, 10, 1)))
	time.Sleep(20 * time.Millisecond) // the syncer takes the round and waits
	w.SetLeading(func() bool { return false })
	must(t, w.DeleteRange(6, 10))
	wantDurable(t, w, 5, "after cutting 6-10")
	g.Open()
	time.Sleep(20 * time.Millisecond)
	wantDurable(t, w, 5, "after the old round")
	must(t, w.StoreLogs(walEntries(6, 7, 2)))
	wantDurable(t, w, 7, "after storing 6-7")
	w = reopen(t, w, nil)
	defer w.Close()
	if last, _ := w.LastIndex(); last != 7 {
		t.Fatalf("reopened log ends at %d, want 7", last)
	}
	for i, term := range map[uint64]uint64{5: 1, 6: 2, 7: 2} {
		var l raft.Log
		if err := w.GetLog(i, &l); err != nil || l.Term != term {
			t.Fatalf("log %d after the reopen: term %d, %v; want %d", i, l.Term, err, term)
		}
	}
}

func TestWALCloseSyncsAndEndsWaits(t *testing.T) {
	g := testdisk.NewGate()
	dir := t.TempDir()
	w, err := Open(dir, nil, Options{SegmentSize: 1 << 20, BeforeSync: g.Wait})
	if err != nil {
		t.Fatal(err)
	}
	w.SetLeading(func() bool { return true })
	must(t, w.StoreLogs(walEntries(1, 1, 1)))
	g.Shut()
	must(t, w.StoreLogs(walEntries(2, 4, 1)))
	beyond := make(chan error, 1)
	go func() { beyond <- w.WaitDurable(9) }()
	time.Sleep(20 * time.Millisecond)
	g.Open()
	must(t, w.Close())
	wantDurable(t, w, 4, "after Close")
	if err := <-beyond; !errors.Is(err, ErrClosed) {
		t.Fatalf("WaitDurable past the log after Close: %v, want closed", err)
	}
	if err := w.WaitDurable(4); err != nil {
		t.Fatalf("WaitDurable(4) after Close: %v", err)
	}
	w = openTestWAL(t, dir, nil, 1<<20)
	defer w.Close()
	if last, _ := w.LastIndex(); last != 4 || w.Durable() != 4 {
		t.Fatalf("reopened: last %d durable %d, want 4 and 4", last, w.Durable())
	}
}

func TestWALDeferredSyncMatchesModel(t *testing.T) {
	// The model test's operations with the node leading: what is stored
	// reads back the same, and everything is durable after a reopen.
	g := testdisk.NewGate()
	w := leadingWAL(t, g)
	m := newWALModel()
	m.store(t, w, 1, 1, 1)
	for i := uint64(2); i < 200; i += 7 {
		m.store(t, w, i, i+6, 1)
		if i%3 == 0 {
			must(t, w.DeleteRange(i+4, i+6))
			m.deleteRange(i+4, i+6)
			m.store(t, w, i+4, i+6, 2)
		}
	}
	m.check(t, w)
	must(t, w.WaitDurable(m.last))
	w = reopen(t, w, nil)
	defer w.Close()
	m.check(t, w)
}
