package antientropy

import (
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/vv"
)

// relayWindow is how long an event delivered to a relaying peer is left to
// that peer to pass on. Past it, a sibling that still lacks the event gets
// it from this node as usual: a relay that failed costs time, never events.
const relayWindow = 30 * time.Second

// DefaultForwardWindow is Options.ForwardWindow's default. It is long
// because the hub sends over each office's own thin downlink, a backlog of
// a week one office after another.
const DefaultForwardWindow = 10 * time.Minute

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
//     (Topology.Passes: the dinas servers among themselves, over their LAN),
//     and for relayWindow after, an exchange with p leaves it out too;
//   - while it is sent to a hub that forwards it to p in its own time
//     (Topology.Forwards: a dinas server, to another kecamatan), and for
//     Options.ForwardWindow after, likewise.
//
// Without them a kecamatan sent each new event up its thin uplink once per
// dinas server that happened to sync with it first, and to one server once
// per direction (TestEventsCrossTheUplinkOnce: 3.7 events sent per event
// authored; behind a 150 ms link, 2.0 with concurrent dinas writes).
//
// An exchange that failed ends its claims at once: its events go to
// whoever asks next, and the peers whose exchanges left them out meanwhile
// are synced again (a session hung on a link cut one way holds its claims
// until its idle timeout).
type claims struct {
	// topo says which peers pass (relay) or forward what they get to
	// which others.
	topo Topology
	// forwardWindow is Options.ForwardWindow.
	forwardWindow time.Duration
	// retry syncs with a peer again: one whose exchange left out events
	// that an exchange which then failed was sending.
	retry func(peer.ID)
	now   func() time.Time

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
	// waiters are the peers whose exchanges left these events out while
	// they were being sent.
	waiters []peer.ID
}

// claim fixes what p is to be sent, from since up to local: nothing while
// another exchange sends p events (sendingTo); otherwise starting past what
// an exchange with p just delivered (acked) and leaving out per origin the
// events that
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
	if c.sendingTo(p, since) {
		for o, have := range local {
			since[o] = have
		}
		return upto, func(bool) {}
	}
	var mine []*delivery
	for o, have := range local {
		ds := c.prune(c.log[o], now)
		next := since[o] + 1
		first := next // an origin that passes its own events to p: none
		if !c.relays(o, p) {
			next = c.acked(ds, p, next, now)
			since[o] = min(next-1, have)
			first = c.firstCovered(ds, p, next, have, now)
		}
		if first == next {
			since[o] = have
		} else {
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
		end := c.now()
		var waiters []peer.ID
		for _, d := range mine {
			d.live, d.at = false, end
			for _, w := range d.waiters {
				// A peer's own exchange that left these out may also have
				// left out what came after them: it goes now.
				if !delivered || w == d.to {
					waiters = append(waiters, w)
				}
			}
			if !delivered {
				d.upto = 0 // matches nothing
			}
			d.waiters = nil
		}
		c.mu.Unlock()
		if c.retry != nil {
			for _, p := range slices.Compact(slices.Sorted(slices.Values(waiters))) {
				c.retry(p)
			}
		}
	}
}

func (c *claims) relays(from, to peer.ID) bool { return c.topo.Passes(from, to) }

// window is how long after an exchange delivered events to `to` this node
// leaves them out for p; 0 if it does not.
func (c *claims) window(to, p peer.ID) time.Duration {
	switch {
	case to == p, c.relays(to, p):
		return relayWindow
	case c.topo.Forwards(to, p):
		return c.forwardWindow
	}
	return 0
}

// firstCovered is the first of an origin's events next..have (whose
// deliveries are ds) that is being sent to p or to a peer that passes or
// forwards it to p, or was delivered to either within its window; have+1
// if none. Caller holds mu.
func (c *claims) firstCovered(ds []*delivery, p peer.ID, next, have uint64, now time.Time) uint64 {
	first := have + 1
	for _, d := range ds {
		if d.upto < next || d.from > have {
			continue
		}
		if w := c.window(d.to, p); w > 0 && (d.live || now.Sub(d.at) < w) {
			first = min(first, max(d.from, next))
			if d.live && !slices.Contains(d.waiters, p) {
				d.waiters = append(d.waiters, p)
			}
		}
	}
	return first
}

// sendingTo reports whether another exchange is sending p events it
// lacks; if so this one sends p nothing and p is synced again when that one
// ends. Sending p the other origins meanwhile sent events whose deps were
// still on their way in the first exchange, which p could not take yet.
// Caller holds mu.
func (c *claims) sendingTo(p peer.ID, since vv.Vector) bool {
	sending := false
	for o, ds := range c.log {
		for _, d := range ds {
			if d.to == p && d.live && d.upto > since[o] {
				sending = true
				if !slices.Contains(d.waiters, p) {
					d.waiters = append(d.waiters, p)
				}
			}
		}
	}
	return sending
}

// acked is where p's range of an origin starts (from next) past what an
// exchange with p delivered within relayWindow: p holds those, although a
// HELLO that left it before they arrived said otherwise, so the events
// after them go now rather than wait for the next round. Caller holds mu.
func (c *claims) acked(ds []*delivery, p peer.ID, next uint64, now time.Time) uint64 {
	for moved := true; moved; {
		moved = false
		for _, d := range ds {
			if d.to == p && !d.live && d.upto >= next && d.from <= next && now.Sub(d.at) < relayWindow {
				next, moved = d.upto+1, true
			}
		}
	}
	return next
}

// prune drops deliveries that ended longer than any window ago.
func (c *claims) prune(ds []*delivery, now time.Time) []*delivery {
	longest := max(relayWindow, c.forwardWindow)
	kept := ds[:0]
	for _, d := range ds {
		if d.live || (d.upto > 0 && now.Sub(d.at) < longest) {
			kept = append(kept, d)
		}
	}
	return kept
}
