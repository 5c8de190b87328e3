package notices

import (
	"encoding/json"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
)

func statusEvent(seq uint64, state string, code int32) *event.Event {
	b, _ := proto.Marshal(&eventpb.NoticeStatus{Notice: "k/1", Request: "R1", Kind: "baru", State: state, Code: code})
	return &event.Event{Origin: "sender", Seq: seq, Type: TypeStatus, Payload: b}
}

// Every office folds a notice's statuses to the furthest one, whatever
// order they arrived in: a state never moves back.
func TestFoldKeepsTheFurthestState(t *testing.T) {
	queued, _ := proto.Marshal(&eventpb.NoticeQueued{Notice: "k/1", Request: "R1", Kind: "baru", To: "0812"})
	q := &event.Event{Origin: "kec", Seq: 1, Type: TypeQueued, Payload: queued}
	for _, tc := range []struct {
		name   string
		events []*event.Event
		state  string
		code   int
	}{
		{"queued only", []*event.Event{q}, "", 0},
		{"in order", []*event.Event{q, statusEvent(1, "accepted", 0), statusEvent(2, "sent", 0), statusEvent(3, "delivered", 0)}, "delivered", 0},
		{"read before sent", []*event.Event{statusEvent(3, "read", 0), q, statusEvent(2, "sent", 0)}, "read", 0},
		{"failed", []*event.Event{q, statusEvent(1, "accepted", 0), statusEvent(2, "failed", 131026)}, "failed", 131026},
		{"delivered beats a late failure", []*event.Event{statusEvent(3, "delivered", 0), statusEvent(2, "failed", 131000)}, "delivered", 0},
		{"unknown state ignored", []*event.Event{statusEvent(1, "sent", 0), statusEvent(2, "bogus", 0)}, "sent", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, evs := range [][]*event.Event{tc.events, reversed(tc.events)} {
				f, err := Folder{}.Fold(evs)
				if err != nil {
					t.Fatal(err)
				}
				var s State
				if err := json.Unmarshal(f.State, &s); err != nil {
					t.Fatal(err)
				}
				if s.State != tc.state || s.Code != tc.code || s.Request != "R1" || s.Notice != "k/1" {
					t.Fatalf("folded %+v", s)
				}
			}
		})
	}
}

func reversed(evs []*event.Event) []*event.Event {
	out := slices.Clone(evs)
	slices.Reverse(out)
	return out
}
