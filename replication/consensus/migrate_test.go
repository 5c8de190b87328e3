package consensus

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/sinkron-id/sinkron/replication/wal"
)

// A group whose nodes all restart on badger stores (Dir/log, as the
// version before the WAL left them) comes back on WALs with its log,
// terms and votes: the same leader-elected, committed state.
func TestClusterMigratesBadgerLog(t *testing.T) {
	tunes := []tune{fast, func(c *Config) { c.EncryptionKey = testKey }}
	nodes := newGroup(t, 3, tunes...)
	leader := waitLeader(t, nodes...)
	propose(t, leader, 0, 20)
	term := leader.c.Raft().CurrentTerm()
	for _, n := range nodes {
		eventually(t, 5*time.Second, func() bool { return n.fsm.len() == 20 })
	}
	for _, n := range nodes {
		n.stop(t)
		walToBadger(t, n.dir, testKey)
	}
	for _, n := range nodes {
		n.start(t, tunes...)
	}
	for i := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			connect(t, nodes[i], nodes[j])
		}
	}
	leader = waitLeader(t, nodes...)
	if got := leader.c.Raft().CurrentTerm(); got <= term {
		t.Fatalf("term %d after migrating, was %d", got, term)
	}
	propose(t, leader, 20, 25)
	for _, n := range nodes {
		eventually(t, 10*time.Second, func() bool { return n.fsm.len() == 25 })
		if _, err := os.Stat(filepath.Join(n.dir, "log")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("badger store left: %v", err)
		}
	}
}

// walToBadger turns a stopped node's Dir/wal back into a badger Dir/log.
func walToBadger(tb testing.TB, dir string, key []byte) {
	tb.Helper()
	w, err := wal.Open(filepath.Join(dir, "wal"), key, wal.Options{})
	must(tb, err)
	s, err := wal.OpenLogStore(filepath.Join(dir, "log"), key)
	must(tb, err)
	first, _ := w.FirstIndex()
	last, _ := w.LastIndex()
	for i := first; i <= last && i > 0; i++ {
		l := new(raft.Log)
		must(tb, w.GetLog(i, l))
		must(tb, s.StoreLog(l))
	}
	for _, k := range []string{"CurrentTerm", "LastVoteTerm", "LastVoteCand"} { // raft's stable keys
		if v, err := w.Get([]byte(k)); err == nil {
			must(tb, s.Set([]byte(k), v))
		}
	}
	must(tb, s.Close())
	must(tb, w.Close())
	must(tb, os.RemoveAll(filepath.Join(dir, "wal")))
}

// A node caught up by an installed snapshot goes on appending after it:
// raft empties the WAL (IsMonotonic) and it starts again at the
// snapshot's index + 1, where without that it would keep its old entries
// and refuse the new ones for the gap.
func TestWALAppendsAfterInstalledSnapshot(t *testing.T) {
	nodes, lag := catchUpBySnapshot(t, func(c *Config) { c.EncryptionKey = testKey })
	leader := waitLeader(t, nodes...)
	propose(t, leader, 300, 310)
	eventually(t, 10*time.Second, func() bool { _, ok := lag.fsm.get("k309"); return ok })
	first, _ := lag.c.log.FirstIndex()
	if snap := lag.c.Raft().Stats()["last_snapshot_index"]; first <= 8 {
		t.Fatalf("the lagging node's log starts at %d, below the snapshot at %s", first, snap)
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
