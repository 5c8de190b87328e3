package antientropy

import (
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/vv"
)

func TestRelayLogSkipsWhatASiblingJustGot(t *testing.T) {
	const a, b, c, kec, o peer.ID = "dinas-a", "dinas-b", "kec-c", "kec", "origin"
	dinas := map[peer.ID]bool{a: true, b: true}
	l := relayLog{passes: func(from, to peer.ID) bool { return from != to && dinas[from] && dinas[to] }}
	t0 := time.Unix(1_700_000_000, 0)
	local := vv.Vector{o: 10, kec: 5}
	l.claim(a, vv.Vector{o: 4, kec: 5}, local, t0) // a is sent o's 5..10

	cases := []struct {
		name  string
		to    peer.ID
		since vv.Vector
		at    time.Time
		want  vv.Vector // what is sent from, after skipping
	}{
		{"b lacks what a just got", b, vv.Vector{o: 4, kec: 5}, t0.Add(time.Second), vv.Vector{o: 10, kec: 5}},
		{"b lacks more than a got: an earlier event comes from us", b, vv.Vector{o: 2, kec: 5}, t0.Add(time.Second), vv.Vector{o: 2, kec: 5}},
		{"b lacks part of it", b, vv.Vector{o: 7, kec: 5}, t0.Add(time.Second), vv.Vector{o: 10, kec: 5}},
		{"a again", a, vv.Vector{o: 4, kec: 5}, t0.Add(time.Second), vv.Vector{o: 4, kec: 5}},
		{"a relay that did not come in time", b, vv.Vector{o: 4, kec: 5}, t0.Add(relayWindow), vv.Vector{o: 4, kec: 5}},
		{"a kecamatan is not relayed to", c, vv.Vector{o: 4, kec: 5}, t0.Add(time.Second), vv.Vector{o: 4, kec: 5}},
		{"a again much later", a, vv.Vector{o: 4, kec: 5}, t0.Add(relayWindow), vv.Vector{o: 4, kec: 5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			since := tc.since.Clone()
			l.claim(tc.to, since, local, tc.at)()
			if !since.Equal(tc.want) {
				t.Fatalf("sends from %v, want %v", since, tc.want)
			}
		})
	}
}

// An exchange that failed gives up its claim: a sibling is sent the events.
func TestRelayLogReleasedClaim(t *testing.T) {
	const a, b, o peer.ID = "dinas-a", "dinas-b", "origin"
	l := relayLog{passes: func(from, to peer.ID) bool { return from != to && from != o }}
	t0 := time.Unix(1_700_000_000, 0)
	local := vv.Vector{o: 10}
	release := l.claim(a, vv.Vector{o: 4}, local, t0)
	since := vv.Vector{o: 4}
	l.claim(b, since, local, t0)()
	if since[o] != 10 {
		t.Fatalf("while a's exchange runs, b is sent from %d, want nothing (10)", since[o])
	}
	release()
	since = vv.Vector{o: 4}
	l.claim(b, since, local, t0)
	if since[o] != 4 {
		t.Fatalf("after a's exchange failed, b is sent from %d, want 4", since[o])
	}
}
