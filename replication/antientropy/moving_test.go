package antientropy

import (
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Documents yield to events by direction: Sending for this node's uplink,
// Receiving(p) for p's; each holds while any exchange moving that way runs.
func TestMovingByDirection(t *testing.T) {
	s := &Service{receiving: map[peer.ID]int{}}
	a, b := peer.ID("a"), peer.ID("b")
	sendToA := s.moving(a, true, false)
	fromA := s.moving(a, false, true)
	bothB := s.moving(b, true, true)
	if !s.Sending() || !s.Receiving(a) || !s.Receiving(b) {
		t.Fatal("exchanges running, not reported")
	}
	bothB()
	if !s.Sending() || !s.Receiving(a) || s.Receiving(b) {
		t.Fatalf("after b's exchange: sending %v, from a %v, from b %v", s.Sending(), s.Receiving(a), s.Receiving(b))
	}
	fromA()
	sendToA()
	if s.Sending() || s.Receiving(a) || len(s.receiving) != 0 {
		t.Fatal("no exchange running, still reported")
	}
}
