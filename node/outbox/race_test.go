package outbox

import (
	"context"
	"testing"
)

// earlyStatus is a gateway whose failure webhook is applied before it
// answers the send, as Meta's can be for a number not on WhatsApp.
type earlyStatus struct {
	o   *Outbox
	err error
}

func (e *earlyStatus) Send(ctx context.Context, n Notice) error {
	_, err := e.SendTracked(ctx, n)
	return err
}

func (e *earlyStatus) SendTracked(_ context.Context, n Notice) (string, error) {
	_, e.err = e.o.Status(StatusUpdate{Message: "wamid.early", Callback: n.ID, State: Failed, Code: 131026, Title: "Message undeliverable"})
	return "wamid.early", nil
}

// A failure reported before the send's answer stays the notice's state:
// the answer's "accepted" arrives later but says less, and must neither
// overwrite the failure nor be told to the other offices after it.
func TestStatusBeforeTheSendAnswers(t *testing.T) {
	db := openDB(t, t.TempDir())
	defer db.Close()
	gw := &earlyStatus{}
	var told []string
	o := New(db, gw, nil, WithObserver(func(d Delivery) { told = append(told, d.State) }))
	gw.o = o
	n := notice("p/1")
	enqueue(t, o, db, n)
	o.deliver(context.Background())
	if gw.err != nil {
		t.Fatal(gw.err)
	}
	ds, err := o.Deliveries(n.Request)
	if err != nil || len(ds) != 1 || ds[0].State != Failed || ds[0].Code != 131026 {
		t.Fatalf("deliveries %+v, %v; want one failed with 131026", ds, err)
	}
	dead, _ := o.DeadLetters()
	if len(dead) != 1 || o.Depth() != 0 || o.DeadCount() != 1 {
		t.Fatalf("dead letters %+v, depth %d, dead %d", dead, o.Depth(), o.DeadCount())
	}
	if len(told) != 1 || told[0] != Failed {
		t.Fatalf("told the offices %v, want only failed", told)
	}
}
