package outbox

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// The customer-service window: for 24 hours after a resident's own
// message the Cloud API delivers free-form text to them; outside it only
// approved templates. The sender tracks each resident's last inbound
// message (by international number) from the messages webhook.

var windowPrefix = []byte{prefix, 0, 'i'} // 'o' 0 'i' number → last inbound, unix ms

// Window is how long after a resident's message free-form text is allowed.
const Window = 24 * time.Hour

// windowMargin closes the window early: a text sent in its last minutes
// may reach Meta after it closed and be refused (131047).
const windowMargin = 10 * time.Minute

func windowKey(number string) []byte { return append(append([]byte{}, windowPrefix...), number...) }

// Inbound records a message from the resident at number (any accepted
// form) received at at; an older message than the one recorded changes
// nothing, since Meta may deliver webhooks out of order.
func (o *Outbox) Inbound(number string, at time.Time) error {
	to, err := InternationalNumber(number)
	if err != nil {
		return err
	}
	return o.update(func(txn *badger.Txn) error {
		if last, ok, err := lastInbound(txn, to); err != nil || (ok && !at.After(last)) {
			return err
		}
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(at.UnixMilli()))
		return txn.Set(windowKey(to), b[:])
	})
}

// WindowOpen reports whether free-form text to number is allowed now.
func (o *Outbox) WindowOpen(number string) bool {
	to, err := InternationalNumber(number)
	if err != nil {
		return false
	}
	var last time.Time
	var ok bool
	_ = o.db.View(func(txn *badger.Txn) error {
		last, ok, err = lastInbound(txn, to)
		return err
	})
	return ok && o.now().Before(last.Add(Window-windowMargin))
}

func lastInbound(txn *badger.Txn, to string) (time.Time, bool, error) {
	item, err := txn.Get(windowKey(to))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return time.Time{}, false, nil
	} else if err != nil {
		return time.Time{}, false, err
	}
	v, err := item.ValueCopy(nil)
	if err != nil || len(v) != 8 {
		return time.Time{}, false, err
	}
	return time.UnixMilli(int64(binary.BigEndian.Uint64(v))), true, nil
}
