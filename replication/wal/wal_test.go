package wal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"pgregory.net/rapid"

	"github.com/sinkron-id/sinkron/replication/internal/testdisk"
)

// testKey is an at-rest key, 32 bytes.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// nikMarker is an entry's data that must not reach the disk in clear.
const nikMarker = "NIK-1806015708900003-SITI-AMINAH"

// walModel is what a WAL should hold: the term each index was stored with
// (an entry's data names both, so a stale entry shows).
type walModel struct {
	first, last uint64
	term        map[uint64]uint64
}

// walTB is what the helpers need of a test, a benchmark or a rapid.T.
type walTB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func newWALModel() *walModel { return &walModel{term: map[uint64]uint64{}} }

func walEntry(i, term uint64) *raft.Log {
	return &raft.Log{Index: i, Term: term, Type: raft.LogCommand,
		Data: fmt.Appendf(nil, "entry-%d-term-%d", i, term), AppendedAt: time.Unix(1700000000, int64(i))}
}

func walEntries(from, to, term uint64) []*raft.Log {
	var logs []*raft.Log
	for i := from; i <= to; i++ {
		logs = append(logs, walEntry(i, term))
	}
	return logs
}

// store stores from..to on w and the model.
func (m *walModel) store(tb walTB, w *Log, from, to, term uint64) {
	tb.Helper()
	if err := w.StoreLogs(walEntries(from, to, term)); err != nil {
		tb.Fatalf("store %d-%d: %v", from, to, err)
	}
	if m.first == 0 {
		m.first = from
	}
	for i := from; i <= to; i++ {
		m.term[i] = term
	}
	m.last = to
}

// deleteRange applies raft's three forms to the model.
func (m *walModel) deleteRange(min, max uint64) {
	for i := min; i <= max; i++ {
		delete(m.term, i)
	}
	switch {
	case min <= m.first && max >= m.last:
		m.first, m.last = 0, 0
	case min <= m.first:
		m.first = max + 1
	default:
		m.last = min - 1
	}
}

// check compares every index from before first to after last.
func (m *walModel) check(tb walTB, w *Log) {
	tb.Helper()
	first, _ := w.FirstIndex()
	last, _ := w.LastIndex()
	if first != m.first || last != m.last {
		tb.Fatalf("log is %d-%d, want %d-%d", first, last, m.first, m.last)
	}
	lo := max(m.first, 2) - 1
	for i := lo; i <= m.last+1; i++ {
		var l raft.Log
		err := w.GetLog(i, &l)
		term, ok := m.term[i]
		if !ok || i < m.first || i > m.last {
			if !errors.Is(err, raft.ErrLogNotFound) {
				tb.Fatalf("log %d: %v, want not found", i, err)
			}
			continue
		}
		want := walEntry(i, term)
		if err != nil || l.Index != i || l.Term != term || !bytes.Equal(l.Data, want.Data) ||
			!l.AppendedAt.Equal(want.AppendedAt) || l.Type != raft.LogCommand {
			tb.Fatalf("log %d: %+v, %v; want term %d", i, l, err, term)
		}
	}
}

func openTestWAL(tb walTB, dir string, key []byte, segSize int64) *Log {
	tb.Helper()
	w, err := Open(dir, key, Options{SegmentSize: segSize})
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

func reopen(tb walTB, w *Log, key []byte) *Log {
	tb.Helper()
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return openTestWAL(tb, w.dir, key, w.segSize)
}

func segPath(dir string, base uint64) string { return filepath.Join(dir, segmentName(base)) }

func segFiles(tb testing.TB, dir string) []uint64 {
	tb.Helper()
	bases, err := listSegments(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return bases
}

func TestWALStoreGetReopen(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  []byte
	}{{"clear", nil}, {"sealed", testKey}, {"sealed-16", testKey[:16]}} {
		t.Run(tc.name, func(t *testing.T) {
			w := openTestWAL(t, t.TempDir(), tc.key, DefaultSegmentSize)
			m := newWALModel()
			m.check(t, w)
			m.store(t, w, 1, 1, 1)
			m.store(t, w, 2, 50, 1)
			m.store(t, w, 51, 51, 2)
			m.check(t, w)
			w = reopen(t, w, tc.key)
			defer w.Close()
			m.check(t, w)
			m.store(t, w, 52, 60, 3)
			m.check(t, w)
		})
	}
}

// Each of raft's three DeleteRange forms, then a reopen and an append
// where raft would make it.
func TestWALDeleteRange(t *testing.T) {
	for _, tc := range []struct {
		name     string
		segSize  int64
		min, max uint64
		next     uint64 // where the next StoreLogs goes
	}{
		{"prefix", DefaultSegmentSize, 1, 120, 301},
		{"prefix-whole-segments", 2048, 1, 250, 301},
		{"prefix-to-a-segment-base", 2048, 1, 0, 301}, // max set below to a segment's last
		{"tail", DefaultSegmentSize, 201, 300, 201},
		{"tail-across-segments", 2048, 101, 300, 101},
		{"tail-at-a-segment-base", 2048, 0, 300, 0}, // min set below to a segment's base
		{"tail-beyond-last", DefaultSegmentSize, 290, 1000, 290},
		{"all", DefaultSegmentSize, 1, 300, 5000},
		{"all-segments", 2048, 1, 300, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w := openTestWAL(t, dir, nil, tc.segSize)
			m := newWALModel()
			for i := uint64(1); i <= 300; i += 10 {
				m.store(t, w, i, i+9, 1)
			}
			if tc.max == 0 {
				tc.max = w.segs[1].base - 1
			}
			if tc.min == 0 {
				tc.min, tc.next = w.segs[2].base, w.segs[2].base
			}
			if err := w.DeleteRange(tc.min, tc.max); err != nil {
				t.Fatal(err)
			}
			m.deleteRange(tc.min, tc.max)
			m.check(t, w)
			w = reopen(t, w, nil)
			defer func() { w.Close() }()
			m.check(t, w)
			m.store(t, w, tc.next, tc.next+4, 2)
			m.check(t, w)
			w = reopen(t, w, nil)
			m.check(t, w)
			if bases := segFiles(t, dir); bases[0] > m.first || len(bases) != len(w.segs) {
				t.Fatalf("segment files %v for a log from %d (%d segments)", bases, m.first, len(w.segs))
			}
		})
	}
}

// A compacted prefix leaves the log at once; its whole segments leave the
// disk once the remover is done, which Close waits for.
func TestWALCompactionRemovesSegments(t *testing.T) {
	dir := t.TempDir()
	w := openTestWAL(t, dir, nil, 2048)
	m := newWALModel()
	for i := uint64(1); i <= 100; i += 5 {
		m.store(t, w, i, i+4, 1)
	}
	before := len(segFiles(t, dir))
	if err := w.DeleteRange(1, 90); err != nil {
		t.Fatal(err)
	}
	m.deleteRange(1, 90)
	m.check(t, w)
	w = reopen(t, w, nil)
	defer w.Close()
	after := segFiles(t, dir)
	if len(after) >= before || after[0] > 91 || len(after) > 1 && after[1] <= 91 {
		t.Fatalf("segments %d → %v after compacting to 90", before, after)
	}
	m.check(t, w)
}

func TestWALEmptyLogStartsAnywhere(t *testing.T) {
	w := openTestWAL(t, t.TempDir(), nil, DefaultSegmentSize)
	m := newWALModel()
	m.store(t, w, 1000, 1009, 4)
	m.check(t, w)
	w = reopen(t, w, nil)
	defer w.Close()
	m.check(t, w)
	if err := w.StoreLogs(walEntries(0, 0, 1)); err == nil {
		t.Fatal("stored an entry at index 0")
	}
}

func TestWALRefusesGaps(t *testing.T) {
	w := openTestWAL(t, t.TempDir(), nil, DefaultSegmentSize)
	defer w.Close()
	if err := w.StoreLogs([]*raft.Log{walEntry(0, 1)}); err == nil {
		t.Fatal("an empty log took index 0")
	}
	m := newWALModel()
	m.store(t, w, 1, 5, 1)
	for name, logs := range map[string][]*raft.Log{
		"gap":          walEntries(7, 8, 1),
		"overlap":      walEntries(5, 6, 1),
		"gap-in-batch": {walEntry(6, 1), walEntry(8, 1)},
	} {
		if err := w.StoreLogs(logs); err == nil {
			t.Errorf("%s: stored", name)
		}
	}
	if err := w.DeleteRange(2, 3); err == nil {
		t.Error("deleted from the middle of the log")
	}
	m.check(t, w)
	m.store(t, w, 6, 6, 1) // the refusals left the log writable
}

// A write torn by a crash (its StoreLogs never returned) ends the log before
// it, and what is written next takes its place for good.
// Damage anywhere but the last write is an error: dropping the log after
// it would lose entries raft was told were stored.
// With a key neither an entry nor a stable value reaches the disk in
// clear, and the log opens only with that key; without one the same scan
// finds them, so it would see a leak.
func TestWALEncryption(t *testing.T) {
	marker := []byte(nikMarker)
	for _, tc := range []struct {
		name   string
		key    []byte
		others [][]byte // keys it must not open with
	}{
		{"clear", nil, [][]byte{testKey}},
		{"sealed", testKey, [][]byte{nil, bytes.Repeat([]byte{7}, 32), testKey[:16]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w := openTestWAL(t, dir, tc.key, 1<<20)
			l := walEntry(1, 1)
			l.Data = marker
			must(t, w.StoreLogs([]*raft.Log{l, {Index: 2, Term: 1, Data: bytes.Repeat(marker, 1000)}}))
			must(t, w.Set([]byte("LastVoteCand"), marker))
			must(t, w.Close())
			if found := testdisk.FilesContaining(t, dir, marker); (len(found) > 0) != (tc.key == nil) {
				t.Fatalf("marker in %v", found)
			}
			for _, k := range tc.others {
				if w, err := Open(dir, k, Options{}); !errors.Is(err, ErrKey) {
					if err == nil {
						w.Close()
					}
					t.Fatalf("opened with key %x: %v", k, err)
				}
			}
			w = openTestWAL(t, dir, tc.key, 1<<20)
			defer w.Close()
			var got raft.Log
			if err := w.GetLog(1, &got); err != nil || !bytes.Equal(got.Data, marker) {
				t.Fatalf("log 1: %q, %v", got.Data, err)
			}
			if v, err := w.Get([]byte("LastVoteCand")); err != nil || !bytes.Equal(v, marker) {
				t.Fatalf("stable: %q, %v", v, err)
			}
		})
	}
}

// A sealed record moved to another index does not open.
func TestWALSealedRecordBoundToIndex(t *testing.T) {
	dir := t.TempDir()
	w := openTestWAL(t, dir, testKey, DefaultSegmentSize)
	defer w.Close()
	must(t, w.StoreLogs(walEntries(1, 2, 1)))
	// Record 2's sealed body under index 1, with a CRC to match, over
	// record 1 (the same length: both entries' data are the same size).
	seg := w.segs[0]
	rec := make([]byte, seg.end-int64(seg.offs[1]))
	_, err := seg.f.ReadAt(rec, int64(seg.offs[1]))
	must(t, err)
	moved := appendRecord(nil, 1, true, func(b []byte) []byte { return append(b, rec[walRecHeader+8:]...) })
	if len(moved) != int(seg.offs[1]) {
		t.Fatalf("moved record is %d bytes, record 1 %d", len(moved), seg.offs[1])
	}
	writeAt(t, seg.f, 0, moved)
	var l raft.Log
	if err := w.GetLog(1, &l); err == nil || errors.Is(err, raft.ErrLogNotFound) {
		t.Fatalf("record 2 read as 1: %v", err)
	}
}

func TestWALStable(t *testing.T) {
	for _, key := range [][]byte{nil, testKey} {
		dir := t.TempDir()
		w := openTestWAL(t, dir, key, DefaultSegmentSize)
		if _, err := w.Get([]byte("CurrentTerm")); err == nil || err.Error() != "not found" {
			t.Fatalf("missing key: %v, want the text raft compares against", err)
		}
		if _, err := w.GetUint64([]byte("CurrentTerm")); err == nil || err.Error() != "not found" {
			t.Fatalf("missing uint64 key: %v", err)
		}
		must(t, w.SetUint64([]byte("CurrentTerm"), 9))
		must(t, w.Set([]byte("LastVoteCand"), []byte("peer")))
		must(t, w.Set([]byte("empty"), nil))
		w = reopen(t, w, key)
		if v, err := w.GetUint64([]byte("CurrentTerm")); err != nil || v != 9 {
			t.Fatalf("CurrentTerm: %d, %v", v, err)
		}
		if v, err := w.Get([]byte("LastVoteCand")); err != nil || string(v) != "peer" {
			t.Fatalf("LastVoteCand: %q, %v", v, err)
		}
		if v, err := w.Get([]byte("empty")); err != nil || len(v) != 0 {
			t.Fatalf("empty: %q, %v", v, err)
		}
		must(t, w.Close())
	}
}

// Small segments: the log spans many files, named by their first index,
// and reads back across them after a reopen.
func TestWALSegmentRotation(t *testing.T) {
	dir := t.TempDir()
	w := openTestWAL(t, dir, testKey, 4096)
	m := newWALModel()
	for i := uint64(1); i <= 500; i += 7 {
		m.store(t, w, i, i+6, 1)
	}
	m.store(t, w, m.last+1, m.last+100, 1) // a batch larger than a segment gets one to itself
	bases := segFiles(t, dir)
	if len(bases) < 10 || bases[0] != 1 {
		t.Fatalf("segments %v", bases)
	}
	for i, s := range w.segs {
		if s.base != bases[i] || (i > 0 && w.segs[i-1].last()+1 != s.base) {
			t.Fatalf("segment %d has base %d, files %v", i, s.base, bases)
		}
	}
	m.check(t, w)
	w = reopen(t, w, testKey)
	defer w.Close()
	m.check(t, w)
}

// GetLog runs beside StoreLogs and DeleteRange (raft's replication
// goroutines); under -race this checks the locking. A read finds its
// entry or not-found, never a torn or wrong one.
func TestWALConcurrentReads(t *testing.T) {
	w := openTestWAL(t, t.TempDir(), testKey, 8192)
	defer w.Close()
	var stop atomic.Bool
	var wg sync.WaitGroup
	var readErr atomic.Pointer[error]
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				first, _ := w.FirstIndex()
				last, _ := w.LastIndex()
				for i := first; i <= last && i > 0; i += 3 {
					var l raft.Log
					err := w.GetLog(i, &l)
					if err == nil && (l.Index != i || !bytes.HasPrefix(l.Data, fmt.Appendf(nil, "entry-%d-", i))) {
						err = fmt.Errorf("log %d read as %+v", i, l)
					}
					if err != nil && !errors.Is(err, raft.ErrLogNotFound) {
						readErr.CompareAndSwap(nil, &err)
					}
				}
			}
		})
	}
	next := uint64(1)
	for round := range 60 {
		must(t, w.StoreLogs(walEntries(next, next+19, uint64(round+1))))
		next += 20
		switch round % 10 {
		case 4:
			must(t, w.DeleteRange(next-5, next-1)) // tail
			next -= 5
		case 9:
			first, _ := w.FirstIndex()
			must(t, w.DeleteRange(first, next-30)) // prefix
		}
	}
	stop.Store(true)
	wg.Wait()
	if err := readErr.Load(); err != nil {
		t.Fatal(*err)
	}
}

// A random run of appends, refused appends, the three deletions and
// reopens leaves the WAL as the model says, on small segments.
func TestWALMatchesModel(t *testing.T) {
	root := t.TempDir()
	rapid.Check(t, func(rt *rapid.T) {
		dir, err := os.MkdirTemp(root, "wal")
		must(rt, err)
		defer os.RemoveAll(dir)
		w := openTestWAL(rt, dir, nil, rapid.SampledFrom([]int64{1024, 4096, DefaultSegmentSize}).Draw(rt, "segSize"))
		defer func() { w.Close() }()
		m := newWALModel()
		term := uint64(1)
		rt.Repeat(map[string]func(*rapid.T){
			"store": func(rt *rapid.T) {
				from := m.last + 1
				if m.last == 0 {
					from = rapid.Uint64Range(1, 1e6).Draw(rt, "start")
				}
				m.store(rt, w, from, from+rapid.Uint64Range(0, 40).Draw(rt, "n"), term)
			},
			"store-gap": func(rt *rapid.T) {
				if m.last == 0 {
					rt.Skip("an empty log takes any index")
				}
				i := rapid.Uint64Range(max(m.first, 2)-1, m.last+5).Filter(func(i uint64) bool { return i != m.last+1 }).Draw(rt, "at")
				if err := w.StoreLogs(walEntries(i, i, term)); err == nil {
					rt.Fatalf("stored %d after %d", i, m.last)
				}
			},
			"compact": func(rt *rapid.T) {
				if m.last <= m.first {
					rt.Skip("no prefix to drop")
				}
				max := rapid.Uint64Range(m.first, m.last-1).Draw(rt, "max")
				must(rt, w.DeleteRange(m.first, max))
				m.deleteRange(m.first, max)
			},
			"truncate": func(rt *rapid.T) {
				if m.last <= m.first {
					rt.Skip("no tail to drop")
				}
				min := rapid.Uint64Range(m.first+1, m.last).Draw(rt, "min")
				must(rt, w.DeleteRange(min, m.last+rapid.Uint64Range(0, 3).Draw(rt, "past")))
				m.deleteRange(min, m.last)
				term++
			},
			"delete-all": func(rt *rapid.T) {
				if m.last == 0 {
					rt.Skip("empty")
				}
				must(rt, w.DeleteRange(m.first, m.last))
				m.deleteRange(m.first, m.last)
			},
			"reopen": func(rt *rapid.T) { w = reopen(rt, w, nil) },
			"":       func(rt *rapid.T) { m.check(rt, w) },
		})
	})
}

// FuzzWALOpen writes arbitrary bytes as the segment of a log whose first
// index is 1 and opens it: it must not panic, and a log it opens must read
// and append.
func offsets(s *segment) []int64 {
	out := make([]int64, len(s.offs))
	for i, o := range s.offs {
		out[i] = int64(o)
	}
	return out
}

func must(tb walTB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// flipInRecord flips a byte in the middle of record i's payload.
