package outbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/node/fault"
)

// ErrNotDead is returned by Retry for a notice not in the dead letters.
var ErrNotDead = fault.New(fault.NotFound, "pemberitahuan tidak ada di daftar gagal kirim")

// errUncertain is the error of a notice parked because the node stopped
// while it was being sent.
const errUncertain = "node berhenti saat pemberitahuan sedang dikirim: mungkin sudah diterima warga, periksa sebelum mengirim ulang"

// DeadLetter is a notice the outbox gave up on, for an officer to look at
// and perhaps retry.
type DeadLetter struct {
	Notice Notice    `json:"notice"`
	Error  string    `json:"error"` // the last send's error
	At     time.Time `json:"at"`    // when it was given up
	// Uncertain: the node stopped mid-send, so the resident may already
	// have the message; check (e.g. in WhatsApp Manager, by the notice ID
	// sent as biz_opaque_callback_data) before retrying.
	Uncertain bool `json:"uncertain,omitempty"`
	// Code is Meta's error code when a status webhook reported the
	// message failed; Permanent when resending cannot help (131026: the
	// number cannot receive WhatsApp), so the officer reaches the resident
	// another way.
	Code      int  `json:"code,omitempty"`
	Permanent bool `json:"permanent,omitempty"`
}

func deadKey(id string) []byte { return append(append([]byte{}, deadPrefix...), id...) }

// bury moves a notice from the queue to the dead letters in one
// transaction, so it is in exactly one of them.
func (o *Outbox) bury(n Notice, reason string, uncertain bool) {
	o.buryLetter(DeadLetter{Notice: n, Error: reason, Uncertain: uncertain})
}

// buryFailed files a notice whose send failed for good, with the Cloud
// API's code when it gave one.
func (o *Outbox) buryFailed(n Notice, err error) {
	d := DeadLetter{Notice: n, Error: err.Error(), Permanent: IsPermanent(err)}
	var ge *GatewayError
	if errors.As(err, &ge) {
		d.Code = ge.Code
	}
	o.buryLetter(d)
}

func (o *Outbox) buryLetter(d DeadLetter) {
	n, reason, uncertain := d.Notice, d.Error, d.Uncertain
	n.Sending = false
	d.Notice, d.At = n, o.now()
	err := o.update(func(txn *badger.Txn) error {
		if err := putJSON(txn, deadKey(n.ID), d); err != nil {
			return err
		}
		return txn.Delete(key(n.ID))
	})
	if err != nil {
		o.log.Error("move notice to dead letters", "id", n.ID, "err", err)
		return
	}
	o.depth.Add(-1)
	o.dead.Add(1)
	o.log.Warn("notice given up", "id", n.ID, "request", n.Request, "attempts", n.Attempts, "uncertain", uncertain, "err", reason)
}

// buryTxn files a dead letter for a message Meta reported failed; the
// notice had already left the queue when the gateway accepted it.
func (o *Outbox) buryTxn(txn *badger.Txn, n Notice, reason string, code int) error {
	d := DeadLetter{Notice: n, Error: reason, At: o.now(), Code: code, Permanent: permanentCodes[code]}
	o.log.Warn("notice failed", "id", n.ID, "request", n.Request, "code", code, "reason", reason)
	return putJSON(txn, deadKey(n.ID), d)
}

// DeadLetters lists the notices given up on, in ID order.
func (o *Outbox) DeadLetters() ([]DeadLetter, error) {
	var out []DeadLetter
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: deadPrefix, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var d DeadLetter
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &d) }); err != nil {
				return fmt.Errorf("corrupt dead letter: %w", err)
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// Retry puts a dead letter back in the queue with a fresh count of
// attempts, to be sent at once. The officer who calls it for an uncertain
// one accepts that the resident may get the message twice.
func (o *Outbox) Retry(id string) error {
	err := o.update(func(txn *badger.Txn) error {
		item, err := txn.Get(deadKey(id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return ErrNotDead
		} else if err != nil {
			return err
		}
		var d DeadLetter
		if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &d) }); err != nil {
			return fmt.Errorf("corrupt dead letter: %w", err)
		}
		n := d.Notice
		n.Attempts, n.Failures, n.Next, n.LastError, n.Sending = 0, 0, time.Time{}, "", false
		if err := o.Enqueue(txn, n); err != nil {
			return err
		}
		return txn.Delete(deadKey(id))
	})
	if err != nil {
		return err
	}
	o.dead.Add(-1)
	o.Committed(1)
	return nil
}

// countDead counts the dead letters without reading them.
func (o *Outbox) countDead() (int, error) {
	count := 0
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: deadPrefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			count++
		}
		return nil
	})
	return count, err
}
