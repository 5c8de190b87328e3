package outbox

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// A request's notices reach the resident in the order they were queued,
// also when the first one fails and backs off; another request's notice is
// not held up by it. Sequence numbers compare as numbers (p/9 before p/10,
// which key order would reverse).
func TestRequestNoticesKeepTheirOrder(t *testing.T) {
	g, srv := newGateway(t, 503)
	o, db, c := manual(t, newSender(t, srv))
	diproses, selesai, other := notice("p/9"), notice("p/10"), notice("p/11")
	diproses.Request, selesai.Request = "REQ-1", "REQ-1"
	enqueue(t, o, db, selesai, other, diproses)

	next := o.deliver(context.Background())
	if want := []string{diproses.Text, other.Text}; !reflect.DeepEqual(g.sent(), want) {
		t.Fatalf("first pass sent %q, want %q", g.sent(), want)
	}
	if next.IsZero() || o.Depth() != 2 {
		t.Fatalf("next %v depth %d", next, o.Depth())
	}
	c.advance(time.Minute)
	o.deliver(context.Background())
	want := []string{diproses.Text, other.Text, diproses.Text, selesai.Text}
	if !reflect.DeepEqual(g.sent(), want) || o.Depth() != 0 {
		t.Fatalf("sent %q, want %q (depth %d)", g.sent(), want, o.Depth())
	}
}

// The dead-letter count follows burials and retries, and survives a
// restart of the outbox on the same store.
func TestDeadCount(t *testing.T) {
	g, srv := newGateway(t, 400)
	dir := t.TempDir()
	db := openDB(t, dir)
	o := New(db, newSender(t, srv), nil)
	enqueue(t, o, db, notice("p/1"))
	o.deliver(context.Background())
	if o.DeadCount() != 1 || o.Depth() != 0 {
		t.Fatalf("after a 400: dead %d depth %d", o.DeadCount(), o.Depth())
	}
	db.Close()

	db = openDB(t, dir)
	defer db.Close()
	o = New(db, newSender(t, srv), nil)
	if o.DeadCount() != 1 {
		t.Fatalf("after restart: dead %d", o.DeadCount())
	}
	if err := o.Retry("p/1"); err != nil {
		t.Fatal(err)
	}
	if o.DeadCount() != 0 || o.Depth() != 1 {
		t.Fatalf("after retry: dead %d depth %d", o.DeadCount(), o.Depth())
	}
	o.deliver(context.Background())
	if _, acc := g.counts(); acc["p/1"] != 1 || o.Depth() != 0 {
		t.Fatalf("accepted %v depth %d", acc, o.Depth())
	}
}
