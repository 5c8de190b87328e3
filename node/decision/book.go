package decision

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
)

// The book is every node's record of published decisions, filed by key in
// the replicated store's badger, inside the transaction that stores their
// block: a block is one event, but an office asks about one decision, the
// one on its request. It is derived from the blocks alone, so every replica
// holding the same events has the same book.
const bookPrefix = 'd' // decision key → decision bytes

func bookKey(key string) []byte { return append([]byte{bookPrefix}, key...) }

// File records the decisions of the blocks among a batch's applied events;
// the node runs it inside the store's commit (store.Observer.InTxn). A
// final duplicate-check verdict is filed under its enrollment's VerdictKey
// as well: a recording step waits there, whoever recorded the verdict and
// under whatever key.
func File(txn *badger.Txn, applied []*event.Event) error {
	pubs, err := Publications(applied)
	if err != nil {
		return err
	}
	for _, p := range pubs {
		if p.Key == "" {
			return fmt.Errorf("%w: a decision without a key", errBadBlock)
		}
		if err := txn.Set(bookKey(p.Key), p.Raw); err != nil {
			return err
		}
		if alias := verdictAlias(p); alias != "" {
			if err := txn.Set(bookKey(alias), p.Raw); err != nil {
				return err
			}
		}
	}
	return nil
}

// VerdictKey is the book key of the final verdict on an enrollment (a
// request whose recording is checked for duplicates).
func VerdictKey(enrollment string) string { return "putusan-dedup/" + enrollment }

// WarehouseKey is the key of the data warehouse's confirmation that it
// holds a request's consolidated record (ConfirmWarehouse).
func WarehouseKey(request string) string { return "dwh/" + request }

// verdictAlias is the VerdictKey a published decision is also filed under:
// a granted unik or duplikat verdict; adjudikasi is not final.
func verdictAlias(p Published) string {
	if !p.Verdict() {
		return ""
	}
	d, err := p.Decode()
	v := d.GetCommand().GetRecordDedupVerdict()
	if err != nil || d.Refused != "" || (v.GetVerdict() != "unik" && v.GetVerdict() != "duplikat") {
		return ""
	}
	return VerdictKey(v.Enrollment)
}

// Book reads the decisions a replica holds.
type Book struct{ st *store.Store }

// NewBook reads st's book.
func NewBook(st *store.Store) Book { return Book{st} }

// Decided returns the decision on a key as this node's replica knows it.
func (b Book) Decided(key string) (*eventpb.Decision, bool, error) {
	var d *eventpb.Decision
	err := b.st.DB().View(func(txn *badger.Txn) error {
		item, err := txn.Get(bookKey(key))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		d = &eventpb.Decision{}
		return item.Value(func(v []byte) error { return proto.Unmarshal(v, d) })
	})
	if err != nil {
		return nil, false, fmt.Errorf("read decision %s: %w", key, err)
	}
	return d, d != nil, nil
}

// Each calls fn with every published decision this replica holds,
// in key order, until fn returns false.
func (b Book) Each(fn func(*eventpb.Decision) bool) error {
	return b.st.DB().View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{bookPrefix}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var d eventpb.Decision
			if err := it.Item().Value(func(v []byte) error { return proto.Unmarshal(v, &d) }); err != nil {
				return fmt.Errorf("read decision %q: %w", it.Item().Key()[1:], err)
			}
			if !fn(&d) {
				return nil
			}
		}
		return nil
	})
}
