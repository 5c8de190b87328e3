package store

import (
	"errors"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
)

// inTxn observes batches' transactions only.
type inTxn func(txn *badger.Txn, applied []*event.Event) error

func (f inTxn) InTxn(txn *badger.Txn, applied []*event.Event) error { return f(txn, applied) }
func (inTxn) Committed(Result)                                      {}

// A save whose transaction read a key that another writer on the same
// database (the document fetcher, the outbox) changed before it committed
// is tried again, not refused with badger's "Transaction Conflict": an
// officer saving a request whose photo was being fetched saw that error.
func TestSaveRetriedAfterAConflict(t *testing.T) {
	w := &wall{t: time.Unix(1_700_000_000, 0)}
	doc := []byte("x-document-meta")
	var st *Store
	tries := 0
	st, err := Open(Options{
		InMemory: true, Signer: newSigner(t), Clock: hlc.NewClock(w.now, time.Minute),
		Folders: map[string]Folder{"kv": kvFolder{}}, MemTableSize: 1 << 20,
		Observer: inTxn(func(txn *badger.Txn, _ []*event.Event) error {
			tries++
			if _, err := txn.Get(doc); err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
				return err
			}
			if tries == 1 { // the fetcher writes the document meanwhile
				return st.DB().Update(func(other *badger.Txn) error { return other.Set(doc, []byte("complete")) })
			}
			return nil
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := put(t, st, "permohonan-1", "a=1")
	if tries != 2 {
		t.Fatalf("the save ran %d times, want 2 (once more after the conflict)", tries)
	}
	if got := st.Vector()[st.Self()]; got != e.Seq {
		t.Fatalf("vector at %d after the save, want %d", got, e.Seq)
	}
}
