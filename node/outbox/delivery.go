package outbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// After the gateway accepts a message, Meta reports its fate later through
// the messages webhook: sent, delivered, read, or failed with an error
// code. Meta repeats webhooks and does not keep their order, so a state
// never moves backwards: a late "sent" after "read" changes nothing.

// Delivery states of a message the gateway accepted.
const (
	Accepted  = "accepted"
	Sent      = "sent"
	Delivered = "delivered"
	Read      = "read"
	Failed    = "failed"
)

// rank orders the states. Failed sits below delivered: with several
// devices Meta may report a failure and then the delivery (or the other
// way round), and a message that reached the resident's phone has
// reached them.
var rank = map[string]int{Accepted: 0, Sent: 1, Failed: 2, Delivered: 3, Read: 4}

var (
	trackPrefix = []byte{prefix, 0, 't'} // 'o' 0 't' request 0 notice → Delivery
	msgPrefix   = []byte{prefix, 0, 'm'} // 'o' 0 'm' wamid → track key
)

// Delivery is what is known of a notice the gateway accepted.
type Delivery struct {
	Notice   Notice `json:"notice"`
	Message  string `json:"message"` // the Cloud API's wamid
	State    string `json:"state"`
	FreeForm bool   `json:"free_form,omitempty"` // sent as text inside the window
	Code     int    `json:"code,omitempty"`      // Meta's error code, when failed
	Reason   string `json:"reason,omitempty"`    // why it failed, in Bahasa
	// Permanent: resending cannot help (see DeadLetter.Permanent).
	Permanent bool      `json:"permanent,omitempty"`
	Updated   time.Time `json:"updated"`
}

// StatusUpdate is one status of a messages webhook.
type StatusUpdate struct {
	Message  string    // wamid
	Callback string    // biz_opaque_callback_data: the notice's ID
	State    string    // sent, delivered, read, failed
	At       time.Time // Meta's timestamp
	Code     int       // first error's code, when failed
	Title    string    // first error's title, when failed
}

func trackKey(request, id string) []byte {
	k := append(append([]byte{}, trackPrefix...), request...)
	return append(append(k, 0), id...)
}

func msgKey(wamid string) []byte { return append(append([]byte{}, msgPrefix...), wamid...) }

// WithObserver has observe told of every delivery state after it is
// stored (the node publishes it to the other offices).
func WithObserver(observe func(Delivery)) Option {
	return func(o *Outbox) { o.observe = observe }
}

// track records an accepted message inside the caller's transaction.
func (o *Outbox) track(txn *badger.Txn, n Notice, msg string) error {
	d := Delivery{Notice: n, Message: msg, State: Accepted, FreeForm: n.FreeForm, Updated: o.now()}
	d.Notice.Sending = false
	k := trackKey(n.Request, n.ID)
	if err := putJSON(txn, k, d); err != nil {
		return err
	}
	return txn.Set(msgKey(msg), k)
}

func putJSON(txn *badger.Txn, k []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(k, b)
}

func getJSON(txn *badger.Txn, k []byte, v any) (bool, error) {
	item, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, item.Value(func(b []byte) error { return json.Unmarshal(b, v) })
}

// Status applies one status webhook and reports whether it changed
// anything. A status for an unknown message is ignored (it was sent by
// another tool on the same number, or is older than this node's data); a
// failed message goes to the dead letters with Meta's code and a reason.
func (o *Outbox) Status(u StatusUpdate) (bool, error) {
	if _, ok := rank[u.State]; !ok || u.State == Accepted || u.Message == "" {
		return false, nil
	}
	var changed, buried, recovered bool
	var after Delivery
	err := o.update(func(txn *badger.Txn) error {
		changed, buried, recovered = false, false, false
		d, k, ok, err := o.lookup(txn, u, &recovered)
		if err != nil || !ok || !advances(d.State, u.State) {
			return err
		}
		if d.State == Failed { // delivered after all: no longer a dead letter
			recovered = true
			if err := o.unbury(txn, d.Notice.ID); err != nil {
				return err
			}
		}
		d.State, d.Updated, changed = u.State, o.now(), true
		if u.State == Failed {
			d.Code, d.Reason, d.Permanent = u.Code, Reason(u.Code, u.Title), permanentCodes[u.Code]
			buried = true
			if err := o.buryTxn(txn, d.Notice, d.Reason, u.Code); err != nil {
				return err
			}
		}
		after = d
		return putJSON(txn, k, d)
	})
	if err == nil && (buried || recovered) {
		// The gauges follow the tables; a notice recovered from the queue
		// or the dead letters left one of them.
		o.resync()
	}
	if err == nil && changed && o.observe != nil {
		o.observe(after)
	}
	return changed, err
}

// advances reports whether a message in state from may move to to.
func advances(from, to string) bool { return rank[to] > rank[from] }

// lookup finds the tracked message of a status. A message not tracked
// yet may be one whose send outlived the node (a crash between Meta's 200
// and the delivered mark): its callback data names the notice, still
// marked sending or parked as uncertain, and the status proves Meta has
// it, so it is tracked from here instead of waiting for an officer.
func (o *Outbox) lookup(txn *badger.Txn, u StatusUpdate, recovered *bool) (Delivery, []byte, bool, error) {
	var d Delivery
	var k []byte
	if item, err := txn.Get(msgKey(u.Message)); err == nil {
		if k, err = item.ValueCopy(nil); err != nil {
			return d, nil, false, err
		}
		ok, err := getJSON(txn, k, &d)
		return d, k, ok, err
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return d, nil, false, err
	}
	n, found, err := o.inFlight(txn, u.Callback)
	if err != nil || !found {
		return d, nil, false, err
	}
	*recovered = true
	if err := o.track(txn, n, u.Message); err != nil {
		return d, nil, false, err
	}
	k = trackKey(n.Request, n.ID)
	_, err = getJSON(txn, k, &d)
	return d, k, true, err
}

// inFlight takes a notice that may have reached Meta without the node
// learning it: pending and marked sending, or an uncertain dead letter.
func (o *Outbox) inFlight(txn *badger.Txn, id string) (Notice, bool, error) {
	if id == "" {
		return Notice{}, false, nil
	}
	var n Notice
	if ok, err := getJSON(txn, key(id), &n); err != nil || (ok && n.Sending) {
		if err == nil {
			err = txn.Delete(key(id))
		}
		return n, err == nil, err
	}
	var dl DeadLetter
	if ok, err := getJSON(txn, deadKey(id), &dl); err != nil || !ok || !dl.Uncertain {
		return Notice{}, false, err
	}
	return dl.Notice, true, txn.Delete(deadKey(id))
}

func (o *Outbox) unbury(txn *badger.Txn, id string) error {
	if _, err := txn.Get(deadKey(id)); errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	return txn.Delete(deadKey(id))
}

// resync counts the queue and the dead letters again after a status moved
// a notice between them.
func (o *Outbox) resync() {
	if n, err := o.Pending(); err == nil {
		o.depth.Store(int64(len(n)))
	}
	if d, err := o.countDead(); err == nil {
		o.dead.Store(int64(d))
	}
}

// Deliveries are the tracked messages of one request, in queue order.
func (o *Outbox) Deliveries(request string) ([]Delivery, error) {
	var out []Delivery
	p := trackKey(request, "")
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var d Delivery
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &d) }); err != nil {
				return fmt.Errorf("corrupt delivery: %w", err)
			}
			out = append(out, d)
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b Delivery) int { return queueOrder(a.Notice, b.Notice) })
	return out, err
}
