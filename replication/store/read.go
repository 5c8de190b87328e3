package store

import (
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// ErrNotFound is returned for an unknown entity or event.
var ErrNotFound = errors.New("not found")

// State returns an entity's folded state.
func (s *Store) State(kind, id string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(entityKey(pState, kind, id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("%s %s: %w", kind, id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		out, err = item.ValueCopy(nil)
		return err
	})
	return out, err
}

// Events returns all of an entity's events, in index order.
func (s *Store) Events(kind, id string) ([]*event.Event, error) {
	var evs []*event.Event
	err := s.db.View(func(txn *badger.Txn) (err error) {
		evs, err = s.entityEvents(txn, kind, id)
		return err
	})
	return evs, err
}

// Event returns one event by id.
func (s *Store) Event(id event.ID) (*event.Event, error) {
	var e *event.Event
	err := s.db.View(func(txn *badger.Txn) (err error) {
		e, err = s.getEvent(txn, id)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("event %s: %w", id, ErrNotFound)
		}
		return err
	})
	return e, err
}

// Each calls fn with every entity of a kind and its state, in id order,
// starting after the id `after`, until fn returns false.
func (s *Store) Each(kind, after string, fn func(id string, state []byte) bool) error {
	return s.db.View(func(txn *badger.Txn) error {
		prefix := append([]byte{pState}, kind...)
		prefix = append(prefix, 0)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
		defer it.Close()
		start := prefix
		if after != "" {
			start = append(entityKey(pState, kind, after), 0)
		}
		for it.Seek(start); it.Valid(); it.Next() {
			_, id, ok := splitEntityKey(it.Item().Key())
			if !ok {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if !fn(id, v) {
				return nil
			}
		}
		return nil
	})
}

// Conflict is an entity with fields in conflict.
type Conflict struct {
	EntityRef
	Fields []string
}

// Conflicts lists every entity currently in conflict.
func (s *Store) Conflicts() ([]Conflict, error) {
	var out []Conflict
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pConflict}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			kind, id, ok := splitEntityKey(it.Item().Key())
			if !ok {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out = append(out, Conflict{EntityRef{kind, id}, strings.Split(string(v), "\x00")})
		}
		return nil
	})
	return out, err
}

// Scan calls fn with the canonical bytes of every event this store holds
// that a replica at `since` lacks, in this store's arrival order, which is
// causal: each event comes after its deps and after its origin's earlier
// events. The bytes are only valid during the call.
func (s *Store) Scan(since vv.Vector, fn func(raw []byte) error) error {
	return s.ScanRange(since, s.Vector(), fn)
}

// ScanRange is Scan bounded above by upto, a vector this store held
// earlier: what it counted, claimed or promised to send at that moment,
// and not the events written since.
func (s *Store) ScanRange(since, upto vv.Vector, fn func(raw []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		h := &cursorHeap{}
		defer h.close()
		for _, r := range upto.Missing(since) {
			c := newCursor(txn, r)
			if c.valid() {
				h.items = append(h.items, c)
			} else {
				c.it.Close()
			}
		}
		heap.Init(h)
		for h.Len() > 0 {
			c := h.items[0]
			if err := c.err; err != nil {
				return err
			}
			if err := fn(c.val[8:]); err != nil {
				return err
			}
			c.next()
			if c.valid() {
				heap.Fix(h, 0)
			} else {
				c.it.Close()
				heap.Pop(h)
			}
		}
		return nil
	})
}

// cursor walks one origin's events From..To.
type cursor struct {
	it      *badger.Iterator
	prefix  []byte
	to      uint64
	arrival uint64
	val     []byte
	err     error
}

func newCursor(txn *badger.Txn, r vv.Range) *cursor {
	prefix := originPrefix(r.Origin)
	c := &cursor{it: txn.NewIterator(badger.IteratorOptions{Prefix: prefix}), prefix: prefix, to: r.To}
	c.it.Seek(eventKey(event.ID{Origin: r.Origin, Seq: r.From}))
	c.load()
	return c
}

func (c *cursor) valid() bool { return c.err != nil || c.val != nil }

func (c *cursor) next() { c.it.Next(); c.load() }

func (c *cursor) load() {
	c.val = nil
	if !c.it.Valid() {
		return
	}
	k := c.it.Item().Key()
	if binary.BigEndian.Uint64(k[len(c.prefix):]) > c.to {
		return
	}
	c.val, c.err = c.it.Item().ValueCopy(c.val[:0])
	if c.err == nil && len(c.val) < 8 {
		c.err = fmt.Errorf("corrupt event value at %x", k)
	}
	if c.err == nil {
		c.arrival = binary.BigEndian.Uint64(c.val)
	}
}

type cursorHeap struct{ items []*cursor }

func (h *cursorHeap) Len() int           { return len(h.items) }
func (h *cursorHeap) Less(i, j int) bool { return h.items[i].arrival < h.items[j].arrival }
func (h *cursorHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *cursorHeap) Push(x any)         { h.items = append(h.items, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	c := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return c
}
func (h *cursorHeap) close() {
	for _, c := range h.items {
		c.it.Close()
	}
}

// Origins lists every origin with events, for status pages.
func (s *Store) Origins() []peer.ID { return s.Vector().Origins() }
