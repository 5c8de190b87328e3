package antientropy

import (
	"bufio"
	"context"
	"encoding/binary"
	"testing"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
)

// A peer that relays a tampered event gets it refused: the receiver
// verifies every event end to end, whoever sends it.
func TestForgedEventOverSyncIsRefused(t *testing.T) {
	victim, mallory := newNode(t, false), newNode(t, false)
	e, err := mallory.st.Append(store.Draft{Kind: "k", Entity: "x", Type: "t", Payload: []byte("asli")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	forged := *e
	forged.Payload = []byte("palsu")
	connect(t, mallory, victim)

	s, err := mallory.h.NewStream(context.Background(), victim.h.ID(), Protocol)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, r := bufio.NewWriter(s), bufio.NewReader(s)
	hello := appendEntries(binary.AppendUvarint(nil, 0), []Entry{{Tag: TagOf(e.Origin), Seq: 1}})
	frames.Write(w, frameHello, hello)
	w.Flush()
	if typ, _, err := frames.Read(r); err != nil || typ != frameReply {
		t.Fatalf("reply: %q %v", typ, err)
	}
	b := &batcher{w: w, maxBytes: 1 << 20, maxCount: 10}
	b.add(forged.Marshal())
	b.flush()
	frames.Write(w, frameDone, nil)
	frames.Write(w, frameAck, nil)
	w.Flush()
	for { // the victim's (empty) side, then its ACK once it has committed
		typ, _, err := frames.Read(r)
		if err != nil {
			t.Fatal(err)
		}
		if typ == frameAck {
			break
		}
	}
	if got := victim.st.Vector()[e.Origin]; got != 0 {
		t.Fatalf("forged event stored: vector %d", got)
	}
	if _, err := victim.st.Event(event.ID{Origin: e.Origin, Seq: 1}); err == nil {
		t.Fatal("forged event readable")
	}
}
