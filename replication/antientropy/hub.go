package antientropy

import "github.com/libp2p/go-libp2p/core/peer"

// leaveToHub reports whether the events this node would send p are left to
// a hub instead: a connected peer that forwards what it receives on to p
// (Options.Forwards: a dinas server, for another kecamatan). The hub is
// synced now, so the events cross this node's uplink once, to the hub,
// which sends them on over p's own downlink; p is synced again when the
// bulk turn frees or in the next round, by when the claims leave those
// events out. A kecamatan back from a week offline otherwise sent its
// backlog to whichever other kecamatan asked first, and to the dinas as
// well (TestBacklogGoesUpOnce).
//
// p waits for the hub at most forwardWindow from the first time it was
// left to one, in case p cannot reach the hub itself.
func (s *Service) leaveToHub(p peer.ID) bool {
	if s.opt.Forwards == nil {
		return false
	}
	var hubs []peer.ID
	for _, h := range s.opt.Host.Network().Peers() {
		if h != p && s.opt.Forwards(h, p) {
			hubs = append(hubs, h)
		}
	}
	if len(hubs) == 0 {
		return false
	}
	now := s.opt.Now()
	s.mu.Lock()
	first, waiting := s.hubSince[p]
	if !waiting {
		first = now
		s.hubSince[p] = now
	}
	leave := now.Sub(first) < forwardWindow
	if leave {
		s.deferred[p] = true
	}
	s.mu.Unlock()
	if leave {
		if s.opt.PushTo != nil {
			hubs = s.opt.PushTo(hubs)
		}
		s.SyncWith(hubs...)
	}
	return leave
}

// caughtUp ends p's wait for a hub: p lacked nothing this node would send.
func (s *Service) caughtUp(p peer.ID) {
	s.mu.Lock()
	delete(s.hubSince, p)
	s.mu.Unlock()
}
