package notices

import (
	"encoding/json"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
)

// rank orders delivery states as outbox does: a state never moves back,
// whatever order the events arrive in. Equal ranks keep the later event
// by ID, so every replica folds the same state.
var rank = map[string]int{"": -1, "accepted": 0, "sent": 1, "failed": 2, "delivered": 3, "read": 4}

// Folder folds a notice's events: the queued one names it, the statuses
// give the furthest state. Only the sender writes statuses, so nothing
// here can conflict.
type Folder struct{}

// Fold implements store.Folder.
func (Folder) Fold(evs []*event.Event) (store.Folded, error) {
	var s State
	var best *event.Event
	for _, e := range evs {
		switch e.Type {
		case TypeQueued:
			var m eventpb.NoticeQueued
			if proto.Unmarshal(e.Payload, &m) == nil {
				s.Notice, s.Request, s.Kind = m.Notice, m.Request, m.Kind
			}
		case TypeStatus:
			var m eventpb.NoticeStatus
			if proto.Unmarshal(e.Payload, &m) != nil {
				continue
			}
			s.Notice, s.Request, s.Kind = m.Notice, m.Request, m.Kind
			r, ok := rank[m.State]
			if !ok || r < rank[s.State] || (r == rank[s.State] && best != nil && strings.Compare(e.ID().String(), best.ID().String()) < 0) {
				continue
			}
			best = e
			s.State, s.Code, s.Reason, s.FreeForm, s.Permanent = m.State, int(m.Code), m.Reason, m.FreeForm, m.Permanent
		}
	}
	b, err := json.Marshal(s)
	return store.Folded{State: b, Heads: heads(evs)}, err
}

// OptOutFolder folds a number's BERHENTI events: once is enough.
type OptOutFolder struct{}

// OptOut is a number that wrote BERHENTI.
type OptOut struct {
	Number string `json:"number"`
	AtMs   int64  `json:"at_ms"`
}

// Fold implements store.Folder.
func (OptOutFolder) Fold(evs []*event.Event) (store.Folded, error) {
	var o OptOut
	for _, e := range evs {
		var m eventpb.WhatsAppOptOut
		if e.Type == TypeStopped && proto.Unmarshal(e.Payload, &m) == nil && (o.AtMs == 0 || m.AtUnixMs < o.AtMs) {
			o = OptOut{Number: m.Number, AtMs: m.AtUnixMs}
		}
	}
	b, err := json.Marshal(o)
	return store.Folded{State: b, Heads: heads(evs)}, err
}

// heads are the events no other event of the entity depends on.
func heads(evs []*event.Event) []event.ID {
	covered := map[event.ID]bool{}
	for _, e := range evs {
		for _, d := range e.Deps {
			covered[d] = true
		}
	}
	var out []event.ID
	for _, e := range evs {
		if id := e.ID(); !covered[id] {
			out = append(out, id)
		}
	}
	return out
}
