package antientropy

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// claimed claims, then ends the exchange as delivered.
func (c *claims) claimed(p peer.ID, since, local vv.Vector) vv.Vector {
	upto, done := c.claim(p, since, local)
	done(true)
	return upto
}

// testClaims are claims on a clock the test moves.
func testClaims(passes func(from, to peer.ID) bool) (*claims, *time.Time) {
	now := time.Unix(1_700_000_000, 0)
	return &claims{topo: testTopology{passes: passes}, now: func() time.Time { return now }}, &now
}

func TestClaimsSkipWhatASiblingJustGot(t *testing.T) {
	const a, b, c, kec, o peer.ID = "dinas-a", "dinas-b", "kec-c", "kec", "origin"
	dinas := map[peer.ID]bool{a: true, b: true}
	local := vv.Vector{o: 10, kec: 5}
	cases := []struct {
		name  string
		to    peer.ID
		since vv.Vector
		after time.Duration // since a's exchange ended
		want  vv.Vector     // what is sent from, after skipping
	}{
		{"b lacks what a just got", b, vv.Vector{o: 4, kec: 5}, time.Second, vv.Vector{o: 10, kec: 5}},
		{"b lacks more than a got: an earlier event comes from us", b, vv.Vector{o: 2, kec: 5}, time.Second, vv.Vector{o: 2, kec: 5}},
		{"b lacks part of it", b, vv.Vector{o: 7, kec: 5}, time.Second, vv.Vector{o: 10, kec: 5}},
		{"a again on a HELLO sent before they arrived", a, vv.Vector{o: 4, kec: 5}, time.Second, vv.Vector{o: 10, kec: 5}},
		{"a relay that did not come in time", b, vv.Vector{o: 4, kec: 5}, relayWindow, vv.Vector{o: 4, kec: 5}},
		{"a kecamatan is not relayed to", c, vv.Vector{o: 4, kec: 5}, time.Second, vv.Vector{o: 4, kec: 5}},
		{"a again much later", a, vv.Vector{o: 4, kec: 5}, relayWindow, vv.Vector{o: 4, kec: 5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, now := testClaims(func(from, to peer.ID) bool { return from != to && dinas[from] && dinas[to] })
			l.claimed(a, vv.Vector{o: 4, kec: 5}, local) // a was sent o's 5..10
			*now = now.Add(tc.after)
			since := tc.since.Clone()
			l.claimed(tc.to, since, local)
			if !since.Equal(tc.want) {
				t.Fatalf("sends from %v, want %v", since, tc.want)
			}
		})
	}
}

// An exchange that failed gives up its claim: a sibling is sent the events.
func TestClaimsReleasedByAFailedExchange(t *testing.T) {
	const a, b, o peer.ID = "dinas-a", "dinas-b", "origin"
	l, _ := testClaims(func(from, to peer.ID) bool { return from != to && from != o })
	local := vv.Vector{o: 10}
	_, done := l.claim(a, vv.Vector{o: 4}, local)
	since := vv.Vector{o: 4}
	l.claimed(b, since, local)
	if since[o] != 10 {
		t.Fatalf("while a's exchange runs, b is sent from %d, want nothing (10)", since[o])
	}
	done(false)
	since = vv.Vector{o: 4}
	l.claimed(b, since, local)
	if since[o] != 4 {
		t.Fatalf("after a's exchange failed, b is sent from %d, want 4", since[o])
	}
}

// Two exchanges with one peer at once (each side dialed the other) send
// each event once; so does one that follows a delivery, on a HELLO that
// left the peer before the events arrived, and that sends what came after
// them. A failed exchange's events go with the next exchange.
func TestClaimsOneExchangePerEventAndPeer(t *testing.T) {
	const a, o, o2 peer.ID = "dinas-a", "origin", "other"
	for _, tc := range []struct {
		delivered bool
		after     time.Duration
		want      vv.Vector
	}{
		{true, time.Second, vv.Vector{o: 10, o2: 3}}, // 11..12 go now
		{true, relayWindow, vv.Vector{o: 4, o2: 3}},
		{false, 0, vv.Vector{o: 4, o2: 3}},
	} {
		l, now := testClaims(nil)
		_, done := l.claim(a, vv.Vector{o: 4, o2: 1}, vv.Vector{o: 10, o2: 3})
		since := vv.Vector{o: 4, o2: 3}
		_, done2 := l.claim(a, since, vv.Vector{o: 12, o2: 5})
		done2(false)
		if want := (vv.Vector{o: 12, o2: 5}); !since.Equal(want) {
			t.Fatalf("beside a running exchange, sends from %v, want nothing (%v): origin's 5..10 are on their way", since, want)
		}
		done(tc.delivered)
		*now = now.Add(tc.after)
		since = vv.Vector{o: 4, o2: 3}
		l.claimed(a, since, vv.Vector{o: 12, o2: 5})
		if !since.Equal(tc.want) {
			t.Fatalf("%v after the exchange ended (delivered %v), sends from %v, want %v", tc.after, tc.delivered, since, tc.want)
		}
	}
}

// A peer that lacks events before those on their way to a relaying
// sibling is sent those first ones only; while events are on their way to
// the peer itself it is sent nothing.
func TestClaimsSendUpToWhatIsCovered(t *testing.T) {
	const a, b, o peer.ID = "dinas-a", "dinas-b", "origin"
	for _, tc := range []struct {
		p          peer.ID
		from, upto uint64
	}{{b, 5, 6}, {a, 13, 12}} {
		l, _ := testClaims(func(from, to peer.ID) bool { return from != to && from != o })
		_, done := l.claim(a, vv.Vector{o: 6}, vv.Vector{o: 10}) // 7..10 on their way to a
		since := vv.Vector{o: 4}
		upto := l.claimed(tc.p, since, vv.Vector{o: 12})
		if since[o]+1 != tc.from || upto[o] != tc.upto && tc.from <= tc.upto {
			t.Errorf("%s is sent %d..%d, want %d..%d", tc.p, since[o]+1, upto[o], tc.from, tc.upto)
		}
		done(true)
	}
}

// What a kecamatan delivered to a dinas server (a hub) is left to the hub
// to send to the other kecamatan for the forward window, and not only while the
// LAN relay's window runs.
func TestClaimsLeaveToTheHub(t *testing.T) {
	const hub, b, o peer.ID = "dinas-a", "kec-b", "kec-a"
	for _, tc := range []struct {
		after time.Duration
		want  uint64
	}{
		{relayWindow, 3000},
		{DefaultForwardWindow - time.Second, 3000},
		{DefaultForwardWindow, 0},
	} {
		l, now := testClaims(nil)
		l.topo, l.forwardWindow = testTopology{forwards: func(from, to peer.ID) bool { return from == hub && to != hub }}, DefaultForwardWindow
		l.claimed(hub, vv.Vector{o: 0}, vv.Vector{o: 3000}) // the week's backlog
		*now = now.Add(tc.after)
		since := vv.Vector{o: 0}
		if l.claimed(b, since, vv.Vector{o: 3000}); since[o] != tc.want {
			t.Errorf("%v after the hub got them, b is sent from %d, want %d", tc.after, since[o], tc.want)
		}
	}
}

// A peer whose exchange left out events another exchange was sending it is
// synced again when that exchange ends, delivered or not: it may lack what
// came after them. One that left them to a sibling is synced again only if
// that delivery failed.
func TestClaimsRetryWhoWaited(t *testing.T) {
	const a, b, o peer.ID = "dinas-a", "dinas-b", "origin"
	for _, delivered := range []bool{true, false} {
		l, _ := testClaims(func(from, to peer.ID) bool { return from != to && from != o })
		var retried []peer.ID
		l.retry = func(p peer.ID) { retried = append(retried, p) }
		_, toA := l.claim(a, vv.Vector{o: 4}, vv.Vector{o: 10})
		_, again := l.claim(a, vv.Vector{o: 4}, vv.Vector{o: 12}) // 11..12 not sent now
		again(true)
		_, toB := l.claim(b, vv.Vector{o: 4}, vv.Vector{o: 12})
		toB(true)
		toA(delivered)
		want := []peer.ID{a}
		if !delivered {
			want = []peer.ID{a, b}
		}
		if !slices.Equal(retried, want) {
			t.Errorf("delivered %v: synced again with %v, want %v", delivered, retried, want)
		}
	}
}

// A peer that could not store events it was sent (a dep was on its way from
// elsewhere) says so in its ACK, and they are sent again at the next
// exchange instead of being taken as delivered.
func TestPartialAckIsNotDelivery(t *testing.T) {
	a, b, y := newNode(t, false), newNode(t, false), newNode(t, false)
	connect(t, a, y)
	connect(t, a, b)
	ctx := context.Background()
	if _, err := y.st.Append(store.Draft{Kind: "k", Entity: "x", Type: "t", Payload: []byte("y")}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.SyncPeer(ctx, y.h.ID()); err != nil {
		t.Fatal(err)
	}
	write(t, a, 1, "x") // entity x0, no dep on y's x
	if _, err := a.st.Append(store.Draft{Kind: "k", Entity: "x", Type: "t", Payload: []byte("a")}, nil); err != nil {
		t.Fatal(err) // depends on y's event
	}
	// a leaves y's events to y, as if y passed them on to b itself.
	a.svc.claims.topo = testTopology{passes: func(from, to peer.ID) bool { return from == y.h.ID() }}
	for i, want := range []uint64{2, 1} {
		st, err := a.svc.SyncPeer(ctx, b.h.ID())
		if err != nil {
			t.Fatal(err)
		}
		if st.EventsSent != want {
			t.Fatalf("exchange %d sent %d events, want %d (b holds %v)", i+1, st.EventsSent, want, b.st.Vector())
		}
	}
	if got := b.st.Vector()[a.h.ID()]; got != 1 {
		t.Fatalf("b holds %d of a's events before y's dep arrives, want 1", got)
	}
	connect(t, b, y)
	if _, err := b.svc.SyncPeer(ctx, y.h.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.SyncPeer(ctx, b.h.ID()); err != nil {
		t.Fatal(err)
	}
	if got := b.st.Vector()[a.h.ID()]; got != 2 {
		t.Fatalf("b holds %d of a's events, want 2", got)
	}
}
