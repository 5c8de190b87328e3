package wal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
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
			w := openTestWAL(tb, walDir+".migrating", testKey, DefaultSegmentSize)
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
			must(t, Migrate(oldDir, walDir, tc.key))
			for _, gone := range []string{oldDir, walDir + ".migrating"} {
				if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("%s after migrating: %v", gone, err)
				}
			}
			checkMigrated(t, walDir, tc.key, m)
			// A crash after the rename left the old store: it goes, the WAL stays.
			must(t, os.MkdirAll(oldDir, 0o700))
			must(t, Migrate(oldDir, walDir, tc.key))
			if _, err := os.Stat(oldDir); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("old store left beside the WAL: %v", err)
			}
			checkMigrated(t, walDir, tc.key, m)
		})
	}
}

func checkMigrated(tb testing.TB, walDir string, key []byte, m *walModel) {
	tb.Helper()
	w := openTestWAL(tb, walDir, key, DefaultSegmentSize)
	defer w.Close()
	m.check(tb, w)
	for k, want := range map[string]string{"CurrentTerm": "\x00\x00\x00\x00\x00\x00\x00\x07",
		"LastVoteTerm": "\x00\x00\x00\x00\x00\x00\x00\x07", "LastVoteCand": "12D3KooW-candidate"} {
		if v, err := w.Get([]byte(k)); err != nil || string(v) != want {
			tb.Fatalf("stable %s = %q, %v", k, v, err)
		}
	}
}
