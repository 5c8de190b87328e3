package request

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// A filing key makes a filing safe to retry: a counter program, the
// console or the portal sends the same key when it sends the same form
// again (a double click, a reload of the answer, a retry after a lost
// reply), and the node answers with the request the first filing made
// instead of a second one. Keys are this node's own, kept beside the
// request in the same transaction, and never replicated: a retry goes to
// the node that took the first attempt.

// keyPrefix is the table of filing keys: 'I' key → request id.
const keyPrefix = 'I'

// MaxKeyLen bounds the key a client sends (a UUID or a random token
// fits); the edge may prefix it with who sent it, within maxStoredKey.
const (
	MaxKeyLen    = 64
	maxStoredKey = 512
)

func filingKey(k string) []byte { return append([]byte{keyPrefix}, k...) }

// errFiled carries the request an earlier filing with the same key made.
type errFiled struct{ id string }

func (e errFiled) Error() string { return "permohonan ini sudah diterima: " + e.id }

// CheckKey checks the filing key a client sent.
func CheckKey(k string) error {
	if len(k) > MaxKeyLen {
		return fmt.Errorf("%w: kunci pengajuan lebih dari %d karakter", ErrInvalid, MaxKeyLen)
	}
	for _, c := range k {
		if c <= ' ' || c > '~' {
			return fmt.Errorf("%w: kunci pengajuan hanya boleh berisi huruf, angka dan tanda baca ASCII", ErrInvalid)
		}
	}
	return nil
}

func checkStoredKey(k string) error {
	if len(k) > maxStoredKey {
		return fmt.Errorf("%w: kunci pengajuan terlalu panjang", ErrInvalid)
	}
	return nil
}

// filed is the request an earlier filing with key made, if any.
func (s *Service) filed(key string) (string, bool, error) {
	if key == "" {
		return "", false, nil
	}
	var id string
	err := s.store.DB().View(func(txn *badger.Txn) error {
		it, err := txn.Get(filingKey(key))
		if err != nil {
			return err
		}
		b, err := it.ValueCopy(nil)
		id = string(b)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return "", false, nil
	}
	return id, err == nil, err
}

// claim records key for id inside the filing's transaction; a filing with
// the same key that committed first wins (badger refuses the later
// transaction that read the key, and Create then finds the first).
func claim(txn *badger.Txn, key, id string) error {
	if key == "" {
		return nil
	}
	it, err := txn.Get(filingKey(key))
	if err == nil {
		b, err := it.ValueCopy(nil)
		if err != nil {
			return err
		}
		return errFiled{id: string(b)}
	}
	if !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	return txn.Set(filingKey(key), []byte(id))
}
