// Package outbox is the durable queue of WhatsApp notices to residents. A
// notice is written in the same transaction as the event that caused it, so
// it exists exactly when the change does, and leaves the queue only when its
// sender accepted it or it moved to the dead letters: nothing is lost
// across crashes.
//
// A notice the gateway accepted is never sent again by the outbox on its
// own: each send is preceded by a durable "sending" mark, and a notice
// still marked at the next pass (the node died between the gateway's answer
// and the delivered mark) becomes an uncertain dead letter for an officer
// to check and perhaps Retry. A send that returned an error is retried with
// the notice's ID as idempotency key; if the gateway had accepted it and
// only its answer was lost, and it ignores the key, the resident gets the
// message twice: the one at-least-once case left (see whatsapp.go).
package outbox

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Key layout. The outbox owns the one-byte table 'o' of the node's store:
// pending notices are 'o' id; its sub-tables start with 'o' 0, which no
// notice ID (an event ID, "<peer>/<seq>") does.
const prefix = 'o'

var deadPrefix = []byte{prefix, 0, 'd'} // 'o' 0 'd' id → DeadLetter

// Notice is one message to a resident.
type Notice struct {
	ID      string `json:"id"`
	Request string `json:"request"`
	To      string `json:"to"`
	Text    string `json:"text"`
	// Kind (a request status, or kartu_siap) picks the approved template
	// the notice is sent as outside the customer-service window; Vars fill
	// its body parameters. A notice without a kind is sent as Text.
	Kind string            `json:"kind,omitempty"`
	Vars map[string]string `json:"vars,omitempty"`
	// FreeForm is set for one send when the resident's window is open:
	// the text goes as it is, no template needed.
	FreeForm bool      `json:"-"`
	Created  time.Time `json:"created"`
	Attempts int       `json:"attempts"` // sends that reached (or may have reached) the gateway
	// Failures counts every failed send, also those that never left the
	// office (no network); it sets the backoff, Attempts the limit.
	Failures  int       `json:"failures,omitempty"`
	Next      time.Time `json:"next,omitzero"` // not sent before
	LastError string    `json:"last_error,omitempty"`
	// Sending is durable from just before a send until its outcome is
	// recorded; still set at startup means the node died mid-send.
	Sending bool `json:"sending,omitempty"`
}

// Sender delivers a notice. An error wrapped by Permanent means resending
// cannot help; one wrapped by Offline means the notice surely did not reach
// the gateway; any other error means "try again later".
type Sender interface {
	Send(ctx context.Context, n Notice) error
}

// Tracker is a Sender whose gateway names each accepted message (the Cloud
// API's wamid), so its delivery can be followed by webhook.
type Tracker interface {
	SendTracked(ctx context.Context, n Notice) (message string, err error)
}

// LogSender is the default sender until a gateway is configured: it logs.
type LogSender struct{ Log *slog.Logger }

// Send logs the notice.
func (l LogSender) Send(_ context.Context, n Notice) error {
	if l.Log != nil {
		l.Log.Info("whatsapp notice", "to", n.To, "request", n.Request, "text", n.Text)
	}
	return nil
}

// Outbox queues and delivers notices.
type Outbox struct {
	db     *badger.DB
	sender Sender
	log    *slog.Logger
	wake   chan struct{}
	depth  atomic.Int64
	dead   atomic.Int64

	maxAttempts int
	minBackoff  time.Duration
	maxBackoff  time.Duration
	grace       time.Duration // an in-flight send may finish after shutdown
	idle        time.Duration // poll even without a wake-up, as a safety net
	now         func() time.Time
	after       func(time.Duration) <-chan time.Time
	rand        io.Reader
	observe     func(Delivery)
}

// New opens the outbox table in db.
func New(db *badger.DB, sender Sender, log *slog.Logger, opts ...Option) *Outbox {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	o := &Outbox{
		db: db, sender: sender, log: log, wake: make(chan struct{}, 1),
		maxAttempts: DefaultMaxAttempts, minBackoff: DefaultMinBackoff, maxBackoff: DefaultMaxBackoff,
		grace: 10 * time.Second, idle: time.Minute,
		now: time.Now, after: time.After, rand: rand.Reader,
	}
	for _, opt := range opts {
		opt(o)
	}
	n, _ := o.Pending()
	o.depth.Store(int64(len(n)))
	d, _ := o.countDead()
	o.dead.Store(int64(d))
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
	o.nudge()
}

func (o *Outbox) nudge() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Depth is the number of notices not yet delivered (dead letters excluded).
func (o *Outbox) Depth() int { return int(o.depth.Load()) }

// DeadCount is the number of dead letters: notices given up on, waiting
// for an officer.
func (o *Outbox) DeadCount() int { return int(o.dead.Load()) }

// Run delivers notices until ctx ends. Each failed notice waits its own
// backoff, so one bad number does not hold up the others; a request's own
// notices keep their order (see deliver).
func (o *Outbox) Run(ctx context.Context) {
	for {
		next := o.deliver(ctx)
		wait := o.idle
		if !next.IsZero() {
			wait = min(max(next.Sub(o.now()), 0), o.idle)
		}
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		case <-o.after(wait):
		}
	}
}

// Pass sends every due notice once, as each round of Run does, and
// returns when the earliest of the rest is due (zero: none waiting). Tests
// and tools drive an outbox that is not Running with it.
func (o *Outbox) Pass(ctx context.Context) time.Time { return o.deliver(ctx) }

// deliver sends every due notice once and returns when the earliest of the
// rest is due (zero: none waiting).
//
// A notice waits while an earlier one of the same request is still queued:
// otherwise a notice that failed and backs off is overtaken by the next
// status's, and the resident reads "selesai" before "sedang diproses".
func (o *Outbox) deliver(ctx context.Context) time.Time {
	pending, err := o.Pending()
	if err != nil {
		o.log.Error("read outbox", "err", err)
		return o.now().Add(o.minBackoff)
	}
	o.depth.Store(int64(len(pending)))
	var next time.Time
	held := map[string]bool{} // requests with an earlier notice still queued
	for _, n := range pending {
		if ctx.Err() != nil {
			return time.Time{}
		}
		if n.Sending {
			// Only this loop sends, so a stored mark here outlived its
			// send: the node died (or its store failed) between the
			// gateway's answer and the delivered mark.
			o.bury(n, errUncertain, true)
			continue
		}
		if n.Request != "" && held[n.Request] {
			continue // sent after the earlier one leaves the queue
		}
		due := n.Next
		if !due.After(o.now()) {
			var stop bool
			if due, stop = o.attempt(ctx, n); stop {
				// The gateway is out of reach (or the store fails): the
				// rest would fail alike, so they wait for this retry.
				return due
			}
		}
		if !due.IsZero() {
			held[n.Request] = true
		}
		next = earliest(next, due)
	}
	return next
}

// attempt sends one notice and records the outcome. It returns when the
// notice is due again (zero if it left the queue) and whether this pass
// should stop.
func (o *Outbox) attempt(ctx context.Context, n Notice) (time.Time, bool) {
	n.Sending = true
	if err := o.put(n); err != nil {
		// Never send without the mark: a crash would then resend it.
		o.log.Error("mark notice sending", "id", n.ID, "err", err)
		return o.now().Add(o.minBackoff), true
	}
	n.FreeForm = n.Kind == "" || o.WindowOpen(n.To)
	msg, err := o.send(ctx, n)
	n.Sending = false
	if err == nil {
		o.delivered(n, msg)
		return time.Time{}, false
	}
	return o.failed(n, err)
}

// send gives an in-flight send a grace period after shutdown begins: a send
// cut off mid-request is the case that can leave a resident with a
// duplicate, so a clean stop lets it finish.
func (o *Outbox) send(ctx context.Context, n Notice) (string, error) {
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		select {
		case <-o.after(o.grace):
			cancel()
		case <-sctx.Done():
		}
	})
	defer stop()
	if t, ok := o.sender.(Tracker); ok {
		return t.SendTracked(sctx, n)
	}
	return "", o.sender.Send(sctx, n)
}

// delivered removes a sent notice: this delete is the delivered mark. A
// message the gateway named (its wamid) is tracked from here on by the
// status webhooks, in the same transaction.
func (o *Outbox) delivered(n Notice, msg string) {
	taken := false
	err := o.update(func(txn *badger.Txn) error {
		taken = false
		if _, err := txn.Get(key(n.ID)); errors.Is(err, badger.ErrKeyNotFound) {
			// Meta's status came before its answer to the send, and
			// tracked the message from its callback data (lookup): that
			// record holds a later state than accepted.
			taken = true
			return nil
		} else if err != nil {
			return err
		}
		if msg != "" {
			if err := o.track(txn, n, msg); err != nil {
				return err
			}
		}
		return txn.Delete(key(n.ID))
	})
	if err == nil && taken {
		return
	}
	if err == nil && msg != "" && o.observe != nil {
		o.observe(Delivery{Notice: n, Message: msg, State: Accepted, FreeForm: n.FreeForm, Updated: o.now()})
	}
	if err != nil {
		// The record keeps Sending set, so the next pass (here or after
		// a restart) parks it as uncertain rather than sending it again.
		o.log.Error("mark notice delivered", "id", n.ID, "err", err)
		return
	}
	o.depth.Add(-1)
}

// failed records a failed send: a retry later, or a dead letter.
func (o *Outbox) failed(n Notice, err error) (time.Time, bool) {
	n.Failures++
	n.LastError = err.Error()
	offline := IsOffline(err)
	if !offline {
		n.Attempts++
	}
	switch {
	case IsPermanent(err), n.Attempts >= o.maxAttempts:
		o.buryFailed(n, err)
		return time.Time{}, false
	}
	n.Next = o.now().Add(o.backoff(n.Failures))
	o.log.Warn("notice not delivered", "id", n.ID, "attempts", n.Attempts, "next", n.Next, "err", err)
	if perr := o.put(n); perr != nil {
		o.log.Error("record notice failure", "id", n.ID, "err", perr)
	}
	return n.Next, offline
}

func (o *Outbox) put(n Notice) error {
	return o.update(func(txn *badger.Txn) error { return o.Enqueue(txn, n) })
}

// conflictRetries bounds how often update tries a transaction again.
const conflictRetries = 8

// update runs fn in a transaction, again when badger reports that a key
// it read was written meanwhile: a status webhook and the send it reports
// on touch the same notice at once, and neither may be lost to the other.
func (o *Outbox) update(fn func(txn *badger.Txn) error) error {
	for attempt := 1; ; attempt++ {
		err := o.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) || attempt == conflictRetries {
			return err
		}
	}
}

// Pending lists the notices waiting to be sent, in the order they were
// queued (see queueOrder).
func (o *Outbox) Pending() ([]Notice, error) {
	var out []Notice
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefix}, PrefetchValues: true})
		defer it.Close()
		// Sub-tables sort first ('o' 0 …): start past them.
		for it.Seek([]byte{prefix, 1}); it.Valid(); it.Next() {
			var n Notice
			err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &n) })
			if err != nil {
				return errors.Join(errors.New("corrupt notice"), err)
			}
			out = append(out, n)
		}
		return nil
	})
	slices.SortStableFunc(out, queueOrder)
	return out, err
}

// queueOrder orders notices by their IDs, event IDs "<origin>/<seq>", with
// the sequence compared as a number: in key order "p/10" comes before
// "p/9". A node queues notices only for its own events, so this is the
// order in which they were queued.
func queueOrder(a, b Notice) int {
	ao, as := splitSeq(a.ID)
	bo, bs := splitSeq(b.ID)
	return cmp.Or(strings.Compare(ao, bo), cmp.Compare(as, bs), strings.Compare(a.ID, b.ID))
}

// splitSeq splits "<origin>/<seq>"; an ID of another form sorts as a whole
// with sequence 0.
func splitSeq(id string) (string, uint64) {
	i := strings.LastIndexByte(id, '/')
	if i < 0 {
		return id, 0
	}
	seq, err := strconv.ParseUint(id[i+1:], 10, 64)
	if err != nil {
		return id, 0
	}
	return id[:i], seq
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}
