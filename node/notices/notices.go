package notices

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/fault"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
)

// Entity kinds and event types.
const (
	Kind        = "pemberitahuan"
	TypeQueued  = "pemberitahuan.antre"
	TypeStatus  = "pemberitahuan.status"
	KindOptOut  = "warga-wa"
	TypeStopped = "warga-wa.berhenti"
)

// ErrOptedOut is the dead letter's reason for a resident who wrote
// BERHENTI.
var ErrOptedOut = fault.New(fault.Precondition, "warga telah mengirim BERHENTI: pemberitahuan WhatsApp tidak dikirim; hubungi warga dengan cara lain bila perlu")

func entity(request, notice string) string { return request + "/" + notice }

// Relay is the outbox sender of an office without the number: a notice is
// sent when its event is in the log.
type Relay struct{ Store *store.Store }

// Send writes the notice's pemberitahuan.antre event, once: a retry after
// a crash between the event and the outbox's delivered mark finds it.
func (r Relay) Send(_ context.Context, n outbox.Notice) error {
	id := entity(n.Request, n.ID)
	if _, err := r.Store.State(Kind, id); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	b, err := proto.Marshal(&eventpb.NoticeQueued{Notice: n.ID, Request: n.Request, To: n.To, Kind: n.Kind, Vars: n.Vars,
		Text: n.Text, CreatedUnixMs: n.Created.UnixMilli()})
	if err != nil {
		return outbox.Permanent(err)
	}
	_, err = r.Store.Append(store.Draft{Kind: Kind, Entity: id, Type: TypeQueued, Payload: b}, nil)
	return err
}

// Queue is the sender's observer inside a store transaction: every
// notice another office handed to the log goes into the sender's outbox
// with the event. It returns how many it queued.
func Queue(txn *badger.Txn, ob *outbox.Outbox, self string, applied []*event.Event) (int, error) {
	queued := 0
	for _, e := range applied {
		if e.Type != TypeQueued || e.Origin.String() == self {
			continue
		}
		var m eventpb.NoticeQueued
		if err := proto.Unmarshal(e.Payload, &m); err != nil {
			continue // a malformed payload was signed by an office: skip, never block the batch
		}
		n := outbox.Notice{ID: m.Notice, Request: m.Request, To: m.To, Kind: m.Kind, Vars: m.Vars, Text: m.Text,
			Created: time.UnixMilli(m.CreatedUnixMs)}
		if err := ob.Enqueue(txn, n); err != nil {
			return queued, err
		}
		queued++
	}
	return queued, nil
}

// Publish records a delivery state as a pemberitahuan.status event.
func Publish(st *store.Store, d outbox.Delivery) error {
	b, err := proto.Marshal(&eventpb.NoticeStatus{Notice: d.Notice.ID, Request: d.Notice.Request, Kind: d.Notice.Kind,
		State: d.State, Message: d.Message, Code: int32(d.Code), Reason: d.Reason, FreeForm: d.FreeForm,
		Permanent: d.Permanent})
	if err != nil {
		return err
	}
	_, err = st.Append(store.Draft{Kind: Kind, Entity: entity(d.Notice.Request, d.Notice.ID), Type: TypeStatus, Payload: b}, nil)
	return err
}

// State is a notice as every office sees it.
type State struct {
	Notice    string `json:"notice"`
	Request   string `json:"request"`
	Kind      string `json:"kind"`
	State     string `json:"state"` // "" while it waits for the dinas's sender
	Code      int    `json:"code,omitempty"`
	Reason    string `json:"reason,omitempty"`
	FreeForm  bool   `json:"free_form,omitempty"`
	Permanent bool   `json:"permanent,omitempty"`
}

// Of lists a request's notices.
func Of(st *store.Store, request string) ([]State, error) {
	var out []State
	var bad error
	prefix := request + "/"
	err := st.Each(Kind, prefix, func(id string, b []byte) bool {
		if !strings.HasPrefix(id, prefix) {
			return false
		}
		var s State
		if err := json.Unmarshal(b, &s); err != nil {
			bad = fmt.Errorf("notice %s: %w", id, err)
			return false
		}
		out = append(out, s)
		return true
	})
	return out, cmp.Or(err, bad)
}
