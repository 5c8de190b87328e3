package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// Folder folds an entity kind's events into its stored state.
type Folder interface {
	Fold(evs []*event.Event) (Folded, error)
}

// Folded is what the store keeps of an entity after a batch.
type Folded struct {
	State     []byte
	Heads     []event.ID
	Conflicts []string
}

// Observer sees every batch of events the store writes, local or from a
// peer: the one place where what a node does with new events starts.
type Observer interface {
	// InTxn runs inside the batch's transaction, after its events are
	// written, so dependent records (blob wants, the decision book) commit
	// with them; an error refuses the whole batch.
	InTxn(txn *badger.Txn, applied []*event.Event) error
	// Committed is told the batch once it is committed and visible, under
	// the write lock: it must not block.
	Committed(Result)
}

// Options configure Open.
type Options struct {
	// Dir is the badger directory; empty with InMemory for tests.
	Dir      string
	InMemory bool
	// EncryptionKey (16, 24 or 32 bytes) turns on badger's encryption at rest.
	EncryptionKey []byte
	// Signer signs this node's own events; Clock times them.
	Signer *event.Signer
	Clock  *hlc.Clock
	// Admit reports whether an origin is on the roster.
	Admit func(peer.ID) bool
	// Folders by entity kind; kinds without one keep only heads.
	Folders map[string]Folder
	// Observer, if set, sees every batch written (the node's pipeline).
	Observer Observer
	Logger   *slog.Logger
	// MemTableSize for badger; small nodes and tests want less than 64 MiB.
	MemTableSize int64
}

// Store is one replica's durable state.
type Store struct {
	db     *badger.DB
	opt    Options
	verify event.Verifier

	mu      sync.Mutex // serialises writers
	vec     vv.Vector  // guarded by mu; readers get clones via readMu
	readMu  sync.RWMutex
	arrival uint64
	skew    map[peer.ID]time.Duration
}

// Open opens or creates the store in opt.Dir.
func Open(opt Options) (*Store, error) {
	if opt.Signer == nil || opt.Clock == nil {
		return nil, errors.New("open store: signer and clock are required")
	}
	if opt.Admit == nil {
		opt.Admit = func(peer.ID) bool { return true }
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	bo := badger.DefaultOptions(opt.Dir).
		WithInMemory(opt.InMemory).
		WithSyncWrites(true). // acknowledged means on disk
		WithLogger(badgerLogger{opt.Logger}).
		WithNumVersionsToKeep(1).
		WithBlockCacheSize(32 << 20).
		WithIndexCacheSize(16 << 20).
		WithValueThreshold(4 << 10)
	if opt.InMemory { // no value log in memory: documents' chunks stay in the tree
		bo = bo.WithValueThreshold(128 << 10)
	}
	if opt.MemTableSize > 0 {
		bo = bo.WithMemTableSize(opt.MemTableSize).WithValueLogFileSize(4 * opt.MemTableSize)
	}
	if len(opt.EncryptionKey) > 0 {
		bo = bo.WithEncryptionKey(opt.EncryptionKey)
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", opt.Dir, err)
	}
	s := &Store{db: db, opt: opt, vec: vv.Vector{}, skew: map[peer.ID]time.Duration{}}
	if err := s.load(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", opt.Dir, err)
	}
	return s, nil
}

// load reads the vector and arrival counter, and moves the clock past the
// last own event so that a restart never reuses a time.
func (s *Store) load() error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pVector}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			v, err := it.Item().ValueCopy(nil)
			if err != nil || len(v) != 8 || len(k) < 2 {
				return fmt.Errorf("bad vector entry %x", k)
			}
			s.vec[peer.ID(k[2:])] = binary.BigEndian.Uint64(v)
		}
		if item, err := txn.Get(keyArrival); err == nil {
			v, _ := item.ValueCopy(nil)
			s.arrival = binary.BigEndian.Uint64(v)
		}
		self := s.opt.Signer.Origin()
		if seq := s.vec[self]; seq > 0 {
			e, err := s.getEvent(txn, event.ID{Origin: self, Seq: seq})
			if err != nil {
				return err
			}
			s.opt.Clock.Observe(e.Time)
		}
		return nil
	})
}

// Close flushes and closes badger.
func (s *Store) Close() error { return s.db.Close() }

// DB is the underlying database, shared by sibling tables (blobs, outbox).
func (s *Store) DB() *badger.DB { return s.db }

// Self is the origin this store signs as.
func (s *Store) Self() peer.ID { return s.opt.Signer.Origin() }

// Verifier is the store's signature verifier, shared so keys are cached once.
func (s *Store) Verifier() *event.Verifier { return &s.verify }

// Vector returns a copy of the version vector.
func (s *Store) Vector() vv.Vector {
	s.readMu.RLock()
	defer s.readMu.RUnlock()
	return s.vec.Clone()
}

// ClockSkew reports, per origin, how far ahead of local time its newest
// event was stamped when that exceeded the clock's maximum offset.
func (s *Store) ClockSkew() map[peer.ID]time.Duration {
	s.readMu.RLock()
	defer s.readMu.RUnlock()
	out := make(map[peer.ID]time.Duration, len(s.skew))
	for k, v := range s.skew {
		out[k] = v
	}
	return out
}

type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(fmt.Sprintf(f, a...), "component", "badger")
}
func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
