package wal

import (
	"encoding/binary"
	"fmt"
	"maps"
)

// Set implements raft.StableStore: the stable file is rewritten whole
// (atomically) on each call, which raft makes only on a new term or vote.
func (w *Log) Set(key, val []byte) error {
	w.smu.Lock()
	defer w.smu.Unlock()
	next := maps.Clone(w.stable)
	next[string(key)] = append([]byte(nil), val...)
	if err := writeStable(w.dir, w.aead, next); err != nil {
		return fmt.Errorf("raft wal: set %q: %w", key, err)
	}
	w.stable = next
	return nil
}

// Get implements raft.StableStore.
func (w *Log) Get(key []byte) ([]byte, error) {
	w.smu.Lock()
	defer w.smu.Unlock()
	v, ok := w.stable[string(key)]
	if !ok {
		return nil, errNotFound
	}
	return append([]byte(nil), v...), nil
}

// SetUint64 implements raft.StableStore.
func (w *Log) SetUint64(key []byte, val uint64) error {
	return w.Set(key, binary.BigEndian.AppendUint64(nil, val))
}

// GetUint64 implements raft.StableStore.
func (w *Log) GetUint64(key []byte) (uint64, error) {
	v, err := w.Get(key)
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("raft wal: stable key %q: %d bytes", key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}
