// Package outbox is the durable queue of WhatsApp notices to residents. A
// notice is written in the same transaction as the event that caused it, so
// it exists exactly when the change does, and is deleted only after its
// sender accepted it: nothing is lost across crashes, and a notice's ID (its
// event's ID) lets a gateway drop the rare duplicate after a crash mid-send.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

const prefix = 'o'

// Notice is one message to a resident.
type Notice struct {
	ID       string    `json:"id"`
	Request  string    `json:"request"`
	To       string    `json:"to"`
	Text     string    `json:"text"`
	Created  time.Time `json:"created"`
	Attempts int       `json:"attempts"`
}

// Sender delivers a notice; an error means "try again later".
type Sender interface {
	Send(ctx context.Context, n Notice) error
}

// LogSender is the default sender until a gateway is configured: it logs.
type LogSender struct{ Log *slog.Logger }

// Send logs the notice.
func (l LogSender) Send(_ context.Context, n Notice) error {
	l.Log.Info("whatsapp notice", "to", n.To, "request", n.Request, "text", n.Text)
	return nil
}

// Outbox queues and delivers notices.
type Outbox struct {
	db     *badger.DB
	sender Sender
	log    *slog.Logger
	wake   chan struct{}
	depth  atomic.Int64
}

// New opens the outbox table in db.
func New(db *badger.DB, sender Sender, log *slog.Logger) *Outbox {
	o := &Outbox{db: db, sender: sender, log: log, wake: make(chan struct{}, 1)}
	n, _ := o.pending()
	o.depth.Store(int64(len(n)))
	return o
}

func key(id string) []byte { return append([]byte{prefix}, id...) }

// Enqueue adds a notice inside the caller's transaction.
func (o *Outbox) Enqueue(txn *badger.Txn, n Notice) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return txn.Set(key(n.ID), b)
}

// Committed tells the outbox that enqueued notices are durable.
func (o *Outbox) Committed(count int) {
	o.depth.Add(int64(count))
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Depth is the number of notices not yet delivered.
func (o *Outbox) Depth() int { return int(o.depth.Load()) }

// Run delivers notices until ctx ends, retrying failures with backoff.
func (o *Outbox) Run(ctx context.Context) {
	backoff := time.Second
	for {
		failed := o.deliver(ctx)
		wait := time.Minute
		if failed {
			wait, backoff = backoff, min(2*backoff, 5*time.Minute)
		} else {
			backoff = time.Second
		}
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		case <-time.After(wait):
		}
	}
}

// deliver sends every pending notice once; it reports whether any failed.
func (o *Outbox) deliver(ctx context.Context) bool {
	pending, err := o.pending()
	if err != nil {
		o.log.Error("read outbox", "err", err)
		return true
	}
	failed := false
	for _, n := range pending {
		if ctx.Err() != nil {
			return false
		}
		if err := o.sender.Send(ctx, n); err != nil {
			failed = true
			n.Attempts++
			o.log.Warn("notice not delivered", "id", n.ID, "attempts", n.Attempts, "err", err)
			_ = o.db.Update(func(txn *badger.Txn) error { return o.Enqueue(txn, n) })
			continue
		}
		if err := o.db.Update(func(txn *badger.Txn) error { return txn.Delete(key(n.ID)) }); err == nil {
			o.depth.Add(-1)
		}
	}
	return failed
}

func (o *Outbox) pending() ([]Notice, error) {
	var out []Notice
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefix}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var n Notice
			err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &n) })
			if err != nil {
				return errors.Join(errors.New("corrupt notice"), err)
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}
