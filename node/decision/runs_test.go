package decision

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
)

// A state written before runs holds one 'd' entry per decision; after the
// upgrade its decisions still read, by number, in blocks and by key, next
// to the runs written since.
func TestDecisionsStoredBeforeRunsStillRead(t *testing.T) {
	f := openFSM(t)
	applyN(f, 1, 10)
	err := f.db.Update(func(txn *badger.Txn) error { // back to the old layout
		r := rules{txn}
		for n := uint64(1); n <= 10; n++ {
			b, ok, err := r.decision(n)
			if err != nil || !ok {
				t.Fatalf("decision %d: %v %v", n, ok, err)
			}
			if err := txn.Set(decisionKey(n), b); err != nil {
				return err
			}
		}
		return txn.Delete(runKey(0))
	})
	if err != nil {
		t.Fatal(err)
	}
	applyN(f, 11, 40)
	ds, err := f.Decisions(1, 40)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if d.Number != uint64(i+1) || d.Key == "" {
			t.Fatalf("decision %d read as %d (%q)", i+1, d.Number, d.Key)
		}
	}
	old, err := f.Query([]byte(QueryDecision + ":k3"))
	var d eventpb.Decision
	if err != nil || proto.Unmarshal(old, &d) != nil || d.Number != 3 {
		t.Fatalf("decision k3 by key: %v, number %d", err, d.Number)
	}
	if ds, err := f.Decisions(9, 18); err != nil || len(ds) != 10 || ds[0].Number != 9 || ds[9].Number != 18 {
		t.Fatalf("decisions 9-18 across the layouts: %d, %v", len(ds), err)
	}
}

func TestCorruptRunIsAnError(t *testing.T) {
	for _, run := range [][]byte{nil, {0}, {1, 5, 'a'}, {1, 0x80}} {
		if _, _, err := splitRun(run); err == nil {
			t.Errorf("run %x decoded", run)
		}
	}
	if raws, first, err := splitRun([]byte{17, 1, 'a', 0}); err != nil || first != 17 || len(raws) != 2 {
		t.Errorf("a run of two decisions from 17: %d %d %v", len(raws), first, err)
	}
}

// A run arrives in a snapshot from another server: whatever its bytes, it
// decodes or is refused, never panics, and what decodes encodes to bytes
// that decode the same.
func FuzzRun(f *testing.F) {
	f.Add([]byte{17, 1, 'a', 0})
	f.Add([]byte{1, 0x80})
	f.Fuzz(func(t *testing.T, run []byte) {
		raws, first, err := splitRun(run)
		if err != nil {
			return
		}
		again := binary.AppendUvarint(nil, first)
		for _, raw := range raws {
			again = append(binary.AppendUvarint(again, uint64(len(raw))), raw...)
		}
		raws2, first2, err := splitRun(again)
		if err != nil || first2 != first || !slices.EqualFunc(raws, raws2, bytes.Equal) {
			t.Fatalf("run %x: %d decisions from %d; encoded again: %d from %d (%v)", run, len(raws), first, len(raws2), first2, err)
		}
	})
}
