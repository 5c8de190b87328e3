package consensus

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// badgerStore fills a badger LogStore at dir as an older version left it:
// a compacted prefix, and raft's stable keys.
func badgerStore(tb testing.TB, dir string, key []byte) *walModel {
	tb.Helper()
	s, err := OpenLogStore(dir, key)
	must(tb, err)
	m := newWALModel()
	for i := uint64(1); i <= 3000; i += 100 {
		must(tb, s.StoreLogs(walEntries(i, i+99, 2)))
		for j := i; j <= i+99; j++ {
			m.term[j] = 2
		}
	}
	m.first, m.last = 1, 3000
	must(tb, s.DeleteRange(1, 1000))
	m.deleteRange(1, 1000)
	must(tb, s.SetUint64([]byte("CurrentTerm"), 7))
	must(tb, s.SetUint64([]byte("LastVoteTerm"), 7))
	must(tb, s.Set([]byte("LastVoteCand"), []byte("12D3KooW-candidate")))
	must(tb, s.Close())
	return m
}

// The badger store's entries and stable keys move into the WAL, which is
// built aside and renamed into place before the old store goes; a crash's
// leftovers (an unfinished copy, an old store beside a finished WAL) are
// cleared on the next start.
func TestMigrateLogStore(t *testing.T) {
	for _, tc := range []struct {
		name  string
		key   []byte
		setup func(tb testing.TB, oldDir, walDir string)
	}{
		{"clear", nil, nil},
		{"sealed", testKey, nil},
		{"unfinished-copy", testKey, func(tb testing.TB, _, walDir string) {
			w := openTestWAL(tb, walDir+".migrating", testKey, walSegmentSize)
			must(tb, w.StoreLogs(walEntries(1, 5, 1)))
			must(tb, w.Close())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			oldDir, walDir := filepath.Join(dir, "log"), filepath.Join(dir, "wal")
			m := badgerStore(t, oldDir, tc.key)
			if tc.setup != nil {
				tc.setup(t, oldDir, walDir)
			}
			must(t, migrateLogStore(oldDir, walDir, tc.key))
			for _, gone := range []string{oldDir, walDir + ".migrating"} {
				if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("%s after migrating: %v", gone, err)
				}
			}
			checkMigrated(t, walDir, tc.key, m)
			// A crash after the rename left the old store: it goes, the WAL stays.
			must(t, os.MkdirAll(oldDir, 0o700))
			must(t, migrateLogStore(oldDir, walDir, tc.key))
			if _, err := os.Stat(oldDir); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("old store left beside the WAL: %v", err)
			}
			checkMigrated(t, walDir, tc.key, m)
		})
	}
}

func checkMigrated(tb testing.TB, walDir string, key []byte, m *walModel) {
	tb.Helper()
	w := openTestWAL(tb, walDir, key, walSegmentSize)
	defer w.Close()
	m.check(tb, w)
	for k, want := range map[string]string{"CurrentTerm": "\x00\x00\x00\x00\x00\x00\x00\x07",
		"LastVoteTerm": "\x00\x00\x00\x00\x00\x00\x00\x07", "LastVoteCand": "12D3KooW-candidate"} {
		if v, err := w.Get([]byte(k)); err != nil || string(v) != want {
			tb.Fatalf("stable %s = %q, %v", k, v, err)
		}
	}
}

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
	w := openTestWAL(tb, filepath.Join(dir, "wal"), key, walSegmentSize)
	s, err := OpenLogStore(filepath.Join(dir, "log"), key)
	must(tb, err)
	first, _ := w.FirstIndex()
	last, _ := w.LastIndex()
	for i := first; i <= last && i > 0; i++ {
		l := new(raft.Log)
		must(tb, w.GetLog(i, l))
		must(tb, s.StoreLog(l))
	}
	for _, k := range stableKeys {
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
