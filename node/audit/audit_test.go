package audit

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
)

func TestActorOf(t *testing.T) {
	b, _ := proto.Marshal(&eventpb.RequestTransitioned{Actor: &eventpb.Actor{Officer: "Budi", Office: "Kec"}, To: 2, Note: "ok"})
	if a := actorOf(b); a.GetOfficer() != "Budi" || a.GetOffice() != "Kec" {
		t.Fatalf("actor %v", a)
	}
	d, _ := proto.Marshal(&eventpb.Decision{Number: 7, Key: "k"}) // field 1 is a number: no actor
	for _, payload := range [][]byte{d, nil, {0xff}, {0x0a, 0x05, 0x01}} {
		if a := actorOf(payload); a.GetOfficer() != "" {
			t.Fatalf("actor from %x: %v", payload, a)
		}
	}
}
