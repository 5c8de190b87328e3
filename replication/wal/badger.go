package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/hashicorp/raft"
)

// LogStore is the Raft log and stable store of releases before the WAL: a
// badger database of its own, every write fsynced before it returns. It is
// kept to open such a store once and move it into a WAL (Migrate).
//
// It replaces raft-wal, whose v0.4.0 (the only release the module proxy
// serves) cannot reopen a log after Raft truncated its tail: the segment is
// marked sealed without an index block and the next start panics
// (hashicorp/raft-wal#31, fixed after the release). A deposed leader with an
// uncommitted tail does exactly that, so the dinas could not restart.
type LogStore struct {
	db *badger.DB

	mu          sync.Mutex // guards the cached bounds
	first, last uint64

	trims chan [2]uint64 // compacted prefixes still to delete (trimmer)
	done  chan struct{}
}

var errNotFound = errors.New("not found") // the text raft compares against

const (
	pLog    = 'l' // index(8) → term(8) ‖ type(1) ‖ appended(8) ‖ uvarint n ‖ data ‖ extensions
	pStable = 's' // key → value
)

// OpenLogStore opens or creates the store in dir, encrypted with key (AES,
// 16, 24 or 32 bytes) when it is set: the entries are decisions with NIKs
// and biodata. A store created with a key opens only with that key, and one
// created without a key does not open with one.
func OpenLogStore(dir string, key []byte) (*LogStore, error) {
	// Badger needs the block cache with encryption (it panics without one)
	// and keeps decrypted table indexes in the index cache; both are set
	// whether or not the key is.
	opt := badger.DefaultOptions(dir).WithSyncWrites(true).WithLogger(nil).
		WithNumVersionsToKeep(1).WithMemTableSize(16 << 20).WithValueLogFileSize(64 << 20).
		WithBlockCacheSize(8 << 20).WithIndexCacheSize(4 << 20).
		WithNumCompactors(2).WithDetectConflicts(false)
	if len(key) > 0 {
		opt = opt.WithEncryptionKey(key)
	}
	db, err := badger.Open(opt)
	if err != nil {
		return nil, fmt.Errorf("open raft log %s: %w", dir, err)
	}
	s := &LogStore{db: db, trims: make(chan [2]uint64, 16), done: make(chan struct{})}
	err = db.View(func(txn *badger.Txn) error {
		s.first, s.last = bound(txn, false), bound(txn, true)
		return nil
	})
	go s.trimmer()
	return s, err
}

// Close finishes deleting compacted entries and closes the database.
func (s *LogStore) Close() error {
	close(s.trims)
	<-s.done
	return s.db.Close()
}

func logKey(i uint64) []byte { return binary.BigEndian.AppendUint64([]byte{pLog}, i) }

func bound(txn *badger.Txn, last bool) uint64 {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pLog}, Reverse: last})
	defer it.Close()
	if last {
		it.Seek(logKey(^uint64(0)))
	} else {
		it.Rewind()
	}
	if !it.Valid() {
		return 0
	}
	return binary.BigEndian.Uint64(it.Item().Key()[1:])
}

// FirstIndex implements raft.LogStore.
func (s *LogStore) FirstIndex() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first, nil
}

// LastIndex implements raft.LogStore.
func (s *LogStore) LastIndex() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, nil
}

// GetLog implements raft.LogStore.
func (s *LogStore) GetLog(index uint64, out *raft.Log) error {
	if first, _ := s.FirstIndex(); index < first {
		return raft.ErrLogNotFound // compacted, perhaps not yet deleted
	}
	return s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(logKey(index))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return raft.ErrLogNotFound
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return decodeLog(index, v, out) })
	})
}

// StoreLog implements raft.LogStore.
func (s *LogStore) StoreLog(l *raft.Log) error { return s.StoreLogs([]*raft.Log{l}) }

// StoreLogs implements raft.LogStore: one transaction, one fsync.
func (s *LogStore) StoreLogs(logs []*raft.Log) error {
	if len(logs) == 0 {
		return nil
	}
	wb := s.db.NewWriteBatch()
	for _, l := range logs {
		if err := wb.Set(logKey(l.Index), encodeLog(l)); err != nil {
			wb.Cancel()
			return err
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("store raft logs: %w", err)
	}
	s.mu.Lock()
	if s.first == 0 {
		s.first = logs[0].Index
	}
	s.last = max(s.last, logs[len(logs)-1].Index)
	s.mu.Unlock()
	return nil
}

// DeleteRange implements raft.LogStore: compaction after a snapshot (a
// prefix) or a conflicting suffix a new leader overwrote (a tail).
//
// A compacted prefix is tens of thousands of entries. Deleting them in one
// batch held badger's single writer, and with it every StoreLogs behind it,
// for a good part of a second: each snapshot showed as a spike of decision
// latency. So the prefix leaves the bounds at once, GetLog stops serving
// it, and the trimmer deletes it in small batches in the background. A
// crash before it finishes leaves old entries below the snapshot, which
// the next compaction (from FirstIndex) deletes.
func (s *LogStore) DeleteRange(min, max uint64) error {
	s.mu.Lock()
	prefix := min <= s.first && max < s.last
	if prefix {
		s.first = max + 1
	}
	s.mu.Unlock()
	if prefix {
		s.trims <- [2]uint64{min, max}
		return nil
	}
	if err := s.deleteNow(min, max); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case min <= s.first && max >= s.last:
		s.first, s.last = 0, 0
	case max >= s.last:
		s.last = min - 1
	}
	return nil
}

func (s *LogStore) deleteNow(min, max uint64) error {
	wb := s.db.NewWriteBatch()
	for i := min; i <= max; i++ {
		if err := wb.Delete(logKey(i)); err != nil {
			wb.Cancel()
			return err
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("delete raft logs %d-%d: %w", min, max, err)
	}
	return nil
}

// trimChunk is how many compacted entries one background batch deletes:
// about a millisecond of badger's writer.
const trimChunk = 1024

// trimmer deletes compacted prefixes a chunk at a time, letting the log's
// appends through between chunks, until Close.
func (s *LogStore) trimmer() {
	defer close(s.done)
	for r := range s.trims {
		for lo := r[0]; lo <= r[1]; lo += trimChunk {
			if err := s.deleteNow(lo, min(r[1], lo+trimChunk-1)); err != nil {
				break // left on disk: a restart finds them below the snapshot, and the next compaction deletes them
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// Set implements raft.StableStore.
func (s *LogStore) Set(key, val []byte) error {
	return s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(append([]byte{pStable}, key...), val)
	})
}

// Get implements raft.StableStore.
func (s *LogStore) Get(key []byte) ([]byte, error) {
	var out []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(append([]byte{pStable}, key...))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		out, err = item.ValueCopy(nil)
		return err
	})
	return out, err
}

// SetUint64 implements raft.StableStore.
func (s *LogStore) SetUint64(key []byte, val uint64) error {
	return s.Set(key, binary.BigEndian.AppendUint64(nil, val))
}

// GetUint64 implements raft.StableStore.
func (s *LogStore) GetUint64(key []byte) (uint64, error) {
	v, err := s.Get(key)
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("stable key %q: %d bytes", key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

func encodeLog(l *raft.Log) []byte {
	b := make([]byte, 0, 32+len(l.Data)+len(l.Extensions))
	b = binary.BigEndian.AppendUint64(b, l.Term)
	b = append(b, byte(l.Type))
	b = binary.BigEndian.AppendUint64(b, uint64(l.AppendedAt.UnixNano()))
	b = binary.AppendUvarint(b, uint64(len(l.Data)))
	b = append(b, l.Data...)
	return append(b, l.Extensions...)
}

func decodeLog(index uint64, v []byte, out *raft.Log) error {
	if len(v) < 17 {
		return fmt.Errorf("raft log %d: corrupt", index)
	}
	out.Index, out.Term, out.Type = index, binary.BigEndian.Uint64(v), raft.LogType(v[8])
	out.AppendedAt = time.Unix(0, int64(binary.BigEndian.Uint64(v[9:])))
	n, k := binary.Uvarint(v[17:])
	if k <= 0 || uint64(len(v)-17-k) < n {
		return fmt.Errorf("raft log %d: corrupt", index)
	}
	rest := v[17+k:]
	out.Data = append([]byte(nil), rest[:n]...)
	out.Extensions = nil
	if len(rest) > int(n) {
		out.Extensions = append([]byte(nil), rest[n:]...)
	}
	return nil
}
