package antientropy

import (
	"errors"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A kecamatan's home is the connected dinas server ranked first for it; it
// keeps that home while it works, even when a better-ranked server comes
// up, and moves when an exchange with it fails.
func TestHomeIsKeptWhileItWorks(t *testing.T) {
	kec := newNode(t, false)
	servers := []*node{newNode(t, false), newNode(t, false), newNode(t, false)}
	upstream := map[peer.ID]bool{}
	for _, s := range servers {
		upstream[s.h.ID()] = true
	}
	kec.svc.opt.Topology = testTopology{mesh: mesh{kec.st}, upstream: func(p peer.ID) bool { return upstream[p] }}
	if _, ok := kec.svc.Home(); ok {
		t.Fatal("a home with no dinas server connected")
	}
	best := func(ps ...*node) peer.ID {
		var top peer.ID
		for _, s := range ps {
			if top == "" || rank(kec.h.ID(), s.h.ID()) > rank(kec.h.ID(), top) {
				top = s.h.ID()
			}
		}
		return top
	}
	connect(t, kec, servers[0])
	connect(t, kec, servers[1])
	home, _ := kec.svc.Home()
	if home != best(servers[0], servers[1]) {
		t.Fatalf("home %s, want the better ranked of the two", home)
	}
	connect(t, kec, servers[2])
	if got, _ := kec.svc.Home(); got != home {
		t.Fatalf("home moved to %s when another server came up; it should stay while it works", got)
	}
	if !kec.svc.asks(home) {
		t.Fatal("the kecamatan does not ask its home")
	}
	for _, s := range servers {
		if s.h.ID() != home && kec.svc.asks(s.h.ID()) {
			t.Fatalf("the kecamatan asks %s, not its home", s.h.ID())
		}
	}
	kec.svc.record(home, Stats{}, errors.New("stream reset"))
	moved, _ := kec.svc.Home()
	if moved == home || !upstream[moved] {
		t.Fatalf("after a failed exchange with its home the kecamatan's home is %s", moved)
	}
}
