package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/fold"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// Errors reported per refused event.
var (
	ErrNotOnRoster  = errors.New("origin is not on the roster")
	ErrEquivocation = errors.New("origin reused a sequence number with different content")
)

// EntityRef names an entity.
type EntityRef struct{ Kind, ID string }

// Result says what a batch did.
type Result struct {
	// Applied are the events newly stored, in order.
	Applied []*event.Event
	// Duplicates were already held, byte for byte.
	Duplicates int
	// Deferred arrived before an earlier event of their origin or before a
	// dep; a later sync brings them again.
	Deferred int
	Rejected []event.Rejection
	// Entities touched by Applied, each once.
	Entities []EntityRef
	// Local is set for this node's own appends.
	Local bool
}

// Apply stores a verified batch from any source (a peer, a bundle).
func (s *Store) Apply(batch event.Verified) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commit(batch.Events(), false, nil)
}

// ApplyWith stores a verified batch and, in the same transaction, whatever
// extra writes: the dinas state machine keeps its state and applied index
// with the decision events it publishes. extra runs even when every event
// was already held (another dinas replica's copy arrived first by sync).
func (s *Store) ApplyWith(batch event.Verified, extra func(txn *badger.Txn) error) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commit(batch.Events(), false, extra)
}

// Verify checks signatures and applies: the path for raw outside events.
func (s *Store) Verify(evs []*event.Event) (Result, error) {
	ok, rej := s.verify.VerifyBatch(evs)
	res, err := s.Apply(ok)
	res.Rejected = append(rej, res.Rejected...)
	return res, err
}

// Draft is a local change before it is sequenced and signed.
type Draft struct {
	Kind, Entity, Type string
	Payload            []byte
	Blobs              []event.Hash
}

// Append sequences, signs and stores this node's own event, with deps on the
// entity's current heads. within, if set, runs in the same transaction (an
// outbox entry that must exist exactly when the event does).
func (s *Store) Append(d Draft, within func(txn *badger.Txn, e *event.Event) error) (*event.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	heads, err := s.heads(d.Kind, d.Entity)
	if err != nil {
		return nil, fmt.Errorf("append %s/%s: %w", d.Kind, d.Entity, err)
	}
	e := &event.Event{
		Seq: s.vec[s.Self()] + 1, Time: s.opt.Clock.Now(),
		Kind: d.Kind, Entity: d.Entity, Type: d.Type, Payload: d.Payload,
		Deps: heads, Blobs: d.Blobs,
	}
	s.opt.Signer.Sign(e)
	var extra func(*badger.Txn) error
	if within != nil {
		extra = func(txn *badger.Txn) error { return within(txn, e) }
	}
	res, err := s.commit([]*event.Event{e}, true, extra)
	if err != nil {
		return nil, fmt.Errorf("append %s/%s: %w", d.Kind, d.Entity, err)
	}
	if len(res.Applied) != 1 {
		return nil, fmt.Errorf("append %s/%s: own event not applied: %v", d.Kind, d.Entity, res.Rejected)
	}
	return e, nil
}

// conflictRetries bounds how often a batch is tried again after badger
// found a key it read written meanwhile by a writer outside s.mu (a
// document's chunks arriving while an event naming it commits).
const conflictRetries = 8

// commit writes one batch in one transaction, again if it conflicted: an
// officer's save must not fail because a photo with the same bytes was
// being fetched. Caller holds s.mu.
func (s *Store) commit(evs []*event.Event, local bool, extra func(*badger.Txn) error) (Result, error) {
	for attempt := 1; ; attempt++ {
		res, err := s.commitOnce(evs, local, extra)
		if !errors.Is(err, badger.ErrConflict) || attempt == conflictRetries {
			return res, err
		}
	}
}

// commitOnce tries a batch once; nothing changes outside the transaction
// until it commits.
func (s *Store) commitOnce(evs []*event.Event, local bool, extra func(*badger.Txn) error) (Result, error) {
	res := Result{Local: local}
	vec := s.vec.Clone()
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	// Existing events are read from a snapshot, not through txn: an iterator
	// on a write transaction re-sorts all its pending writes each time, which
	// made a batch cost quadratic in its size.
	snap := s.db.NewTransaction(false)
	defer snap.Discard()
	fresh := map[EntityRef][]*event.Event{}
	arrival := s.arrival
	for _, e := range evs {
		ok, err := s.admit(txn, vec, e, &res)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			continue
		}
		arrival++
		val := binary.BigEndian.AppendUint64(make([]byte, 0, 8+256), arrival)
		if err := txn.Set(eventKey(e.ID()), e.AppendMarshal(val)); err != nil {
			return Result{}, err
		}
		if err := txn.Set(indexKey(e), nil); err != nil {
			return Result{}, err
		}
		vec[e.Origin] = e.Seq
		res.Applied = append(res.Applied, e)
		ref := EntityRef{e.Kind, e.Entity}
		if fresh[ref] == nil {
			res.Entities = append(res.Entities, ref)
		}
		fresh[ref] = append(fresh[ref], e)
	}
	if len(res.Applied) == 0 && extra == nil {
		return res, nil
	}
	if err := s.writeApplied(txn, snap, vec, arrival, fresh, res); err != nil {
		return Result{}, err
	}
	if extra != nil {
		if err := extra(txn); err != nil {
			return Result{}, err
		}
	}
	if err := txn.Commit(); err != nil {
		return Result{}, fmt.Errorf("commit batch: %w", err)
	}
	s.published(vec, arrival, res)
	return res, nil
}

// writeApplied writes what a batch's applied events change besides the
// events themselves: the vector, the entities' folds, dependent records.
func (s *Store) writeApplied(txn, snap *badger.Txn, vec vv.Vector, arrival uint64, fresh map[EntityRef][]*event.Event, res Result) error {
	if len(res.Applied) == 0 {
		return nil
	}
	if err := s.writeVector(txn, vec, arrival); err != nil {
		return err
	}
	for _, ref := range res.Entities {
		if err := s.refold(txn, snap, ref, fresh[ref]); err != nil {
			return fmt.Errorf("fold %s/%s: %w", ref.Kind, ref.ID, err)
		}
	}
	if s.opt.Observer != nil {
		return s.opt.Observer.InTxn(txn, res.Applied)
	}
	return nil
}

// admit decides one event's fate against the vector as it stands in the
// batch. It returns true if the event is to be stored.
func (s *Store) admit(txn *badger.Txn, vec vv.Vector, e *event.Event, res *Result) (bool, error) {
	reject := func(err error) (bool, error) {
		res.Rejected = append(res.Rejected, event.Rejection{ID: e.ID(), Err: err})
		return false, nil
	}
	if !s.opt.Admit(e.Origin) {
		return reject(ErrNotOnRoster)
	}
	have := vec[e.Origin]
	switch {
	case e.Seq <= have:
		held, err := s.rawEvent(txn, e.ID())
		if err != nil {
			return false, err
		}
		if !bytes.Equal(held, e.Marshal()) {
			s.opt.Logger.Warn("equivocating event refused", "event", e.ID().String())
			return reject(ErrEquivocation)
		}
		res.Duplicates++
		return false, nil
	case e.Seq > have+1:
		res.Deferred++
		return false, nil
	}
	for _, d := range e.Deps {
		if !vec.Has(d.Origin, d.Seq) {
			res.Deferred++
			return false, nil
		}
	}
	return true, nil
}

func (s *Store) writeVector(txn *badger.Txn, vec vv.Vector, arrival uint64) error {
	for o, seq := range vec {
		if s.vec[o] == seq {
			continue
		}
		if err := txn.Set(vectorKey(o), binary.BigEndian.AppendUint64(nil, seq)); err != nil {
			return err
		}
	}
	return txn.Set(keyArrival, binary.BigEndian.AppendUint64(nil, arrival))
}

// published makes a committed batch visible and tells the observer.
func (s *Store) published(vec vv.Vector, arrival uint64, res Result) {
	s.readMu.Lock()
	s.vec = vec
	s.arrival = arrival
	if !res.Local {
		for _, e := range res.Applied {
			if ahead, adopted := s.opt.Clock.Observe(e.Time); !adopted {
				if _, known := s.skew[e.Origin]; !known {
					s.opt.Logger.Warn("office clock ahead; its times are stored but not adopted",
						"origin", e.Origin.String(), "ahead", ahead.Round(time.Second))
				}
				s.skew[e.Origin] = ahead
			}
		}
	}
	s.readMu.Unlock()
	if s.opt.Observer != nil {
		s.opt.Observer.Committed(res)
	}
}

// refold recomputes one entity from all its events (those committed, read
// from snap, and the batch's) and stores the result in txn.
func (s *Store) refold(txn, snap *badger.Txn, ref EntityRef, fresh []*event.Event) error {
	evs, err := s.entityEvents(snap, ref.Kind, ref.ID)
	if err != nil {
		return err
	}
	evs = append(evs, fresh...)
	var f Folded
	if folder := s.opt.Folders[ref.Kind]; folder != nil {
		if f, err = folder.Fold(evs); err != nil {
			return err
		}
	} else {
		st, err := fold.Fold(evs, func(*event.Event) ([]fold.Write, error) { return nil, nil })
		if err != nil {
			return err
		}
		f.Heads = st.Heads
	}
	if f.State != nil {
		if err := txn.Set(entityKey(pState, ref.Kind, ref.ID), f.State); err != nil {
			return err
		}
	}
	if err := txn.Set(entityKey(pHeads, ref.Kind, ref.ID), encodeIDs(f.Heads)); err != nil {
		return err
	}
	ck := entityKey(pConflict, ref.Kind, ref.ID)
	if len(f.Conflicts) == 0 {
		return txn.Delete(ck)
	}
	return txn.Set(ck, []byte(strings.Join(f.Conflicts, "\x00")))
}

// heads are the entity's current head events, deps for a new local event.
func (s *Store) heads(kind, id string) ([]event.ID, error) {
	var ids []event.ID
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(entityKey(pHeads, kind, id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { ids = decodeIDs(v); return nil })
	})
	slices.SortFunc(ids, func(a, b event.ID) int {
		if a.Less(b) {
			return -1
		}
		return 1
	})
	if len(ids) > event.MaxDeps {
		ids = ids[len(ids)-event.MaxDeps:]
	}
	return ids, err
}

// entityEvents loads an entity's events through the index.
func (s *Store) entityEvents(txn *badger.Txn, kind, id string) ([]*event.Event, error) {
	prefix := entityKey(pIndex, kind, id)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	var ids []event.ID
	for it.Rewind(); it.Valid(); it.Next() {
		if eid, ok := parseIndexKey(it.Item().Key(), len(prefix)); ok {
			ids = append(ids, eid)
		}
	}
	it.Close()
	evs := make([]*event.Event, 0, len(ids))
	for _, eid := range ids {
		e, err := s.getEvent(txn, eid)
		if err != nil {
			return nil, err
		}
		evs = append(evs, e)
	}
	return evs, nil
}

func (s *Store) rawEvent(txn *badger.Txn, id event.ID) ([]byte, error) {
	item, err := txn.Get(eventKey(id))
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", id, err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	return v[8:], nil
}

func (s *Store) getEvent(txn *badger.Txn, id event.ID) (*event.Event, error) {
	raw, err := s.rawEvent(txn, id)
	if err != nil {
		return nil, err
	}
	return event.Unmarshal(raw)
}
