package antientropy

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/vv"
)

// relayWindow is how long an event delivered to a relaying peer is left to
// that peer to pass on. Past it, a sibling that still lacks the event gets
// it from this node as usual: a relay that failed costs time, never events.
const relayWindow = 30 * time.Second

// relayLog remembers which events this node recently delivered to peers
// that pass what they receive on to others (Options.Passes: the dinas
// servers among themselves, over their LAN), so an exchange with one of
// those others does not carry the events over this node's link again.
// Without it a kecamatan sent each new event up its thin uplink once per
// dinas server that happened to sync with it first, and the dinas servers'
// own events back to them (TestEventsCrossTheUplinkOnce: 3.7 events sent
// per event authored).
type relayLog struct {
	passes func(from, to peer.ID) bool

	mu  sync.Mutex
	log map[peer.ID][]*delivery // by origin, oldest first
}

// delivery is a range of one origin's events an exchange delivered.
type delivery struct {
	to         peer.ID
	from, upto uint64
	at         time.Time
}

// claim narrows since, what p is to be sent, by the origins that pass their
// events to p themselves, and those whose next event p lacks was given
// within relayWindow to a peer that passes it to p:
// nothing of those origins goes to p now (p cannot take a later event
// before that one), and the rest comes in a later exchange. What is left
// is recorded as given to p at once, before it is sent, so two exchanges
// running side by side (three dinas servers pushing their new decisions to
// a kecamatan at once) do not both send it; an exchange that fails calls
// the returned release, and its events are sent to whoever asks next.
func (l *relayLog) claim(p peer.ID, since, local vv.Vector, now time.Time) (release func()) {
	if l.passes == nil {
		return func() {}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.log == nil {
		l.log = map[peer.ID][]*delivery{}
	}
	var mine []*delivery
	for o, have := range local {
		// p has o's events from o itself, or soon from whoever was given
		// them: not over this node's link.
		if l.passes(o, p) || l.relayed(p, o, since[o]+1, now) {
			since[o] = have
		}
		ds := l.log[o]
		for len(ds) > 0 && now.Sub(ds[0].at) >= relayWindow {
			ds = ds[1:]
		}
		if have > since[o] {
			d := &delivery{to: p, from: since[o] + 1, upto: have, at: now}
			ds = append(ds, d)
			mine = append(mine, d)
		}
		l.log[o] = ds
	}
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, d := range mine {
			d.upto = 0 // matches nothing
		}
	}
}

// relayed reports whether origin o's event next was given, within the
// window, to a peer that passes it to p. Caller holds mu.
func (l *relayLog) relayed(p, o peer.ID, next uint64, now time.Time) bool {
	for _, d := range l.log[o] {
		if d.to != p && d.from <= next && next <= d.upto && now.Sub(d.at) < relayWindow && l.passes(d.to, p) {
			return true
		}
	}
	return false
}
