package notices

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/replication/store"
)

// Stop records that the resident at number wrote BERHENTI, at any office
// (the conversation runs at the dinas; an officer may record it too).
func Stop(st *store.Store, number string, at time.Time) error {
	to, err := outbox.InternationalNumber(number)
	if err != nil {
		return err
	}
	if OptedOut(st, to) {
		return nil
	}
	b, err := proto.Marshal(&eventpb.WhatsAppOptOut{Number: to, AtUnixMs: at.UnixMilli()})
	if err != nil {
		return err
	}
	_, err = st.Append(store.Draft{Kind: KindOptOut, Entity: to, Type: TypeStopped, Payload: b}, nil)
	return err
}

// OptedOut reports whether the resident at number wrote BERHENTI, as far
// as this office knows.
func OptedOut(st *store.Store, number string) bool {
	to, err := outbox.InternationalNumber(number)
	if err != nil {
		return false
	}
	_, err = st.State(KindOptOut, to)
	return err == nil
}

// Gate is the sender's check before the Cloud API: a resident who wrote
// BERHENTI gets nothing, and the notice becomes a dead letter saying so.
type Gate struct {
	Next  outbox.Sender
	Store *store.Store
}

// Send implements outbox.Sender.
func (g Gate) Send(ctx context.Context, n outbox.Notice) error {
	_, err := g.SendTracked(ctx, n)
	return err
}

// SendTracked implements outbox.Tracker.
func (g Gate) SendTracked(ctx context.Context, n outbox.Notice) (string, error) {
	if OptedOut(g.Store, n.To) {
		return "", outbox.Permanent(ErrOptedOut)
	}
	if t, ok := g.Next.(outbox.Tracker); ok {
		return t.SendTracked(ctx, n)
	}
	return "", g.Next.Send(ctx, n)
}

var _ outbox.Tracker = Gate{}
