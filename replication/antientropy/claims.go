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

// claims remembers which events this node's exchanges are sending, and
// recently sent, to which peer, so that no event crosses this node's link
// twice for one destination:
//
//   - while an exchange sends a range to p, another exchange with p (the
//     two sides dialing each other at once, which a busy dinas does all day
//     over a 300 ms round trip) leaves it out;
//   - for relayWindow after p acknowledged it, an exchange with p leaves it
//     out: p's HELLO may have left before the events arrived;
//   - while it is sent to a peer that passes what it receives on to p
//     (Options.Passes: the dinas servers among themselves, over their LAN),
//     and for relayWindow after, an exchange with p leaves it out too.
//
// Without them a kecamatan sent each new event up its thin uplink once per
// dinas server that happened to sync with it first, and to one server once
// per direction (TestEventsCrossTheUplinkOnce: 3.7 events sent per event
// authored; behind a 150 ms link, 2.0 with concurrent dinas writes).
//
// An exchange that failed ends its claims at once: its events go to
// whoever asks next, and nobody waits for them.
type claims struct {
	passes func(from, to peer.ID) bool // nil: no peer relays
	now    func() time.Time

	mu  sync.Mutex
	log map[peer.ID][]*delivery // by origin
}

// delivery is a range of one origin's events an exchange sends (live) or
// delivered (at: when its exchange ended).
type delivery struct {
	to         peer.ID
	from, upto uint64
	live       bool
	at         time.Time
}

// claim fixes what p is to be sent, from since up to local, by leaving
// out per origin the events that another exchange is sending to p, or that
// were given within relayWindow to a peer that passes them on to p, and the
// origins that pass their own events to p. If the first event p lacks is
// left out, nothing of that origin goes to p now (p cannot take a later
// event before it); otherwise the range stops before the first left out.
// The rest comes in a later exchange. What is to be sent is claimed at
// once, before it is sent: since is raised and the returned upto is where
// each origin's range ends. done must be called when the exchange ends,
// with whether p received it.
func (c *claims) claim(p peer.ID, since, local vv.Vector) (upto vv.Vector, done func(delivered bool)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.log == nil {
		c.log = map[peer.ID][]*delivery{}
	}
	upto = local.Clone()
	var mine []*delivery
	for o, have := range local {
		ds := c.prune(c.log[o], now)
		next := since[o] + 1
		switch first := c.firstCovered(ds, p, next, have, now); {
		case c.relays(o, p) || first == next:
			since[o] = have
		default:
			upto[o] = first - 1
		}
		if upto[o] > since[o] {
			d := &delivery{to: p, from: since[o] + 1, upto: upto[o], live: true}
			ds = append(ds, d)
			mine = append(mine, d)
		}
		c.log[o] = ds
	}
	return upto, func(delivered bool) {
		c.mu.Lock()
		defer c.mu.Unlock()
		end := c.now()
		for _, d := range mine {
			d.live, d.at = false, end
			if !delivered {
				d.upto = 0 // matches nothing
			}
		}
	}
}

func (c *claims) relays(from, to peer.ID) bool { return c.passes != nil && c.passes(from, to) }

// firstCovered is the first of an origin's events next..have (whose
// deliveries are ds) that is being sent to p or to a peer that passes it to
// p, or was delivered to either within the window; have+1 if none. Caller
// holds mu.
func (c *claims) firstCovered(ds []*delivery, p peer.ID, next, have uint64, now time.Time) uint64 {
	first := have + 1
	for _, d := range ds {
		if d.upto < next || d.from > have {
			continue
		}
		if (d.to == p || c.relays(d.to, p)) && (d.live || now.Sub(d.at) < relayWindow) {
			first = min(first, max(d.from, next))
		}
	}
	return first
}

// prune drops deliveries that ended longer than the window ago.
func (c *claims) prune(ds []*delivery, now time.Time) []*delivery {
	kept := ds[:0]
	for _, d := range ds {
		if d.live || (d.upto > 0 && now.Sub(d.at) < relayWindow) {
			kept = append(kept, d)
		}
	}
	return kept
}
