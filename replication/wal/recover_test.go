package wal

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/raft"
)

func TestWALTornTail(t *testing.T) {
	for _, tc := range []struct {
		name string
		last uint64 // the last whole record
		tear func(tb testing.TB, f *os.File, recs []int64, end int64)
	}{
		{"truncated-mid-record", 4, func(tb testing.TB, f *os.File, recs []int64, _ int64) {
			must(tb, f.Truncate(recs[4]+11))
		}},
		{"garbage-after-last", 7, func(tb testing.TB, f *os.File, _ []int64, end int64) {
			writeAt(tb, f, end, []byte("\x00\x00\x01\x00garbage that is no record"))
		}},
		{"payload-not-written", 4, func(tb testing.TB, f *os.File, recs []int64, end int64) {
			writeAt(tb, f, recs[4]+walRecHeader+2, make([]byte, end-recs[4]-walRecHeader-4))
		}},
		{"header-not-written", 4, func(tb testing.TB, f *os.File, recs []int64, _ int64) {
			writeAt(tb, f, recs[4], make([]byte, walRecHeader))
		}},
		{"first-of-last-batch", 4, func(tb testing.TB, f *os.File, recs []int64, _ int64) {
			flipByte(tb, f, recs[4]+walRecHeader+12) // records 6 and 7 of its batch still read
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w := openTestWAL(t, dir, testKey, DefaultSegmentSize)
			m := newWALModel()
			for i := uint64(1); i <= 4; i++ {
				m.store(t, w, i, i, 1)
			}
			m.store(t, w, 5, 7, 1)
			recs, end := offsets(w.segs[0]), w.segs[0].end
			must(t, w.Close())
			f, err := os.OpenFile(segPath(dir, 1), os.O_RDWR, 0)
			must(t, err)
			tc.tear(t, f, recs, end)
			must(t, f.Close())
			if tc.last < 7 {
				m.deleteRange(tc.last+1, 7)
			}
			w = openTestWAL(t, dir, testKey, DefaultSegmentSize)
			defer func() { w.Close() }()
			m.check(t, w)
			m.store(t, w, tc.last+1, tc.last+1, 2)
			w = reopen(t, w, testKey)
			m.check(t, w)
		})
	}
}

func TestWALCorruptionFailsOpen(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(tb testing.TB, dir string, w *Log)
	}{
		{"record-in-the-middle", func(tb testing.TB, dir string, w *Log) {
			seg := w.segs[len(w.segs)-1]
			if seg.last() < seg.base+2 {
				tb.Fatalf("the last segment holds %d-%d: no batch after its first", seg.base, seg.last())
			}
			flipInRecord(tb, dir, seg, seg.base+1)
		}},
		{"record-in-an-earlier-segment", func(tb testing.TB, dir string, w *Log) {
			flipInRecord(tb, dir, w.segs[1], w.segs[1].last())
		}},
		{"record-below-first-in-a-kept-segment", func(tb testing.TB, dir string, w *Log) {
			must(tb, w.DeleteRange(1, w.segs[0].base+1))
			flipInRecord(tb, dir, w.segs[0], w.segs[0].base)
		}},
		{"segment-missing", func(tb testing.TB, dir string, w *Log) {
			must(tb, os.Remove(segPath(dir, w.segs[1].base)))
		}},
		{"first-file-missing", func(tb testing.TB, dir string, _ *Log) {
			must(tb, os.Remove(filepath.Join(dir, walFirstFile)))
		}},
		{"meta-file", func(tb testing.TB, dir string, _ *Log) {
			f, err := os.OpenFile(filepath.Join(dir, walMetaFile), os.O_RDWR, 0)
			must(tb, err)
			flipByte(tb, f, 3)
			must(tb, f.Close())
		}},
		{"stable-file", func(tb testing.TB, dir string, w *Log) {
			must(tb, w.SetUint64([]byte("CurrentTerm"), 3))
			f, err := os.OpenFile(filepath.Join(dir, walStableFile), os.O_RDWR, 0)
			must(tb, err)
			flipByte(tb, f, 20)
			must(tb, f.Close())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w := openTestWAL(t, dir, testKey, 2048)
			for i := uint64(1); i <= 100; i += 2 {
				must(t, w.StoreLogs(walEntries(i, i+1, 1)))
			}
			tc.damage(t, dir, w)
			must(t, w.Close())
			w, err := Open(dir, testKey, Options{SegmentSize: 2048})
			if err == nil {
				w.Close()
				t.Fatal("opened a damaged log")
			}
			t.Log(err)
		})
	}
}

func FuzzWALOpen(f *testing.F) {
	tmpl := map[bool][2][]byte{} // sealed → meta and first files
	for _, sealed := range []bool{false, true} {
		dir := f.TempDir()
		w := openTestWAL(f, dir, fuzzKey(sealed), DefaultSegmentSize)
		must(f, w.StoreLogs(walEntries(1, 1, 1)))
		must(f, w.StoreLogs(walEntries(2, 3, 1)))
		seg := make([]byte, w.segs[0].end)
		_, err := w.segs[0].f.ReadAt(seg, 0)
		must(f, err)
		must(f, w.Close())
		meta, err := os.ReadFile(filepath.Join(dir, walMetaFile))
		must(f, err)
		first, err := os.ReadFile(filepath.Join(dir, walFirstFile))
		must(f, err)
		tmpl[sealed] = [2][]byte{meta, first}
		f.Add(seg, sealed)
		f.Add(seg[:len(seg)-5], sealed)
		f.Add(append(seg, 0, 0, 0, 9, 1, 2), sealed)
	}
	f.Add([]byte{}, false)
	f.Add(make([]byte, 64), false)
	f.Fuzz(func(t *testing.T, data []byte, sealed bool) {
		dir := t.TempDir()
		must(t, os.WriteFile(filepath.Join(dir, walMetaFile), tmpl[sealed][0], 0o600))
		must(t, os.WriteFile(filepath.Join(dir, walFirstFile), tmpl[sealed][1], 0o600))
		must(t, os.WriteFile(segPath(dir, 1), data, 0o600))
		w, err := Open(dir, fuzzKey(sealed), Options{SegmentSize: 4096})
		if err != nil {
			return
		}
		defer w.Close()
		first, _ := w.FirstIndex()
		last, _ := w.LastIndex()
		if first != 1 || last < first {
			t.Fatalf("opened as %d-%d", first, last)
		}
		for i := first; i <= last; i++ {
			var l raft.Log
			_ = w.GetLog(i, &l) // a record may pass its CRC and still not decode
		}
		must(t, w.StoreLogs(walEntries(last+1, last+1, 1)))
	})
}

func fuzzKey(sealed bool) []byte {
	if sealed {
		return testKey
	}
	return nil
}

func writeAt(tb testing.TB, f *os.File, off int64, b []byte) {
	tb.Helper()
	if _, err := f.WriteAt(b, off); err != nil {
		tb.Fatal(err)
	}
}

func flipByte(tb testing.TB, f *os.File, off int64) {
	tb.Helper()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		tb.Fatal(err)
	}
	writeAt(tb, f, off, []byte{b[0] ^ 0x20})
}

func flipInRecord(tb testing.TB, dir string, seg *segment, i uint64) {
	tb.Helper()
	off, end := seg.extent(i)
	f, err := os.OpenFile(segPath(dir, seg.base), os.O_RDWR, 0)
	must(tb, err)
	defer f.Close()
	flipByte(tb, f, (off+walRecHeader+8+end)/2)
}
