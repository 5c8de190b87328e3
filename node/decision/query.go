package decision

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Queries the machine answers for linearizable reads (through the leader).
const (
	QueryNIK      = "nik"   // nik → the subject holding it
	QueryCard     = "kartu" // nik → active blank serial
	QueryDecision = "key"   // command key → decision bytes
)

// Query implements consensus.Querier: q is "<kind>:<arg>".
func (f *FSM) Query(q []byte) ([]byte, error) {
	kind, arg, ok := strings.Cut(string(q), ":")
	if !ok {
		return nil, fmt.Errorf("query %q: want kind:arg", q)
	}
	var out []byte
	err := f.db.View(func(txn *badger.Txn) error {
		r := rules{txn}
		var err error
		switch kind {
		case QueryNIK:
			out, _, err = r.get(nikKey(arg))
		case QueryCard:
			var n uint64
			if n, err = r.getU64(activeCardKey(arg), 0); n > 0 {
				out = []byte(strconv.FormatUint(n, 10))
			}
		case QueryDecision:
			var n []byte
			var ok bool
			if n, ok, err = r.get(keyOf(arg)); ok && err == nil && len(n) == 8 {
				out, _, err = r.decision(binary.BigEndian.Uint64(n))
			}
		default:
			err = fmt.Errorf("unknown query %q", kind)
		}
		return err
	})
	return out, err
}

// StateHash digests every key and value of the machine: replicas that
// applied the same log have the same hash.
func (f *FSM) StateHash() ([32]byte, error) {
	h := sha256.New()
	err := f.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefix}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%x=%x;", it.Item().Key(), v)
		}
		return nil
	})
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out, err
}
