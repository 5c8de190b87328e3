package store

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/dgraph-io/badger/v4"
)

// StateHash digests every entity's folded state and conflict marks, in key
// order. The fold is a function of an entity's set of events, so replicas
// holding the same events have the same hash whatever order the events
// arrived in: the simulator and the lab compare replicas with it after
// their faults heal. Heads are left out; they follow from the same events.
func (s *Store) StateHash() ([32]byte, error) {
	h := sha256.New()
	err := s.db.View(func(txn *badger.Txn) error {
		for _, p := range []byte{pState, pConflict} {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{p}, PrefetchValues: true})
			for it.Rewind(); it.Valid(); it.Next() {
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					it.Close()
					return err
				}
				k := it.Item().Key()
				// Lengths first, so no two different sets hash alike.
				h.Write(binary.AppendUvarint(nil, uint64(len(k))))
				h.Write(k)
				h.Write(binary.AppendUvarint(nil, uint64(len(v))))
				h.Write(v)
			}
			it.Close()
		}
		return nil
	})
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out, err
}
