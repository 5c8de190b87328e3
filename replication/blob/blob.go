// Package blob keeps documents (photos of KK and KTP-el, scans) by content
// address and moves them between nodes in resumable chunks, after and apart
// from the small events that refer to them, so a slow link never holds
// metadata behind photos.
package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/replication/event"
)

// ChunkSize is the unit of transfer and of resumption.
const ChunkSize = 64 << 10

// MaxSize bounds one blob.
const MaxSize = 64 << 20

// Key layout, in the node's badger beside the event tables.
const (
	pChunk = 'B' // hash, idx(4) → bytes
	pMeta  = 'M' // hash → size(8) ‖ complete(1)
	pWant  = 'w' // hash → ∅ while referenced but incomplete
)

// ErrNotFound is returned for a blob this node lacks.
var ErrNotFound = errors.New("document not found on this node")

// ErrCorrupt is returned when chunks do not hash to the address.
var ErrCorrupt = errors.New("document content does not match its address")

// Store is the blob table.
type Store struct{ db *badger.DB }

// New uses db for blob tables.
func New(db *badger.DB) *Store { return &Store{db: db} }

func key(p byte, h event.Hash) []byte { return append([]byte{p}, h[:]...) }

func chunkKey(h event.Hash, idx uint32) []byte {
	return binary.BigEndian.AppendUint32(key(pChunk, h), idx)
}

func chunks(size int64) uint32 { return uint32((size + ChunkSize - 1) / ChunkSize) }

// Put stores content and returns its address. Storing twice is a no-op.
func (s *Store) Put(content []byte) (event.Hash, error) {
	var h event.Hash
	err := s.db.Update(func(txn *badger.Txn) (err error) {
		h, err = Put(txn, content)
		return err
	})
	return h, err
}

// Put stores content inside the caller's transaction, so a document and
// the event that refers to it commit (and fsync) together.
func Put(txn *badger.Txn, content []byte) (event.Hash, error) {
	h := event.Hash(sha256.Sum256(content))
	if len(content) > MaxSize {
		return h, fmt.Errorf("document of %d bytes exceeds %d", len(content), MaxSize)
	}
	for i := uint32(0); i < chunks(int64(len(content))); i++ {
		end := min(int(i+1)*ChunkSize, len(content))
		if err := txn.Set(chunkKey(h, i), content[int(i)*ChunkSize:end]); err != nil {
			return h, err
		}
	}
	return h, complete(txn, h, int64(len(content)))
}

func complete(txn *badger.Txn, h event.Hash, size int64) error {
	if err := txn.Set(key(pMeta, h), append(binary.BigEndian.AppendUint64(nil, uint64(size)), 1)); err != nil {
		return err
	}
	return txn.Delete(key(pWant, h))
}

// Info is what a node knows of a blob.
type Info struct {
	Size     int64
	Complete bool
}

// Stat returns what is known of h.
func (s *Store) Stat(h event.Hash) (Info, error) {
	var in Info
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		in, err = stat(txn, h)
		return err
	})
	return in, err
}

func stat(txn *badger.Txn, h event.Hash) (Info, error) {
	item, err := txn.Get(key(pMeta, h))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Info{}, nil
	}
	if err != nil {
		return Info{}, err
	}
	var in Info
	err = item.Value(func(v []byte) error {
		if len(v) != 9 {
			return fmt.Errorf("blob %s: bad meta", h)
		}
		in = Info{Size: int64(binary.BigEndian.Uint64(v)), Complete: v[8] == 1}
		return nil
	})
	return in, err
}

// Get returns a complete blob's content.
func (s *Store) Get(h event.Hash) ([]byte, error) {
	var out []byte
	err := s.db.View(func(txn *badger.Txn) error {
		in, err := stat(txn, h)
		if err != nil {
			return err
		}
		if !in.Complete {
			return fmt.Errorf("%s: %w", h, ErrNotFound)
		}
		out = make([]byte, 0, in.Size)
		return eachChunk(txn, h, 0, func(_ uint32, b []byte) error { out = append(out, b...); return nil })
	})
	return out, err
}

// Chunks calls fn with each stored chunk of h from index `from`, in order.
func (s *Store) Chunks(h event.Hash, from uint32, fn func(idx uint32, b []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error { return eachChunk(txn, h, from, fn) })
}

func eachChunk(txn *badger.Txn, h event.Hash, from uint32, fn func(uint32, []byte) error) error {
	prefix := key(pChunk, h)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 8})
	defer it.Close()
	for it.Seek(chunkKey(h, from)); it.Valid(); it.Next() {
		idx := binary.BigEndian.Uint32(it.Item().Key()[len(prefix):])
		err := it.Item().Value(func(v []byte) error { return fn(idx, v) })
		if err != nil {
			return err
		}
	}
	return nil
}

// Want marks h as needed, inside an event batch's transaction, unless it is
// already complete.
func Want(txn *badger.Txn, h event.Hash) error {
	in, err := stat(txn, h)
	if err != nil || in.Complete {
		return err
	}
	return txn.Set(key(pWant, h), nil)
}

// Wanted lists blobs referenced by stored events but not yet complete.
func (s *Store) Wanted() ([]event.Hash, error) {
	var out []event.Hash
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pWant}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var h event.Hash
			copy(h[:], it.Item().Key()[1:])
			out = append(out, h)
		}
		return nil
	})
	return out, err
}

// Next returns the first chunk index of h not yet held: where a resumed
// transfer starts.
func (s *Store) Next(h event.Hash) (uint32, error) {
	var next uint32
	err := s.db.View(func(txn *badger.Txn) error {
		return eachChunk(txn, h, 0, func(idx uint32, _ []byte) error {
			if idx != next {
				return errStop
			}
			next++
			return nil
		})
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return next, err
}

var errStop = errors.New("stop")

// WriteChunk stores chunk idx of a blob of the given size. When the last
// chunk lands, the whole is checked against its address; on mismatch every
// chunk is dropped and ErrCorrupt returned.
func (s *Store) WriteChunk(h event.Hash, size int64, idx uint32, b []byte) (complete bool, err error) {
	if size <= 0 || size > MaxSize || idx >= chunks(size) {
		return false, fmt.Errorf("blob %s: chunk %d of size %d out of range", h, idx, size)
	}
	want := min(ChunkSize, int(size-int64(idx)*ChunkSize))
	if len(b) != want {
		return false, fmt.Errorf("blob %s: chunk %d has %d bytes, want %d", h, idx, len(b), want)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(chunkKey(h, idx), b) }); err != nil {
		return false, err
	}
	if idx != chunks(size)-1 {
		return false, nil
	}
	return s.seal(h, size)
}

// seal verifies a blob whose chunks are all present and marks it complete.
func (s *Store) seal(h event.Hash, size int64) (bool, error) {
	sum := sha256.New()
	var n uint32
	err := s.Chunks(h, 0, func(idx uint32, b []byte) error {
		if idx != n {
			return errStop
		}
		n++
		sum.Write(b)
		return nil
	})
	if errors.Is(err, errStop) || (err == nil && n != chunks(size)) {
		return false, nil // a gap: resumed later
	}
	if err != nil {
		return false, err
	}
	if !bytes.Equal(sum.Sum(nil), h[:]) {
		return false, errors.Join(fmt.Errorf("blob %s: %w", h, ErrCorrupt), s.drop(h))
	}
	return true, s.db.Update(func(txn *badger.Txn) error { return complete(txn, h, size) })
}

func (s *Store) drop(h event.Hash) error {
	return s.db.Update(func(txn *badger.Txn) error {
		for i := uint32(0); i < chunks(MaxSize); i++ {
			k := chunkKey(h, i)
			if _, err := txn.Get(k); errors.Is(err, badger.ErrKeyNotFound) {
				return nil
			}
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}
