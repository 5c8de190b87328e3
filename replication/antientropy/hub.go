package antientropy

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// leaveToHub reports whether the events this node would send p are left to
// a hub instead: a connected peer that forwards what it receives on to p
// (Topology.Forwards: a dinas server, for another kecamatan). The hub is
// synced now, so the events cross this node's uplink once, to the hub,
// which sends them on over p's own downlink; p is synced again when the
// bulk turn frees or in the next round, by when the claims leave those
// events out. A kecamatan back from a week offline otherwise sent its
// backlog to whichever other kecamatan asked first, and to the dinas as
// well (TestBacklogGoesUpOnce).
//
// p is left to the hub while it makes progress: held, the position p
// reported on the origins it lags in, grew within Options.ForwardWindow. A p that
// gets nothing from anywhere for that long (it cannot reach the hub itself)
// is sent the events. Timing the wait from the first time p was left to a
// hub instead sent a week's backlog down a kecamatan's downlink from every
// other kecamatan once ten minutes had passed, while it was still coming
// from the dinas, and slowed that.
func (s *Service) leaveToHub(p peer.ID, held uint64) bool {
	var hubs []peer.ID
	for _, h := range s.opt.Host.Network().Peers() {
		if h != p && s.opt.Topology.Forwards(h, p) {
			hubs = append(hubs, h)
		}
	}
	if len(hubs) == 0 {
		return s.awaitHub(p)
	}
	now := s.opt.Now()
	s.mu.Lock()
	w, waiting := s.hubWait[p]
	if !waiting || held > w.held {
		w = hubWait{held: held, since: now}
		s.hubWait[p] = w
	}
	leave := now.Sub(w.since) < s.opt.ForwardWindow
	if leave {
		s.deferred[p] = true
	}
	s.mu.Unlock()
	if leave {
		s.SyncWith(s.opt.Topology.PushTo(hubs)...)
	}
	return leave
}

// awaitHub reports whether p, with no hub connected, is left to a hub
// that may be on its way: for hubGrace after p's connection came up, while
// a hub's address is known. A kecamatan back from a week offline otherwise
// sent its backlog to the first other kecamatan whose connection came up
// before any dinas server's; the first link back also redials the rest at
// once (Start). p is synced again in the next round, by when a hub is
// usually up; a hub that stays down costs p at most hubGrace and a round.
func (s *Service) awaitHub(p peer.ID) bool {
	h := s.opt.Host
	young := false
	for _, c := range h.Network().ConnsToPeer(p) {
		// The transport stamps connections with the wall clock, not
		// Options.Now (an office's clock may be set days wrong).
		young = young || time.Since(c.Stat().Opened) < hubGrace
	}
	if !young {
		return false
	}
	for _, hub := range h.Peerstore().PeersWithAddrs() {
		if hub != p && hub != h.ID() && s.opt.Topology.Forwards(hub, p) {
			s.mu.Lock()
			s.deferred[p] = true
			s.mu.Unlock()
			return true
		}
	}
	return false
}

// caughtUp ends p's wait for a hub: p lacked nothing this node would send.
func (s *Service) caughtUp(p peer.ID) {
	s.mu.Lock()
	delete(s.hubWait, p)
	s.mu.Unlock()
}

// hubGrace is how long a new connection to another kecamatan waits for a
// hub's connection to come up (awaitHub).
const hubGrace = 10 * time.Second

// hubWait is a peer left to a hub: its position when it last progressed.
type hubWait struct {
	held  uint64
	since time.Time
}
